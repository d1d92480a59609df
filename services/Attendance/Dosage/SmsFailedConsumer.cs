using MassTransit;
using Reminders.Contracts;
using Reminders.Platform;
using Reminders.Platform.Data;

namespace Reminders.Attendance.Dosage;

public sealed class SmsFailedConsumer(AttendanceDatabase database) : IConsumer<SmsFailed>
{
    public Task Consume(ConsumeContext<SmsFailed> context) =>
        SmsLedger.FoldOnceAsync(database, context, nameof(SmsFailedConsumer), Fold(context.Message));

    internal static SmsLedgerFold Fold(SmsFailed m) =>
        new(m.SmsId, m.OfficerId, m.Purpose,
            new SmsHistoryEntry("failed", "failed", m.ErrorCode, m.Reason, m.FailedAt), """
            UPDATE sms_ledger SET status = 'failed', status_rank = @rank, error_code = @ErrorCode, updated_at = @FailedAt
            WHERE sms_id = @SmsId AND status_rank < @rank
            """, new { m.SmsId, m.ErrorCode, m.FailedAt, rank = SmsStatuses.Rank("failed") });
}
