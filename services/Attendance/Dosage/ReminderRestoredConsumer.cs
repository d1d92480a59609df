using MassTransit;
using Reminders.Contracts;
using Reminders.Platform.Data;

namespace Reminders.Attendance.Dosage;

/// <summary>
/// A skipped reminder planned again: the row is pending once more (its receipts then count as for any other), unless a
/// later fact about it (a new skip) was folded first; it may also arrive before the plan.
/// </summary>
public sealed class ReminderRestoredConsumer(AttendanceDatabase database) : IConsumer<ReminderRestored>
{
    public async Task Consume(ConsumeContext<ReminderRestored> context)
    {
        var m = context.Message;
        await database.ConsumeOnceAsync(context, nameof(ReminderRestoredConsumer), async (work, ct) =>
        {
            await work.ExecuteAsync($$"""
                INSERT INTO reminder_ledger (sms_id, officer_id, number, due_at, plan_state_at) VALUES (@SmsId, @OfficerId, @Number, @DueAt, @RestoredAt)
                ON CONFLICT (sms_id) DO UPDATE SET number = COALESCE(reminder_ledger.number, excluded.number), due_at = COALESCE(reminder_ledger.due_at, excluded.due_at),
                    skip_reason = CASE WHEN {{ReminderSkippedConsumer.Newer}} THEN NULL ELSE reminder_ledger.skip_reason END,
                    skipped_at = CASE WHEN {{ReminderSkippedConsumer.Newer}} THEN NULL ELSE reminder_ledger.skipped_at END,
                    plan_state_at = CASE WHEN {{ReminderSkippedConsumer.Newer}} THEN excluded.plan_state_at ELSE reminder_ledger.plan_state_at END
                """, new { m.SmsId, m.OfficerId, m.Number, m.DueAt, m.RestoredAt }, ct);
        });
    }
}
