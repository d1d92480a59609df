using Dapper;
using Reminders.Contracts;
using Reminders.Platform.Auth;
using Reminders.Platform.Data;
using Reminders.Platform.Hosting;

namespace Reminders.Attendance.Dosage;

/// <summary>
/// Every SMS row of the dosage ledger, pseudonymous (no phone, no body), for Messaging's consistency audit and for
/// researchers who want the SMS behind the counts. Streamed as JSON lines, one row per line, so 600,000 rows never sit
/// in memory. Its summary counts what the ledger has folded, to compare with Messaging's own summary.
/// </summary>
public static class LedgerSmsApi
{
    /// <param name="Accepted">SMS the provider accepted.</param>
    /// <param name="ByStatus">SMS by their latest provider status (accepted ones, and those that failed before acceptance).</param>
    /// <param name="Refused">SMS Messaging refused to send (control arm, opted out, missed window…).</param>
    /// <param name="AcknowledgedReminders">Reminders with an acknowledgment folded.</param>
    public sealed record LedgerSmsSummary(long Accepted, IReadOnlyList<StatusCount> ByStatus, long Refused, long AcknowledgedReminders);

    public sealed record StatusCount
    {
        public string Status { get; init; } = "";
        public long Count { get; init; }
    }

    public static IEndpointRouteBuilder MapLedgerSmsApi(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/api/attendance").WithTags("Attendance")
            .MapGet("/dosage/sms", (HttpContext http, AttendanceDatabase database) =>
                JsonLines.Stream<LedgerSms>(database, Sql, http.RequestAborted))
            .RequireAnyRole(Roles.Researcher, Roles.Manager)
            .Produces(StatusCodes.Status200OK, contentType: JsonLines.ContentType)
            .WithSummary("Every SMS in the dosage ledger as JSON lines (application/x-ndjson), ordered by sms id: smsId, officerId, purpose, " +
                         "accepted, providerSid, status, errorCode, refusalReason, acceptedAt, deliveredAt. Pseudonymous only.");
        app.MapGroup("/api/attendance").WithTags("Attendance")
            .MapGet("/dosage/sms/summary", Summary)
            .RequireAnyRole(Roles.Researcher, Roles.Manager)
            .WithSummary("What the ledger has folded from Messaging: SMS accepted, SMS by provider status, SMS refused, reminders acknowledged.");
        return app;
    }

    static async Task<LedgerSmsSummary> Summary(AttendanceDatabase database, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        // One round trip: the demo polls this while it waits for the ledger to catch up.
        await using var results = await connection.QueryMultipleAsync(new CommandDefinition("""
            SELECT status, COUNT(*) AS Count FROM sms_ledger WHERE status IS NOT NULL GROUP BY status ORDER BY status;
            SELECT (SELECT COUNT(*) FROM sms_ledger WHERE accepted = @accepted) AS Accepted,
                   (SELECT COUNT(*) FROM sms_ledger WHERE refusal_reason IS NOT NULL) AS Refused,
                   (SELECT COUNT(*) FROM reminder_ledger WHERE acknowledged_at IS NOT NULL) AS AcknowledgedReminders
            """, new { accepted = true }, cancellationToken: ct));
        var byStatus = (await results.ReadAsync<StatusCount>()).AsList();
        var totals = await results.ReadSingleAsync<LedgerTotals>();
        return new LedgerSmsSummary(totals.Accepted, byStatus, totals.Refused, totals.AcknowledgedReminders);
    }

    sealed record LedgerTotals
    {
        public long Accepted { get; init; }
        public long Refused { get; init; }
        public long AcknowledgedReminders { get; init; }
    }

    const string Sql = """
        SELECT sms_id, officer_id, purpose, accepted, provider_sid,
               status, error_code, refusal_reason, accepted_at, delivered_at
        FROM sms_ledger ORDER BY sms_id
        """;
}
