using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Reminders.Local;
using Reminders.Platform.Auth;
using Reminders.Platform.Hosting;
using Reminders.Protocol;

namespace Reminders.EndToEnd.Tests;

/// <summary>A one-process host whose body limits are configured small (Api:MaxRequestBodyBytes, Api:MaxUploadBodyBytes), so limits are cheap to cross.</summary>
public sealed class SmallBodyLimitHostFixture : IAsyncLifetime
{
    public const int JsonLimit = 64 * 1024;
    public const int UploadLimit = 256 * 1024;

    public WebApplication App { get; private set; } = null!;
    readonly string dataFolder = Path.Combine(Path.GetTempPath(), "reminders-e2e-limits-" + Guid.NewGuid().ToString("N"));

    public async Task InitializeAsync()
    {
        var settings = StudyClockOptions.InsideSendingHours(ProtocolLoader.LoadDefault(), DateTimeOffset.UtcNow, TimeSpan.FromHours(2));
        settings["Urls"] = "http://127.0.0.1:0";
        settings["Database:SqliteFolder"] = dataFolder;
        settings["Logging:LogLevel:Default"] = "Warning";
        settings["Api:MaxRequestBodyBytes"] = JsonLimit.ToString();
        settings["Api:MaxUploadBodyBytes"] = UploadLimit.ToString();
        App = LocalHost.Build([], settings);
        await App.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
        SqliteConnection.ClearAllPools();
        try { Directory.Delete(dataFolder, recursive: true); } catch (IOException) { }
    }
}

