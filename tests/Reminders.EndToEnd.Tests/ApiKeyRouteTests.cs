using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Reminders.Platform.Auth;

namespace Reminders.EndToEnd.Tests;

/// <summary>
/// Every route of the four services, read from the host's own route table (so a new route cannot escape):
/// no key → 401, a key without the route's role → 403, a key with it → neither.
/// </summary>
public sealed partial class ApiKeyRouteTests(LocalHostFixture host) : IClassFixture<LocalHostFixture>
{
    static readonly string[] ServicePrefixes = ["/api/enrollment", "/api/scheduler", "/api/messaging", "/api/attendance"];

    sealed record ProtectedRoute(string Method, string Path, IReadOnlySet<string> Roles);

    IReadOnlyList<ProtectedRoute> Routes()
    {
        var routes = new List<ProtectedRoute>();
        foreach (var endpoint in host.App.Services.GetServices<EndpointDataSource>().SelectMany(s => s.Endpoints).OfType<RouteEndpoint>())
        {
            var pattern = "/" + endpoint.RoutePattern.RawText!.TrimStart('/');
            if (!ServicePrefixes.Any(p => pattern.StartsWith(p + "/", StringComparison.Ordinal))) continue;
            var method = endpoint.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.HttpMethodMetadata>()?.HttpMethods.Single() ?? "GET";
            if (endpoint.Metadata.GetMetadata<IAllowAnonymous>() is not null)
            {
                // Only the provider's webhooks are anonymous: they are checked by signature instead.
                Assert.StartsWith("/api/messaging/webhooks/", pattern);
                continue;
            }
            var roles = endpoint.Metadata.GetOrderedMetadata<IAuthorizeData>().Select(a => a.Policy).OfType<string>()
                .Concat(endpoint.Metadata.GetOrderedMetadata<AuthorizationPolicy>()
                    .SelectMany(p => p.Requirements.OfType<Microsoft.AspNetCore.Authorization.Infrastructure.RolesAuthorizationRequirement>())
                    .SelectMany(r => r.AllowedRoles))
                .ToHashSet();
            Assert.True(roles.Count > 0, $"{method} {pattern} has no role requirement");
            routes.Add(new ProtectedRoute(method, Concrete(pattern), roles));
        }
        return routes;
    }

    static string Concrete(string pattern) => RouteParameter().Replace(pattern, m => m.Value.Contains(":guid") ? Guid.NewGuid().ToString() : "x");

    [GeneratedRegex(@"\{[^}]+\}")]
    private static partial Regex RouteParameter();

    async Task<HttpStatusCode> CallAsync(ProtectedRoute route, string? key)
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(new HttpMethod(route.Method), host.Url + route.Path);
        if (route.Method is "POST" or "PUT" or "PATCH") request.Content = new StringContent("{}", System.Text.Encoding.UTF8, "application/json");
        if (key is not null) request.Headers.Add("X-Api-Key", key);
        using var response = await http.SendAsync(request);
        return response.StatusCode;
    }

    [Fact]
    public void The_route_table_has_the_services_protected_routes()
    {
        var routes = Routes();
        Assert.True(routes.Count >= 7, $"only {routes.Count} protected routes found");
        foreach (var prefix in ServicePrefixes)
            Assert.Contains(routes, r => r.Path.StartsWith(prefix, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Every_protected_route_answers_401_without_a_key_and_with_an_unknown_key()
    {
        foreach (var route in Routes())
        {
            Assert.True(await CallAsync(route, null) == HttpStatusCode.Unauthorized, $"{route.Method} {route.Path} without a key");
            Assert.True(await CallAsync(route, "not-a-key") == HttpStatusCode.Unauthorized, $"{route.Method} {route.Path} with an unknown key");
        }
    }

    [Fact]
    public async Task Every_protected_route_answers_403_to_a_key_without_its_role_and_lets_its_role_through()
    {
        foreach (var route in Routes())
        {
            foreach (var role in Roles.All)
            {
                var status = await CallAsync(route, host.ApiKey(role));
                if (route.Roles.Contains(role))
                    Assert.True(status is not (HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden), $"{route.Method} {route.Path} refused its own role {role}: {status}");
                else
                    Assert.True(status == HttpStatusCode.Forbidden, $"{route.Method} {route.Path} with role {role}: {status}");
            }
        }
    }
}
