using Reminders.Contracts;
using Reminders.Platform.Auth;
using Reminders.Platform.Data;
using Reminders.Platform.Hosting;

namespace Reminders.Attendance.Dosage;

/// <summary>
/// Every SMS row of the dosage ledger, pseudonymous (no phone, no body), for Messaging's consistency audit and for
/// researchers who want the SMS behind the counts. Streamed as JSON lines, one row per line, so 600,000 rows never sit
/// in memory.
/// </summary>
public static class LedgerSmsApi
{

    public static IEndpointRouteBuilder MapLedgerSmsApi(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/api/attendance").WithTags("Attendance")
            .MapGet("/dosage/sms", (HttpContext http, AttendanceDatabase database) =>
                JsonLines.Stream<LedgerSms>(database, Sql, http.RequestAborted))
            .RequireAnyRole(Roles.Researcher, Roles.Manager)
            .Produces(StatusCodes.Status200OK, contentType: JsonLines.ContentType)
            .WithSummary("Every SMS in the dosage ledger as JSON lines (application/x-ndjson), ordered by sms id: smsId, officerId, purpose, " +
                         "accepted, providerSid, status, errorCode, refusalReason, acceptedAt, deliveredAt. Pseudonymous only.");
        return app;
    }

    const string Sql = """
        SELECT sms_id, officer_id, purpose, accepted, provider_sid,
               status, error_code, refusal_reason, accepted_at, delivered_at
        FROM sms_ledger ORDER BY sms_id
        """;
}
