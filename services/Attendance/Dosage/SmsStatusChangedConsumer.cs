using MassTransit;
using Reminders.Contracts;
using Reminders.Platform;
using Reminders.Platform.Data;

namespace Reminders.Attendance.Dosage;

/// <summary>
/// A status callback proves the provider took the SMS, even when it is folded before SmsAccepted (whose time, when it
/// comes, replaces the callback's as the acceptance time). Repeated and late callbacks are kept in the history only.
/// </summary>
public sealed class SmsStatusChangedConsumer(AttendanceDatabase database) : IConsumer<SmsStatusChanged>
{
    public Task Consume(ConsumeContext<SmsStatusChanged> context) =>
        SmsLedger.FoldOnceAsync(database, context, nameof(SmsStatusChangedConsumer), Fold(context.Message));

    internal static SmsLedgerFold Fold(SmsStatusChanged m) =>
        new(m.SmsId, m.OfficerId, m.Purpose,
            new SmsHistoryEntry("status", m.Status, m.ErrorCode, null, m.OccurredAt), """
            UPDATE sms_ledger SET accepted = @accepted, accepted_at = COALESCE(accepted_at, @OccurredAt),
                status = CASE WHEN status_rank < @rank THEN @Status ELSE status END,
                error_code = CASE WHEN status_rank < @rank THEN COALESCE(@ErrorCode, error_code) ELSE error_code END,
                delivered_at = CASE WHEN status_rank < @rank AND @Status = 'delivered' THEN @OccurredAt ELSE delivered_at END,
                updated_at = CASE WHEN status_rank < @rank THEN @OccurredAt ELSE updated_at END,
                status_rank = CASE WHEN status_rank < @rank THEN @rank ELSE status_rank END
            WHERE sms_id = @SmsId
            """, new { m.SmsId, m.Status, m.ErrorCode, m.OccurredAt, rank = SmsStatuses.Rank(m.Status), accepted = true });
}