/// <summary>
/// Oversized bodies are refused by the configured limit with 413 ProblemDetails naming the body, on a route of every
/// service, whether the length is declared or the body is chunked; never a 500, never written.
/// </summary>
public sealed class AbuseBodyLimitTests(SmallBodyLimitHostFixture limited, LocalHostFixture defaults)
    : IClassFixture<SmallBodyLimitHostFixture>, IClassFixture<LocalHostFixture>
{
    sealed record BodyRoute(string Service, string Path, string Role, string ContentType, int Limit);

    static readonly BodyRoute[] Routes =
    [
        new("enrollment", "/api/enrollment/randomizations", Roles.Manager, "application/json", SmallBodyLimitHostFixture.JsonLimit),
        new("enrollment", "/api/enrollment/sectors?mode=apply", Roles.Manager, "application/json", SmallBodyLimitHostFixture.JsonLimit),
        new("enrollment", "/api/enrollment/roster?mode=apply", Roles.Manager, "text/csv", SmallBodyLimitHostFixture.UploadLimit),
        new("scheduler", "/api/scheduler/venues", Roles.Manager, "application/json", SmallBodyLimitHostFixture.JsonLimit),
        new("scheduler", "/api/scheduler/plans", Roles.Manager, "application/json", SmallBodyLimitHostFixture.JsonLimit),
        new("attendance", $"/api/attendance/sessions/{Guid.NewGuid()}/events", Roles.Trainer, "application/json", SmallBodyLimitHostFixture.JsonLimit),
        new("attendance", $"/api/attendance/sessions/{Guid.NewGuid()}/roll-call", Roles.Trainer, "text/csv", SmallBodyLimitHostFixture.UploadLimit),
        new("messaging", "/api/messaging/webhooks/twilio/inbound", Roles.Manager, "application/x-www-form-urlencoded", SmallBodyLimitHostFixture.JsonLimit),
    ];

    public static TheoryData<int> RouteIndexes => new(Enumerable.Range(0, Routes.Length));

    /// <summary>A body of <paramref name="bytes"/> that is well formed for its content type (a JSON string field, CSV rows, a form value).</summary>
    static byte[] Body(string contentType, int bytes) => contentType switch
    {
        "application/json" => Encoding.UTF8.GetBytes("{\"name\":\"" + new string('a', Math.Max(0, bytes - 11)) + "\"}"),
        "text/csv" => Encoding.UTF8.GetBytes("badge,name,role,sector,phone,consent\n" + new string('x', Math.Max(0, bytes - 37))),
        _ => Encoding.UTF8.GetBytes("Body=" + new string('a', Math.Max(0, bytes - 5))),
    };

    static async Task<HttpResponseMessage> PostAsync(WebApplication app, BodyRoute route, byte[] body, bool chunked)
    {
        using var http = new HttpClient();
        var request = new HttpRequestMessage(HttpMethod.Post, app.Url() + route.Path)
        {
            Content = chunked ? new StreamContent(new UnknownLengthStream(body)) : new ByteArrayContent(body),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue(route.ContentType);
        if (chunked) request.Headers.TransferEncodingChunked = true;
        request.Headers.Add("X-Api-Key", app.ApiKey(route.Role));
        request.Headers.Add("X-Twilio-Signature", "not-checked-before-the-limit");
        var response = await http.SendAsync(request);
        await response.Content.LoadIntoBufferAsync();
        return response;
    }

    [Theory]
    [MemberData(nameof(RouteIndexes))]
    public async Task A_body_over_the_configured_limit_is_413_problem_details_whether_declared_or_chunked(int index)
    {
        var route = Routes[index];
        foreach (var chunked in new[] { false, true })
        {
            using var response = await PostAsync(limited.App, route, Body(route.ContentType, route.Limit + 1024), chunked);
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.RequestEntityTooLarge, $"{route.Path} (chunked: {chunked}): {(int)response.StatusCode} {text}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.True(JsonDocument.Parse(text).RootElement.TryGetProperty("field", out var field) && field.GetString() == "body", $"{route.Path} (chunked: {chunked}): {text}");
        }
    }

    [Theory]
    [MemberData(nameof(RouteIndexes))]
    public async Task A_body_just_under_the_limit_is_not_refused_for_its_size(int index)
    {
        var route = Routes[index];
        using var response = await PostAsync(limited.App, route, Body(route.ContentType, route.Limit - 1024), chunked: true);
        Assert.True((int)response.StatusCode is not (413 or >= 500), $"{route.Path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    [Fact]
    public async Task Nothing_of_a_refused_oversized_upload_is_written()
    {
        var roster = Routes.Single(r => r.Path.StartsWith("/api/enrollment/roster", StringComparison.Ordinal));
        var csv = new StringBuilder("badge,name,role,sector,phone,consent\n");
        for (var i = 0; csv.Length <= roster.Limit; i++) csv.Append($"B-{i:D6},Nombre {i},officer,S01,55{i % 100_000_000:D8},yes\n");
        using var response = await PostAsync(limited.App, roster, Encoding.UTF8.GetBytes(csv.ToString()), chunked: true);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        using var http = new HttpClient();
        http.DefaultRequestHeaders.Add("X-Api-Key", limited.App.ApiKey(Roles.Manager));
        using var officers = await http.GetAsync(limited.App.Url() + "/api/enrollment/officers");
        Assert.Equal("0", officers.Headers.GetValues("X-Total-Count").Single());
    }

    [Fact]
    public async Task By_default_json_bodies_may_be_a_few_megabytes_and_uploads_larger()
    {
        var limits = defaults.App.Services.GetRequiredService<IOptions<RequestBodyLimits>>().Value;
        Assert.InRange(limits.MaxRequestBodyBytes, 1024 * 1024, 10 * 1024 * 1024);
        Assert.True(limits.MaxUploadBodyBytes > limits.MaxRequestBodyBytes);

        var route = new BodyRoute("scheduler", "/api/scheduler/venues", Roles.Manager, "application/json", (int)limits.MaxRequestBodyBytes);
        using var response = await PostAsync(defaults.App, route, Body(route.ContentType, route.Limit + 1024), chunked: true);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    /// <summary>A stream without a length, so HttpClient sends it chunked and the server learns its size only by reading.</summary>
    sealed class UnknownLengthStream(byte[] body) : MemoryStream(body)
    {
        public override bool CanSeek => false;
    }
}
