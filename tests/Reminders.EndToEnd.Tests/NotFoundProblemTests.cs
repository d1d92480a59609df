using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Infrastructure;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.DependencyInjection;
using Reminders.Platform.Auth;

namespace Reminders.EndToEnd.Tests;

/// <summary>
/// A 404 says what was not found: every GET route of the four services whose parameters are ids, called with an id
/// nobody has, answers ProblemDetails naming the kind of thing and the id; a path that is no route says so.
/// </summary>
public sealed class NotFoundProblemTests(LocalHostFixture host) : IClassFixture<LocalHostFixture>
{
    static readonly string[] ServicePrefixes = ["/api/enrollment/", "/api/scheduler/", "/api/messaging/", "/api/attendance/"];

    sealed record IdRoute(string Pattern, IReadOnlyList<string> Parameters, string Role);

    IReadOnlyList<IdRoute> GetRoutesTakingIds()
    {
        var routes = new List<IdRoute>();
        foreach (var endpoint in host.App.Services.GetServices<EndpointDataSource>().SelectMany(s => s.Endpoints).OfType<RouteEndpoint>())
        {
            var pattern = "/" + endpoint.RoutePattern.RawText!.TrimStart('/');
            if (!ServicePrefixes.Any(p => pattern.StartsWith(p, StringComparison.Ordinal))) continue;
            if (endpoint.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods.Single() != "GET") continue;
            var parameters = endpoint.RoutePattern.Parameters;
            if (parameters.Count == 0 || !parameters.All(p => p.ParameterPolicies.Any(policy => policy.Content == "guid"))) continue;
            var roles = endpoint.Metadata.GetOrderedMetadata<IAuthorizeData>().Select(a => a.Policy).OfType<string>()
                .Concat(endpoint.Metadata.GetOrderedMetadata<AuthorizationPolicy>().SelectMany(p => p.Requirements.OfType<RolesAuthorizationRequirement>()).SelectMany(r => r.AllowedRoles))
                .ToList();
            routes.Add(new IdRoute(pattern, parameters.Select(p => p.Name).ToList(), roles.Contains(Roles.Manager) ? Roles.Manager : roles.First()));
        }
        return routes;
    }

    [Fact]
    public async Task Every_id_route_names_the_kind_and_the_id_it_did_not_find()
    {
        var notFound = new List<string>();
        foreach (var route in GetRoutesTakingIds())
        {
            var id = Guid.NewGuid();
            var path = route.Parameters.Aggregate(route.Pattern, (p, name) => System.Text.RegularExpressions.Regex.Replace(p, $@"\{{{name}(:[^}}]*)?\}}", id.ToString()));
            using var http = new HttpClient();
            http.DefaultRequestHeaders.Add("X-Api-Key", host.ApiKey(route.Role));
            using var response = await http.GetAsync(host.Url + path);
            if (response.StatusCode != HttpStatusCode.NotFound) continue;
            notFound.Add(route.Pattern);
            Assert.True(response.Content.Headers.ContentType?.MediaType == "application/problem+json", $"GET {route.Pattern}");
            var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
            var detail = problem.TryGetProperty("detail", out var d) ? d.GetString() ?? "" : "";
            Assert.True(detail.Contains(id.ToString(), StringComparison.OrdinalIgnoreCase), $"GET {route.Pattern}: the detail does not name the id: '{detail}'");
            Assert.True(problem.GetProperty("title").GetString() != "Not Found", $"GET {route.Pattern}: the generic title");
            Assert.DoesNotContain("dry run", detail);
        }
        Assert.True(notFound.Count >= 10, $"only {notFound.Count} id routes answered 404: {string.Join(", ", notFound)}");
    }

    [Theory]
    [InlineData("/api/scheduler/cohorts/{0}", "cohort")]
    [InlineData("/api/scheduler/venues/{0}/plan.csv", "venue")]
    [InlineData("/api/messaging/sms/{0}", "SMS")]
    [InlineData("/api/attendance/sessions/{0}", "session")]
    [InlineData("/api/enrollment/officers/{0}", "officer")]
    public async Task The_detail_names_the_kind_of_thing(string route, string kind)
    {
        var id = Guid.NewGuid();
        using var http = new HttpClient();
        http.DefaultRequestHeaders.Add("X-Api-Key", host.ApiKey(Roles.Manager));
        using var response = await http.GetAsync(host.Url + string.Format(route, id));
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var detail = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("detail").GetString();
        Assert.Contains($"{kind} {id}", detail);
    }

    [Fact]
    public async Task A_path_that_is_no_route_says_so()
    {
        using var http = new HttpClient();
        http.DefaultRequestHeaders.Add("X-Api-Key", host.ApiKey(Roles.Manager));
        using var response = await http.GetAsync(host.Url + "/api/scheduler/cohortz");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var detail = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("detail").GetString();
        Assert.Contains("GET /api/scheduler/cohortz", detail);
        Assert.Contains("/openapi/v1.json", detail);
    }
}
