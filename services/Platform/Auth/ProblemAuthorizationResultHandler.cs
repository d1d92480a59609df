using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Infrastructure;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace Reminders.Platform.Auth;

/// <summary>
/// A refusal says what was missing: 401 how to authenticate; 403 the roles the route needs (<c>requiredRoles</c>) and the
/// ones the caller's key or token carries (<c>roles</c>). The challenge and forbid themselves are the framework's.
/// </summary>
public sealed class ProblemAuthorizationResultHandler(IProblemDetailsService problems) : IAuthorizationMiddlewareResultHandler
{
    readonly AuthorizationMiddlewareResultHandler framework = new();

    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        await framework.HandleAsync(next, context, policy, authorizeResult);
        if (context.Response.HasStarted || !(authorizeResult.Challenged || authorizeResult.Forbidden)) return;
        var problem = new ProblemDetails { Status = context.Response.StatusCode };
        if (context.Response.StatusCode == StatusCodes.Status401Unauthorized)
        {
            problem.Title = "Not authenticated";
            problem.Detail = $"Send an API key in the {ApiKeyAuthenticationHandler.HeaderName} header, or a bearer token: "
                + (context.Request.Headers.ContainsKey(ApiKeyAuthenticationHandler.HeaderName) ? "the key sent is not known." : "none was sent.");
        }
        else if (context.Response.StatusCode == StatusCodes.Status403Forbidden)
        {
            var required = (authorizeResult.AuthorizationFailure?.FailedRequirements ?? policy.Requirements)
                .OfType<RolesAuthorizationRequirement>().SelectMany(r => r.AllowedRoles).Distinct().ToList();
            var held = context.User.FindAll(ClaimTypes.Role).Select(c => c.Value).Distinct().ToList();
            var who = context.User.Identity?.Name is { Length: > 0 } name ? $"{name}'s key or token" : "The key or token";
            problem.Title = "Forbidden";
            problem.Detail = required.Count == 0
                ? $"{who} is not allowed here."
                : $"This route needs the role {string.Join(" or ", required)}; {who} carries {(held.Count == 0 ? "no role" : string.Join(", ", held))}.";
            if (required.Count > 0) problem.Extensions["requiredRoles"] = required;
            problem.Extensions["roles"] = held;
        }
        else return;
        await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem });
    }
}
