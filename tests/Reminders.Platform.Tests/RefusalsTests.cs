using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.DependencyInjection;
using Reminders.Platform.Hosting;

namespace Reminders.Platform.Tests;

/// <summary>The bodies every API's refusals answer: status, title, detail and the field to fix, as each route wrote them by hand before.</summary>
public sealed class RefusalsTests
{
    // Written through the ProblemDetails service, as the hosts write them.
    static readonly IServiceProvider Services = new ServiceCollection().AddLogging().AddProblemDetails().BuildServiceProvider();

    static async Task<string> BodyAsync(IResult result)
    {
        var http = new DefaultHttpContext { RequestServices = Services, TraceIdentifier = "trace" };
        http.Response.Body = new MemoryStream();
        await result.ExecuteAsync(http);
        return Encoding.UTF8.GetString(((MemoryStream)http.Response.Body).ToArray());
    }

    static ProblemHttpResult ByHand(int status, string title, string detail, Dictionary<string, object?>? extensions) =>
        TypedResults.Problem(title: title, detail: detail, statusCode: status, extensions: extensions);

    [Theory]
    [InlineData(400, "Invalid request", "seed")]
    [InlineData(403, "Another trainer's session", "sessionId")]
    [InlineData(404, "Unknown snapshot", "snapshot")]
    [InlineData(409, "Not for a person", "id")]
    public async Task A_refusal_says_its_status_title_detail_and_field(int status, string title, string field)
    {
        var refusal = status switch
        {
            400 => Refusals.Invalid(field, "Why."),
            403 => Refusals.Forbidden(field, title, "Why."),
            404 => Refusals.NotFound(field, title, "Why."),
            _ => Refusals.Conflict(field, title, "Why."),
        };

        var body = await BodyAsync(refusal);
        using var json = JsonDocument.Parse(body);
        Assert.Equal(status, refusal.StatusCode);
        Assert.Equal(status, json.RootElement.GetProperty("status").GetInt32());
        Assert.Equal(title, json.RootElement.GetProperty("title").GetString());
        Assert.Equal("Why.", json.RootElement.GetProperty("detail").GetString());
        Assert.Equal(field, json.RootElement.GetProperty("field").GetString());
        Assert.Equal(await BodyAsync(ByHand(status, title, "Why.", new() { ["field"] = field })), body);
    }

    [Fact]
    public async Task A_refusal_without_a_field_has_no_field_member()
    {
        var body = await BodyAsync(Refusals.Conflict(null, "Already voided", "This randomization is already voided."));

        using var json = JsonDocument.Parse(body);
        Assert.False(json.RootElement.TryGetProperty("field", out _));
        Assert.Equal(await BodyAsync(ByHand(409, "Already voided", "This randomization is already voided.", null)), body);
    }

    [Fact]
    public async Task More_extensions_come_after_the_field()
    {
        var seedCommitmentId = Guid.NewGuid();
        var refusal = Refusals.Refuse(409, "seed", "Not the registered seed", "Another seed.",
            new Dictionary<string, object?> { ["seedCommitmentId"] = seedCommitmentId });

        var body = await BodyAsync(refusal);
        Assert.Equal(await BodyAsync(ByHand(409, "Not the registered seed", "Another seed.",
            new() { ["field"] = "seed", ["seedCommitmentId"] = seedCommitmentId })), body);
        Assert.True(body.IndexOf("\"field\"", StringComparison.Ordinal) < body.IndexOf("\"seedCommitmentId\"", StringComparison.Ordinal));
    }
}
