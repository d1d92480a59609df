using System.Collections;
using System.Net;
using System.Net.Http.Headers;
using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Reminders.Platform.Auth;
using Reminders.Testing;
using Xunit.Abstractions;

namespace Reminders.EndToEnd.Tests;

/// <summary>
/// Generated malformed JSON bodies, from a recorded seed, for every POST route that takes JSON (read from the host's
/// route table, so a new route cannot escape): wrong types, missing and extra fields, nulls, huge numbers, huge strings,
/// 10,000-level nesting, invalid UTF-8, empty bodies, wrong content types. Every case: never a 5xx; a refusal is
/// ProblemDetails naming the problem; a refused request changes nothing. Replay one case with
/// <c>FUZZ_SEED=n FUZZ_CASE=i dotnet test --filter FuzzJsonBody</c>.
/// </summary>
public sealed class FuzzJsonBodyTests(SeededLocalHostFixture seeded, ITestOutputHelper output) : IClassFixture<SeededLocalHostFixture>
{
    const int CasesPerRoute = 100;
    readonly LocalHostFixture host = seeded.Host;

    sealed record JsonRoute(string Pattern, Type BodyType, string Role);

    IReadOnlyList<JsonRoute> JsonRoutes()
    {
        var routes = new List<JsonRoute>();
        foreach (var endpoint in host.App.Services.GetServices<EndpointDataSource>().SelectMany(s => s.Endpoints).OfType<RouteEndpoint>())
        {
            if (endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods.Contains("POST") != true) continue;
            var pattern = "/" + endpoint.RoutePattern.RawText!.TrimStart('/');
            if (!pattern.StartsWith("/api/", StringComparison.Ordinal)) continue;
            var accepts = endpoint.Metadata.GetMetadata<IAcceptsMetadata>();
            if (accepts?.RequestType is not { } bodyType || !accepts.ContentTypes.Any(c => c.Contains("json", StringComparison.Ordinal))) continue;
            var role = endpoint.Metadata.GetOrderedMetadata<IAuthorizeData>().Select(a => a.Policy).OfType<string>()
                .Concat(endpoint.Metadata.GetOrderedMetadata<AuthorizationPolicy>()
                    .SelectMany(p => p.Requirements.OfType<Microsoft.AspNetCore.Authorization.Infrastructure.RolesAuthorizationRequirement>())
                    .SelectMany(r => r.AllowedRoles))
                .First();
            routes.Add(new JsonRoute(pattern, bodyType, role));
        }
        return routes;
    }

    [Fact]
    public void The_route_table_has_json_routes_in_every_service()
    {
        var routes = JsonRoutes();
        foreach (var prefix in new[] { "/api/enrollment/", "/api/scheduler/", "/api/attendance/" })
            Assert.Contains(routes, r => r.Pattern.StartsWith(prefix, StringComparison.Ordinal));
        output.WriteLine(string.Join("\n", routes.Select(r => $"{r.Pattern} ({r.BodyType.Name}, {r.Role})")));
    }

