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
    public const string EnsureRow = """
        INSERT INTO sms_ledger (sms_id, officer_id, purpose, updated_at) VALUES (@SmsId, @OfficerId, @Purpose, @now)
        ON CONFLICT (sms_id) DO NOTHING
        """;

    const string AppendHistory = """
        INSERT INTO sms_status_history (sms_id, event, status, error_code, detail, occurred_at)
        VALUES (@SmsId, @Event, @Status, @ErrorCode, @Detail, @OccurredAt)
        """;

    public static async Task FoldAsync(ServiceDatabase database, ConsumeContext context, string consumer, Guid smsId, Guid officerId, string purpose,
        SmsHistoryEntry history, string sql, object param)
    {
        var ct = context.CancellationToken;
        await using var work = await database.BeginAsync(ct);
        if (!await work.TryRecordInboxAsync(context.MessageId!.Value, consumer, ct)) return;
        await work.ExecuteAsync(EnsureRow, new { SmsId = smsId, OfficerId = officerId, Purpose = purpose, now = DateTimeOffset.UtcNow }, ct);
        await work.ExecuteAsync(sql, param, ct);
        await work.ExecuteAsync(AppendHistory, new { SmsId = smsId, history.Event, history.Status, history.ErrorCode, history.Detail, history.OccurredAt }, ct);
        await work.CommitAsync(ct);
    }
}
