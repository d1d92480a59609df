using Dapper;
using MassTransit;
using Reminders.Platform.Data;

namespace Reminders.Attendance.Dosage;

/// <summary>One SMS event as the support view lists it: what happened, the status it reported, when.</summary>
sealed record SmsHistoryEntry(string Event, string? Status, int? ErrorCode, string? Detail, DateTimeOffset OccurredAt);

/// <summary>
/// Folds Messaging's SMS events into the ledger. They may arrive in any order (a status before the
/// acceptance, "sent" after "delivered"): each event only adds what it knows, and the status only moves forward.
/// Every event is also kept as it came, in <c>sms_status_history</c>.
/// </summary>
static class SmsLedger
{
    const string EnsureRow = """
        INSERT INTO sms_ledger (sms_id, officer_id, purpose, updated_at) VALUES (@e_sms_id, @e_officer_id, @e_purpose, @e_now)
        ON CONFLICT (sms_id) DO NOTHING
        """;

    const string AppendHistory = """
        INSERT INTO sms_status_history (sms_id, event, status, error_code, detail, occurred_at)
        VALUES (@e_sms_id, @h_event, @h_status, @h_error_code, @h_detail, @h_occurred_at)
        """;

    public static Task FoldAsync(AttendanceDatabase database, ConsumeContext context, string consumer, Guid smsId, Guid officerId, string purpose,
        SmsHistoryEntry history, string sql, object param) =>
        database.ConsumeOnceAsync(context, consumer, async (work, ct) =>
        {
            // The row, the event's fold and its history entry in one round trip (every SMS brings three events here); the
            // ensure and history parameters are prefixed so they never collide with the fold's own.
            var parameters = new DynamicParameters(param);
            parameters.AddDynamicParams(new
            {
                e_sms_id = smsId, e_officer_id = officerId, e_purpose = purpose, e_now = DateTimeOffset.UtcNow,
                h_event = history.Event, h_status = history.Status, h_error_code = history.ErrorCode, h_detail = history.Detail, h_occurred_at = history.OccurredAt,
            });
            await work.ExecuteAsync($"{EnsureRow};\n{sql};\n{AppendHistory};", parameters, ct);
        });
}