    [Fact]
    public async Task Malformed_json_bodies_never_give_a_server_error_and_a_refusal_names_the_problem_and_changes_nothing()
    {
        var seed = FuzzSeed.Resolve(output.WriteLine);
        var routes = JsonRoutes();
        var statuses = new Dictionary<int, int>();
        var officerId = seeded.Flow.Delivered[0].OfficerId;
        foreach (var i in FuzzSeed.Cases(routes.Count * CasesPerRoute))
        {
            var route = routes[i % routes.Count];
            var random = FuzzSeed.ForCase(seed, i);
            var body = MalformedJson.Generate(random, route.BodyType, host.Now(), officerId, out var contentType, out var description);
            var path = Concrete(route.Pattern, random, officerId);
            var where = $"FUZZ_SEED={seed} FUZZ_CASE={i} POST {path} ({description})";

            var before = await SnapshotAsync();
            using var http = new HttpClient();
            using var request = new HttpRequestMessage(HttpMethod.Post, host.Url + path) { Content = new ByteArrayContent(body) };
            if (contentType is not null) request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
            request.Headers.Add("X-Api-Key", host.ApiKey(route.Role));
            using var response = await http.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            var status = (int)response.StatusCode;
            statuses[status] = statuses.GetValueOrDefault(status) + 1;

            Assert.True(status < 500, $"{where}: {status} {Shorten(text)}");
            if (status < 400) continue;
            Assert.True(status is 400 or 404 or 409 or 413 or 415 or 422, $"{where}: unexpected {status} {Shorten(text)}");
            Assert.True(response.Content.Headers.ContentType?.MediaType == "application/problem+json", $"{where}: {status} is not ProblemDetails: {Shorten(text)}");
            var problem = JsonDocument.Parse(text).RootElement;
            // 404 and 415 are named by their title ("Not Found", "Unsupported Media Type"); every other refusal says which field or why.
            if (status is not (404 or 415))
                Assert.True(problem.TryGetProperty("field", out _) || problem.TryGetProperty("errors", out _)
                    || (problem.TryGetProperty("detail", out var detail) && detail.GetString() is { Length: > 0 }), $"{where}: {status} names no field nor detail: {Shorten(text)}");
            Assert.True(before == await SnapshotAsync(), $"{where}: refused with {status} but something was written");
        }
        output.WriteLine($"{routes.Count} routes × {CasesPerRoute} bodies: " + string.Join(", ", statuses.OrderBy(p => p.Key).Select(p => $"{p.Key}×{p.Value}")));
    }

    /// <summary>Route parameters: the seeded officer for an officer id, otherwise a fresh guid (or an int for an int route).</summary>
    static string Concrete(string pattern, Random random, Guid officerId) =>
        System.Text.RegularExpressions.Regex.Replace(pattern, @"\{([^}:]+)(:[^}]+)?\}", m =>
            m.Groups[2].Value.Contains("int") ? random.Next(1, 5).ToString()
            : m.Groups[1].Value == "officerId" && random.Next(2) == 0 ? officerId.ToString() : Guid.NewGuid().ToString());

    /// <summary>Row counts of the tables HTTP handlers write (not those the bus's consumers fill in the background).</summary>
    async Task<string> SnapshotAsync()
    {
        var enrollment = await host.QueryAsync<string>("enrollment", """
            SELECT (SELECT COUNT(*) FROM sectors) || ' ' || (SELECT COUNT(*) FROM officers) || ' ' || (SELECT COUNT(*) FROM randomizations) || ' ' ||
                   (SELECT COUNT(*) FROM officer_status_history) || ' ' || (SELECT COUNT(*) FROM officer_transfers)
            """);
        var scheduler = await host.QueryAsync<string>("scheduler", """
            SELECT (SELECT COUNT(*) FROM venues) || ' ' || (SELECT COUNT(*) FROM trainers) || ' ' || (SELECT COUNT(*) FROM cohorts) || ' ' ||
                   (SELECT COUNT(*) FROM sessions) || ' ' || (SELECT COUNT(*) FROM cohort_members) || ' ' || (SELECT COUNT(*) FROM plan_changes) || ' ' ||
                   (SELECT COUNT(*) FROM manual_messages)
            """);
        var attendance = await host.QueryAsync<string>("attendance", """
            SELECT (SELECT COUNT(*) FROM attendance_events) || ' ' || (SELECT COUNT(*) FROM cohort_closures) || ' ' || (SELECT COUNT(*) FROM dosage_snapshots)
            """);
        return $"enrollment {enrollment[0]}; scheduler {scheduler[0]}; attendance {attendance[0]}";
    }

    static string Shorten(string text) => text.Length <= 400 ? text : text[..400] + "…";
}

