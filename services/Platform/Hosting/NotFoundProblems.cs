using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Reminders.Platform.Data;

namespace Reminders.Platform.Hosting;

/// <summary>
/// Every 404 says what was not found, in one place for every route: a path that is no route says so; a route's bare
/// NotFound names the kind of thing its id parameter stands for and the id (<c>/cohorts/{cohortId}</c> → "There is no
/// cohort 0190..."); and an id that came from a dry run (<see cref="DryRunIds"/>) is said to be one, since dry runs are
/// not recorded.
/// </summary>
public static class NotFoundProblems
{
    public static void Describe(ProblemDetailsContext context)
    {
        if (context.ProblemDetails.Status != StatusCodes.Status404NotFound) return;
        var http = context.HttpContext;
        var problem = context.ProblemDetails;
        if (http.GetEndpoint() is not RouteEndpoint endpoint)
        {
            problem.Title = "No such route";
            problem.Detail ??= $"{http.Request.Method} {http.Request.Path} is not a route of this service; /openapi/v1.json lists them.";
            return;
        }
        var parameter = endpoint.RoutePattern.Parameters.LastOrDefault(p => http.GetRouteValue(p.Name) is not null);
        if (problem.Detail is null && parameter is not null)
        {
            var kind = KindOf(endpoint.RoutePattern, parameter);
            problem.Title = $"Unknown {kind}";
            problem.Detail = $"There is no {kind} {http.GetRouteValue(parameter.Name)}.";
            problem.Extensions.TryAdd("field", parameter.Name);
        }
        var dryRunId = endpoint.RoutePattern.Parameters.Select(p => Guid.TryParse(http.GetRouteValue(p.Name)?.ToString(), out var id) ? id : Guid.Empty)
            .FirstOrDefault(DryRunIds.Is);
        if (dryRunId != Guid.Empty)
        {
            problem.Detail = ($"{problem.Detail} {dryRunId} came from a dry run (dryRun: true), and dry runs are not recorded: "
                + "record the plan (dryRun: false) and use the ids it returns.").TrimStart();
            problem.Extensions["fromDryRun"] = true;
        }
    }

    /// <summary>cohortId → cohort, smsId → SMS, and a plain {id} after venues → venue.</summary>
    static string KindOf(RoutePattern pattern, RoutePatternParameterPart parameter)
    {
        var name = parameter.Name;
        if (name.Length > 2 && name.EndsWith("Id", StringComparison.Ordinal))
        {
            var kind = name[..^2];
            return kind.Equals("sms", StringComparison.OrdinalIgnoreCase) ? "SMS" : kind;
        }
        var segment = pattern.PathSegments.TakeWhile(s => !s.Parts.Contains(parameter)).LastOrDefault(s => s.IsSimple && s.Parts[0] is RoutePatternLiteralPart);
        var literal = (segment?.Parts[0] as RoutePatternLiteralPart)?.Content ?? name;
        return literal.EndsWith('s') && !literal.EndsWith("ss", StringComparison.Ordinal) ? literal[..^1] : literal;
    }
}
