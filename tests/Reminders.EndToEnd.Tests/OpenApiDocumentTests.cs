using System.Text.Json;
using System.Text.Json.Nodes;
using Reminders.Testing;

namespace Reminders.EndToEnd.Tests;

/// <summary>
/// The local host's OpenAPI document (every service's routes and the simulator's) describes how to call each operation:
/// the API-key and bearer schemes on every protected one and explicitly none on the anonymous ones, the CSV bodies, a
/// summary everywhere and a server URL without a trailing slash. It is also written to TestResults/openapi/ for
/// deploy/test.sh to lint with redocly.
/// </summary>
public sealed class OpenApiDocumentTests(LocalHostFixture host) : IClassFixture<LocalHostFixture>
{
    static readonly string[] Methods = ["get", "put", "post", "delete", "patch", "head", "options"];

    async Task<JsonObject> DocumentAsync()
    {
        using var http = new HttpClient();
        var text = await http.GetStringAsync(host.Url + "/openapi/v1.json");
        return JsonNode.Parse(text)!.AsObject();
    }

    IEnumerable<(string Path, string Method, JsonObject Operation)> Operations(JsonObject document) =>
        document["paths"]!.AsObject().SelectMany(path => path.Value!.AsObject()
            .Where(op => Methods.Contains(op.Key))
            .Select(op => (path.Key, op.Key, op.Value!.AsObject())));

    static bool IsAnonymous(string path) =>
        path.StartsWith("/api/messaging/webhooks/", StringComparison.Ordinal)
        || path.StartsWith("/2010-04-01/", StringComparison.Ordinal) || path.StartsWith("/health/", StringComparison.Ordinal)
        || path.StartsWith("/api/scheduler/feeds/", StringComparison.Ordinal);   // the token in the link is the credential

    [Fact]
    public async Task The_document_is_written_where_the_test_command_lints_it()
    {
        var document = await DocumentAsync();
        var folder = Path.Combine(TestEnvironment.RepositoryRoot, "TestResults", "openapi");
        Directory.CreateDirectory(folder);
        await File.WriteAllTextAsync(Path.Combine(folder, "local.json"), document.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        Assert.NotEmpty(Operations(document));
    }

    [Fact]
    public async Task The_api_key_and_bearer_schemes_are_declared()
    {
        var schemes = (await DocumentAsync())["components"]?["securitySchemes"]?.AsObject();
        Assert.NotNull(schemes);
        Assert.Equal("apiKey", schemes["ApiKey"]?["type"]?.GetValue<string>());
        Assert.Equal("header", schemes["ApiKey"]?["in"]?.GetValue<string>());
        Assert.Equal("X-Api-Key", schemes["ApiKey"]?["name"]?.GetValue<string>());
        Assert.Equal("http", schemes["Bearer"]?["type"]?.GetValue<string>());
        Assert.Equal("bearer", schemes["Bearer"]?["scheme"]?.GetValue<string>());
        Assert.Equal("JWT", schemes["Bearer"]?["bearerFormat"]?.GetValue<string>());
    }

    [Fact]
    public async Task Every_protected_operation_takes_either_scheme_and_every_anonymous_one_says_none()
    {
        var operations = Operations(await DocumentAsync()).ToList();
        Assert.Contains(operations, o => IsAnonymous(o.Path));
        foreach (var (path, method, operation) in operations)
        {
            var security = operation["security"]?.AsArray();
            Assert.True(security is not null, $"{method.ToUpperInvariant()} {path} has no security");
            var schemes = security.Select(requirement => string.Join("+", requirement!.AsObject().Select(p => p.Key))).ToList();
            if (IsAnonymous(path)) Assert.True(schemes.Count == 0, $"{method.ToUpperInvariant()} {path} is anonymous but declares {string.Join(", ", schemes)}");
            else
            {
                Assert.True(schemes.Order().SequenceEqual(["ApiKey", "Bearer"]), $"{method.ToUpperInvariant()} {path}: {string.Join(", ", schemes)}");
                Assert.True(operation["responses"]?["401"] is not null && operation["responses"]?["403"] is not null,
                    $"{method.ToUpperInvariant()} {path} does not describe 401 and 403");
            }
        }
    }

    [Fact]
    public async Task Every_operation_has_a_summary()
    {
        var missing = Operations(await DocumentAsync())
            .Where(o => string.IsNullOrWhiteSpace(o.Operation["summary"]?.GetValue<string>()))
            .Select(o => $"{o.Method.ToUpperInvariant()} {o.Path}").ToList();
        Assert.True(missing.Count == 0, "no summary: " + string.Join(", ", missing));
    }

    [Fact]
    public async Task Every_operation_has_a_unique_url_safe_operation_id()
    {
        var ids = Operations(await DocumentAsync()).Select(o => o.Operation["operationId"]?.GetValue<string>() ?? $"(none: {o.Method} {o.Path})").ToList();
        Assert.All(ids, id => Assert.Matches("^[A-Za-z0-9]+$", id));
        Assert.Equal(ids.Count, ids.Distinct().Count());
    }

    [Fact]
    public async Task The_server_url_has_no_trailing_slash()
    {
        var servers = (await DocumentAsync())["servers"]?.AsArray() ?? [];
        Assert.All(servers, server => Assert.False(server!["url"]!.GetValue<string>().EndsWith('/'), server["url"]!.GetValue<string>()));
    }

    [Theory]
    [InlineData("/api/enrollment/sectors", true)]
    [InlineData("/api/enrollment/roster", false)]
    [InlineData("/api/attendance/sessions/{sessionId}/roll-call", false)]
    public async Task Csv_uploads_describe_a_text_csv_body(string path, bool alsoJson)
    {
        var body = (await DocumentAsync())["paths"]?[path]?["post"]?["requestBody"]?.AsObject();
        Assert.True(body is not null, $"POST {path} has no request body");
        Assert.True(body["required"]?.GetValue<bool>());
        Assert.Equal("string", body["content"]?["text/csv"]?["schema"]?["type"]?.GetValue<string>());
        Assert.False(string.IsNullOrWhiteSpace(body["description"]?.GetValue<string>()));
        Assert.Equal(alsoJson, body["content"]?["application/json"] is not null);
    }
}