/// <summary>JSON bodies shaped like a route's request type, then broken the ways clients and attackers break them.</summary>
static class MalformedJson
{
    static readonly string[] RawTokens =
    [
        "1e400", "-1e400", "123456789012345678901234567890", "-0", "0.0000000000000000000000001", "9223372036854775808", "-2147483649",
        "NaN", "Infinity", "0x10", "01", "1.", ".5", "+1", "true", "false", "null", "[]", "{}", "\"\"", "\"texto\"", "[1,2,3]", "{\"a\":1}",
        "\"2026-13-45\"", "\"25:61\"", "\"00000000-0000-0000-0000-000000000000\"", "\"not-a-guid\"", "\"\\u0000\"", "\"\\ud800\"", "\"'; DROP TABLE officers; --\"",
        "\"=cmd|' /C calc'!A0\"", "\"\\u202Eevil\"", "\"@SUM(A1)\"",
    ];

    /// <summary>The body bytes; <paramref name="contentType"/> null sends none.</summary>
    public static byte[] Generate(Random random, Type type, DateTimeOffset now, Guid officerId, out string? contentType, out string description)
    {
        contentType = "application/json";
        switch (random.Next(16))
        {
            case 0:
                description = "empty body";
                return [];
            case 1:
                var depth = random.Next(2) == 0 ? 10_000 : random.Next(65, 2_000);
                description = $"nested {depth} levels";
                return Encoding.UTF8.GetBytes(random.Next(2) == 0
                    ? new string('[', depth) + new string(']', depth)
                    : string.Concat(Enumerable.Repeat("{\"a\":", depth)) + "1" + new string('}', depth));
            case 2:
                contentType = new[] { null, "text/plain", "application/xml", "text/csv", "multipart/form-data; boundary=x", "application/x-www-form-urlencoded", "application/json; charset=utf-16" }[random.Next(7)];
                description = $"content type {contentType ?? "(none)"}";
                return Encoding.UTF8.GetBytes(Sample(type, now, officerId, 0)!.ToJsonString());
            case 3:
                description = "invalid utf-8";
                var valid = Encoding.UTF8.GetBytes(Sample(type, now, officerId, 0)!.ToJsonString());
                var at = valid.Length > 2 ? random.Next(1, valid.Length - 1) : 0;
                return [.. valid[..at], 0xC3, 0x28, 0xFF, 0xFE, .. valid[at..]];
            case 4:
                var top = new[] { "[]", "\"x\"", "1", "null", "true", "[{}]", "{}", "   ", "\uFEFF{}", "{} {}", "{,}", "{\"a\":1,}", "// c\n{}", "{'a':1}" }[random.Next(14)];
                description = $"top level {top.Replace("\n", "\\n")}";
                return Encoding.UTF8.GetBytes(top);
            case 5:
                var text = Sample(type, now, officerId, 0)!.ToJsonString();
                description = "truncated";
                return Encoding.UTF8.GetBytes(text[..random.Next(text.Length)]);
            default:
                var node = Sample(type, now, officerId, 0)!;
                var raws = new List<string>();
                var steps = new List<string>();
                for (var m = random.Next(1, 4); m > 0; m--) Mutate(random, node, raws, steps);
                description = string.Join(", ", steps);
                var json = node.ToJsonString();
                for (var r = 0; r < raws.Count; r++) json = json.Replace($"\"__RAW{r}__\"", raws[r]);
                return Encoding.UTF8.GetBytes(json);
        }
    }

