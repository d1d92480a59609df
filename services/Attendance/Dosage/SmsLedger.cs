using MassTransit;
using Reminders.Contracts;
using Reminders.Platform;
using Reminders.Platform.Data;

namespace Reminders.Attendance.Dosage;

/// <summary>
/// Folds Messaging's SMS events into the ledger. They may arrive in any order (a status before the
/// acceptance, "sent" after "delivered"): each event only adds what it knows, and the status only moves forward.
/// </summary>
static class SmsLedger
{
    public const string EnsureRow = """
        INSERT INTO sms_ledger (sms_id, officer_id, purpose, updated_at) VALUES (@SmsId, @OfficerId, @Purpose, @now)
        ON CONFLICT (sms_id) DO NOTHING
        """;

    public static async Task FoldAsync(ServiceDatabase database, ConsumeContext context, string consumer, Guid smsId, Guid officerId, string purpose,
        string sql, object param)
    {
        var ct = context.CancellationToken;
        await using var work = await database.BeginAsync(ct);
        if (!await work.TryRecordInboxAsync(context.MessageId!.Value, consumer, ct)) return;
        await work.ExecuteAsync(EnsureRow, new { SmsId = smsId, OfficerId = officerId, Purpose = purpose, now = DateTimeOffset.UtcNow }, ct);
        await work.ExecuteAsync(sql, param, ct);
        await work.CommitAsync(ct);
    }
}
