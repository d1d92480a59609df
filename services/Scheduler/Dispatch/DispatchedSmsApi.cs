using Reminders.Contracts;
using Reminders.Platform.Auth;
using Reminders.Platform.Data;
using Reminders.Platform.Hosting;

namespace Reminders.Scheduler.Dispatch;

/// <summary>
/// Every SMS the Scheduler sent to Messaging, for Messaging's consistency audit: the planned rows it dispatched and the
/// managers' one-off messages. Streamed as JSON lines, one SMS per line, so a national roll-out's rows never sit in memory.
/// </summary>
public static class DispatchedSmsApi
{
    public const string Path = "/api/scheduler/dispatched";

    public static IEndpointRouteBuilder MapDispatchedSmsApi(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/api/scheduler").WithTags("Scheduler")
            .MapGet("/dispatched", (HttpContext http, SchedulerDatabase database) =>
                JsonLines.Stream<DispatchedSms>(database, Sql, http.RequestAborted))
            .RequireAnyRole(Roles.Researcher, Roles.Manager)
            .Produces(StatusCodes.Status200OK, contentType: JsonLines.ContentType)
            .WithSummary("Every SMS the Scheduler sent to Messaging (planned rows dispatched, one-off messages) as JSON lines (application/x-ndjson): " +
                         "smsId, officerId, purpose, kind, dispatchedAt, lastRedispatchedAt. No text, no phone.");
        return app;
    }

    const string Sql = """
        SELECT sms_id, officer_id, purpose, kind, dispatched_at, last_redispatched_at
        FROM planned_sms WHERE status = 'dispatched'
        UNION ALL
        SELECT sms_id, officer_id, 'manual', 'manual', requested_at, NULL FROM manual_messages
        """;
}