    static void Mutate(Random random, JsonNode node, List<string> raws, List<string> steps)
    {
        // A random object inside the body (the body itself, or an element or field that is an object).
        var objects = new List<JsonObject>();
        Collect(node, objects);
        if (objects.Count == 0)
        {
            steps.Add("body replaced by an object");
            return;
        }
        var target = objects[random.Next(objects.Count)];
        var names = target.Select(p => p.Key).ToList();
        var name = names.Count > 0 ? names[random.Next(names.Count)] : "extra";
        switch (random.Next(7))
        {
            case 0:
                target.Remove(name);
                steps.Add($"{name} missing");
                break;
            case 1:
                target[name] = null;
                steps.Add($"{name} null");
                break;
            case 2:
                var raw = RawTokens[random.Next(RawTokens.Length)];
                target[name] = $"__RAW{raws.Count}__";
                raws.Add(raw);
                steps.Add($"{name} = {raw}");
                break;
            case 3:
                var length = random.Next(10) == 0 ? 3_000_000 : random.Next(1_000, 200_000);
                target[name] = new string('x', length);
                steps.Add($"{name} huge string ({length})");
                break;
            case 4:
                target[$"extra{random.Next(100)}"] = random.Next(2) == 0 ? "extra" : new JsonObject { ["nested"] = new JsonArray(1, 2) };
                steps.Add("extra field");
                break;
            case 5:
                target[name] = random.Next(2) == 0 ? new JsonArray(target[name]?.DeepClone()) : new JsonObject { ["value"] = target[name]?.DeepClone() };
                steps.Add($"{name} wrapped");
                break;
            default:
                target[name] = random.Next(2) == 0 ? long.MaxValue : -1;
                steps.Add($"{name} out of range");
                break;
        }
    }

    static void Collect(JsonNode? node, List<JsonObject> objects)
    {
        if (node is JsonObject obj)
        {
            objects.Add(obj);
            foreach (var (_, value) in obj) Collect(value, objects);
        }
        else if (node is JsonArray array)
            foreach (var item in array) Collect(item, objects);
    }

    /// <summary>A plausible value of <paramref name="type"/>, as the API's JSON options (camelCase, snake_case enums) would write it.</summary>
    static JsonNode? Sample(Type type, DateTimeOffset now, Guid officerId, int depth, string? name = null)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type == typeof(string)) return name?.Contains("reason", StringComparison.OrdinalIgnoreCase) == true ? "Prueba de carga" : "Ejemplo";
        if (type == typeof(Guid)) return name?.Equals("officerId", StringComparison.OrdinalIgnoreCase) == true ? officerId : Guid.NewGuid();
        if (type == typeof(bool)) return true;
        if (type == typeof(int) || type == typeof(long) || type == typeof(short)) return 1;
        if (type == typeof(double) || type == typeof(decimal) || type == typeof(float)) return 0.5;
        if (type == typeof(DateTimeOffset) || type == typeof(DateTime)) return now.AddDays(1).ToString("O");
        if (type == typeof(DateOnly)) return DateOnly.FromDateTime(now.AddDays(7).UtcDateTime).ToString("yyyy-MM-dd");
        if (type == typeof(TimeOnly)) return "09:00";
        if (type == typeof(TimeSpan)) return "01:00:00";
        if (type.IsEnum) return JsonNamingPolicy.SnakeCaseLower.ConvertName(Enum.GetNames(type)[0]);
        if (depth > 4) return null;
        var dictionary = type.GetInterfaces().Append(type).FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IDictionary<,>));
        if (dictionary is not null) return new JsonObject { ["zona"] = Sample(dictionary.GetGenericArguments()[1], now, officerId, depth + 1) };
        if (type != typeof(string) && typeof(IEnumerable).IsAssignableFrom(type))
        {
            var element = type.IsArray ? type.GetElementType()! : type.GetGenericArguments().FirstOrDefault() ?? typeof(string);
            return new JsonArray(Sample(element, now, officerId, depth + 1));
        }
        var result = new JsonObject();
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite || p.GetSetMethod(true) is not null || IsPositional(type, p)))
            result[JsonNamingPolicy.CamelCase.ConvertName(property.Name)] = Sample(property.PropertyType, now, officerId, depth + 1, property.Name);
        return result;
    }

    static bool IsPositional(Type type, PropertyInfo property) =>
        type.GetConstructors().Any(c => c.GetParameters().Any(p => string.Equals(p.Name, property.Name, StringComparison.OrdinalIgnoreCase)));
}
