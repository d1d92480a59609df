using System.Net;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.DependencyInjection;
using Reminders.Platform.Auth;

namespace Reminders.EndToEnd.Tests;

/// <summary>
/// Every route of the four services, read from the host's own route table (so a new route cannot escape):
/// no key → 401, a key without the route's role → 403, a key with it → neither.
/// </summary>
public sealed class ApiKeyRouteTests(LocalHostFixture host) : IClassFixture<LocalHostFixture>
{
    static readonly string[] ServicePrefixes = ["/api/enrollment", "/api/scheduler", "/api/messaging", "/api/attendance"];

    sealed record ProtectedRoute(string Method, string Path, IReadOnlySet<string> Roles);

    IReadOnlyList<ProtectedRoute> Routes() => Table().Protected;

    (IReadOnlyList<ProtectedRoute> Protected, IReadOnlyList<ProtectedRoute> Anonymous) Table()
    {
        var routes = new List<ProtectedRoute>();
        var anonymous = new List<ProtectedRoute>();
        var policies = host.App.Services.GetRequiredService<ParameterPolicyFactory>();
        foreach (var endpoint in host.App.Services.GetServices<EndpointDataSource>().SelectMany(s => s.Endpoints).OfType<RouteEndpoint>())
        {
            var pattern = "/" + endpoint.RoutePattern.RawText!.TrimStart('/');
            if (!ServicePrefixes.Any(p => pattern.StartsWith(p + "/", StringComparison.Ordinal))) continue;
            var method = endpoint.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.HttpMethodMetadata>()?.HttpMethods.Single() ?? "GET";
            // The calendar feed is anonymous by design: the secret, revocable token in its URL is the credential (CalendarFeedTests).
            if (pattern == "/api/scheduler/feeds/{token}.ics") continue;
            if (endpoint.Metadata.GetMetadata<IAllowAnonymous>() is not null)
            {
                // Only the provider's webhooks are anonymous: they are checked by signature instead.
                Assert.StartsWith("/api/messaging/webhooks/", pattern);
                anonymous.Add(new ProtectedRoute(method, Concrete(endpoint.RoutePattern, policies), new HashSet<string>()));
                continue;
            }
            var roles = endpoint.Metadata.GetOrderedMetadata<IAuthorizeData>().Select(a => a.Policy).OfType<string>()
                .Concat(endpoint.Metadata.GetOrderedMetadata<AuthorizationPolicy>()
                    .SelectMany(p => p.Requirements.OfType<Microsoft.AspNetCore.Authorization.Infrastructure.RolesAuthorizationRequirement>())
                    .SelectMany(r => r.AllowedRoles))
                .ToHashSet();
            Assert.True(roles.Count > 0, $"{method} {pattern} has no role requirement");
            routes.Add(new ProtectedRoute(method, Concrete(endpoint.RoutePattern, policies), roles));
        }
        return (routes, anonymous);
    }

    /// <summary>Candidate values for a route parameter; the first one every constraint of the parameter accepts is used.</summary>
    static readonly string[] Candidates = ["x", "1", Guid.NewGuid().ToString(), "true", "2025-01-31", "1.5", "abc123"];

    /// <summary>
    /// A path that the route itself matches: each parameter gets a value its own constraints accept ({id:guid}, {version:int},
    /// {n:min(1)}, ...), checked with the host's constraint instances, so a constrained route answers 401/403 rather than 404.
    /// </summary>
    static string Concrete(RoutePattern pattern, ParameterPolicyFactory policies) =>
        "/" + string.Join("/", pattern.PathSegments.Select(segment => string.Concat(segment.Parts.Select(part => part switch
        {
            RoutePatternLiteralPart literal => literal.Content,
            RoutePatternSeparatorPart separator => separator.Content,
            RoutePatternParameterPart parameter => ValueFor(parameter, policies),
            _ => throw new InvalidOperationException($"Unexpected route part {part} in {pattern.RawText}"),
        }))));

    static string ValueFor(RoutePatternParameterPart parameter, ParameterPolicyFactory policies)
    {
        var constraints = parameter.ParameterPolicies.Select(p => policies.Create(parameter, p)).OfType<IRouteConstraint>().ToList();
        foreach (var candidate in Candidates)
        {
            var values = new RouteValueDictionary { [parameter.Name] = candidate };
            if (constraints.All(c => c.Match(null, null, parameter.Name, values, RouteDirection.IncomingRequest))) return candidate;
        }
        throw new InvalidOperationException($"No test value satisfies the constraints of route parameter {{{parameter.Name}}}: add one to {nameof(Candidates)}.");
    }

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
                // The sessions list is per trainer: a trainer key bound to no trainer is refused there (SessionsApiTests).
                if (role == Roles.Trainer && route.Path.StartsWith("/api/scheduler/sessions", StringComparison.Ordinal))
                    Assert.Equal(HttpStatusCode.Forbidden, status);
                else if (route.Roles.Contains(role))
                    Assert.True(status is not (HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden), $"{route.Method} {route.Path} refused its own role {role}: {status}");
                else
                    Assert.True(status == HttpStatusCode.Forbidden, $"{route.Method} {route.Path} with role {role}: {status}");
            }
        }
    }

    [Fact]
    public async Task Every_403_is_problem_details_naming_the_roles_the_route_needs_and_the_ones_the_key_has()
    {
        var checkedRoutes = 0;
        foreach (var route in Routes())
        foreach (var role in Roles.All.Where(r => !route.Roles.Contains(r)))
        {
            using var http = new HttpClient();
            using var request = new HttpRequestMessage(new HttpMethod(route.Method), host.Url + route.Path);
            request.Headers.Add("X-Api-Key", host.ApiKey(role));
            using var response = await http.SendAsync(request);
            var where = $"{route.Method} {route.Path} with role {role}";
            Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"{where}: {response.StatusCode}");
            Assert.True(response.Content.Headers.ContentType?.MediaType == "application/problem+json", where);
            var problem = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
            Assert.True(problem.TryGetProperty("requiredRoles", out var required), $"{where}: no requiredRoles");
            Assert.Equal(route.Roles.Order(), required.EnumerateArray().Select(r => r.GetString()!).Order());
            var detail = problem.GetProperty("detail").GetString()!;
            Assert.All(route.Roles, r => Assert.Contains(r, detail));
            Assert.Contains(role, detail);
            checkedRoutes++;
        }
        Assert.True(checkedRoutes > 20, $"only {checkedRoutes} refusals checked");
    }

    [Fact]
    public async Task A_401_is_problem_details_saying_how_to_authenticate()
    {
        using var http = new HttpClient();
        using var response = await http.GetAsync(host.Url + "/api/enrollment/sectors");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var problem = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Contains("X-Api-Key", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Every_anonymous_route_is_a_webhook_that_refuses_an_unsigned_or_forged_call_with_403()
    {
        var anonymous = Table().Anonymous;
        Assert.Equal(2, anonymous.Count);
        foreach (var route in anonymous)
        {
            foreach (var signature in new string?[] { null, "", "forged", Convert.ToBase64String(new byte[20]) })
            {
                using var http = new HttpClient();
                using var request = new HttpRequestMessage(new HttpMethod(route.Method), host.Url + route.Path)
                {
                    Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["MessageSid"] = "SM" + Guid.NewGuid().ToString("N"), ["MessageStatus"] = "delivered", ["Body"] = "OK" }),
                };
                if (signature is not null) request.Headers.Add("X-Twilio-Signature", signature);
                using var response = await http.SendAsync(request);
                Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"{route.Method} {route.Path} with signature '{signature}': {response.StatusCode}");
                Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            }
        }
    }
}
