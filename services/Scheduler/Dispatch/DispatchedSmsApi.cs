using System.Buffers;
using System.Text.Json;
using Dapper;
using Reminders.Contracts;
using Reminders.Platform.Auth;
using Reminders.Platform.Data;

namespace Reminders.Scheduler.Dispatch;

/// <summary>
/// Every SMS the Scheduler sent to Messaging, for Messaging's consistency audit: the planned rows it dispatched and the
/// managers' one-off messages. Streamed as JSON lines, one SMS per line, so a national roll-out's rows never sit in memory.
/// </summary>
public static class DispatchedSmsApi
{
    public const string Path = "/api/scheduler/dispatched";
    public const string ContentType = "application/x-ndjson";

    public static IEndpointRouteBuilder MapDispatchedSmsApi(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/api/scheduler").WithTags("Scheduler")
            .MapGet("/dispatched", (HttpContext http, [FromKeyedServices(SchedulerService.Name)] ServiceDatabase database) =>
                TypedResults.Stream(body => WriteAsync(body, database, http.RequestAborted), ContentType))
            .RequireAnyRole(Roles.Researcher, Roles.Manager)
            .Produces(StatusCodes.Status200OK, contentType: ContentType)
            .WithSummary("Every SMS the Scheduler sent to Messaging (planned rows dispatched, one-off messages) as JSON lines (application/x-ndjson): " +
                         "smsId, officerId, purpose, kind, dispatchedAt, lastRedispatchedAt. No text, no phone.");
        return app;
    }

    static async Task WriteAsync(Stream body, ServiceDatabase database, CancellationToken ct)
    {
        const string sql = """
            SELECT sms_id AS SmsId, officer_id AS OfficerId, purpose AS Purpose, kind AS Kind, dispatched_at AS DispatchedAt, last_redispatched_at AS LastRedispatchedAt
            FROM planned_sms WHERE status = 'dispatched'
            UNION ALL
            SELECT sms_id, officer_id, 'manual', 'manual', requested_at, NULL FROM manual_messages
            """;
        await using var connection = await database.OpenAsync(ct);
        // Lines are gathered in a buffer and written asynchronously (the server refuses synchronous writes), 64 KB at a time.
        var buffer = new ArrayBufferWriter<byte>(80_000);
        await using var json = new Utf8JsonWriter(buffer);
        await foreach (var row in connection.QueryUnbufferedAsync<DispatchedSms>(sql).WithCancellation(ct))
        {
            JsonSerializer.Serialize(json, row, JsonSerializerOptions.Web);
            json.Reset();
            buffer.Write("\n"u8);
            if (buffer.WrittenCount < 64_000) continue;
            await body.WriteAsync(buffer.WrittenMemory, ct);
            buffer.ResetWrittenCount();
        }
        await body.WriteAsync(buffer.WrittenMemory, ct);
    }
}
