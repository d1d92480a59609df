using MassTransit;
using Reminders.Contracts;
using Reminders.Platform;
using Reminders.Platform.Data;

namespace Reminders.Attendance.Dosage;

/// <summary>A status callback proves the provider took the SMS, even when it is folded before SmsAccepted.</summary>
public sealed class SmsStatusChangedConsumer([FromKeyedServices(AttendanceService.Name)] ServiceDatabase database) : IConsumer<SmsStatusChanged>
{
    public Task Consume(ConsumeContext<SmsStatusChanged> context)
    {
        var m = context.Message;
        return SmsLedger.FoldAsync(database, context, nameof(SmsStatusChangedConsumer), m.SmsId, m.OfficerId, m.Purpose, """
            UPDATE sms_ledger SET status = @Status, status_rank = @rank, error_code = COALESCE(@ErrorCode, error_code), updated_at = @OccurredAt,
                accepted = @accepted,
                delivered_at = CASE WHEN @Status = 'delivered' THEN @OccurredAt ELSE delivered_at END
            WHERE sms_id = @SmsId AND status_rank < @rank
            """, new { m.SmsId, m.Status, m.ErrorCode, m.OccurredAt, rank = SmsStatuses.Rank(m.Status), accepted = true });
    }
}
