using System.Buffers;
using System.Text.Json;
using Dapper;
using Reminders.Contracts;
using Reminders.Platform.Auth;
using Reminders.Platform.Data;

namespace Reminders.Attendance.Dosage;

/// <summary>
/// Every SMS row of the dosage ledger, pseudonymous (no phone, no body), for Messaging's consistency audit and for
/// researchers who want the SMS behind the counts. Streamed as JSON lines, one row per line, so 600,000 rows never sit
/// in memory.
/// </summary>
public static class LedgerSmsApi
{
    public const string ContentType = "application/x-ndjson";

    public static IEndpointRouteBuilder MapLedgerSmsApi(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/api/attendance").WithTags("Attendance")
            .MapGet("/dosage/sms", (HttpContext http, [FromKeyedServices(AttendanceService.Name)] ServiceDatabase database) =>
                TypedResults.Stream(body => WriteAsync(body, database, http.RequestAborted), ContentType))
            .RequireAnyRole(Roles.Researcher, Roles.Manager)
            .Produces(StatusCodes.Status200OK, contentType: ContentType)
            .WithSummary("Every SMS in the dosage ledger as JSON lines (application/x-ndjson), ordered by sms id: smsId, officerId, purpose, " +
                         "accepted, providerSid, status, errorCode, refusalReason, acceptedAt, deliveredAt. Pseudonymous only.");
        return app;
    }

    static async Task WriteAsync(Stream body, ServiceDatabase database, CancellationToken ct)
    {
        const string sql = """
            SELECT sms_id AS SmsId, officer_id AS OfficerId, purpose AS Purpose, accepted AS Accepted, provider_sid AS ProviderSid,
                   status AS Status, error_code AS ErrorCode, refusal_reason AS RefusalReason, accepted_at AS AcceptedAt, delivered_at AS DeliveredAt
            FROM sms_ledger ORDER BY sms_id
            """;
        await using var connection = await database.OpenAsync(ct);
        // Lines are gathered in a buffer and written asynchronously (the server refuses synchronous writes), 64 KB at a time.
        var buffer = new ArrayBufferWriter<byte>(80_000);
        await using var json = new Utf8JsonWriter(buffer);
        await foreach (var row in connection.QueryUnbufferedAsync<LedgerSms>(sql).WithCancellation(ct))
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
