using MassTransit;
using Reminders.Contracts;
using Reminders.Platform.Data;

namespace Reminders.Attendance.Dosage;

/// <summary>The officer acknowledged a reminder: the earliest reply is the one kept, whatever order they arrive in.</summary>
public sealed class ReminderAcknowledgedConsumer(AttendanceDatabase database) : IConsumer<ReminderAcknowledged>
{
    public async Task Consume(ConsumeContext<ReminderAcknowledged> context)
    {
        var m = context.Message;
        await database.ConsumeOnceAsync(context, nameof(ReminderAcknowledgedConsumer), async (work, ct) =>
        {
            await work.ExecuteAsync("""
                INSERT INTO reminder_ledger (sms_id, officer_id, acknowledged_at, acknowledgment_reply) VALUES (@SmsId, @OfficerId, @ReceivedAt, @Reply)
                ON CONFLICT (sms_id) DO UPDATE SET acknowledged_at = excluded.acknowledged_at, acknowledgment_reply = excluded.acknowledgment_reply
                WHERE reminder_ledger.acknowledged_at IS NULL OR excluded.acknowledged_at < reminder_ledger.acknowledged_at
                """, new { m.SmsId, m.OfficerId, m.ReceivedAt, m.Reply }, ct);
        });
    }
}
