using MassTransit;
using Reminders.Contracts;
using Reminders.Platform.Data;

namespace Reminders.Attendance.Dosage;

/// <summary>
/// A planned reminder that will not be sent (skipped, or cancelled by a plan change); it may arrive before the plan, or
/// after a later restore, so it sets the row's state only when it is the latest fact about it.
/// </summary>
public sealed class ReminderSkippedConsumer(AttendanceDatabase database) : IConsumer<ReminderSkipped>
{
    public async Task Consume(ConsumeContext<ReminderSkipped> context)
    {
        var m = context.Message;
        await database.ConsumeOnceAsync(context, nameof(ReminderSkippedConsumer), async (work, ct) =>
        {
            await work.ExecuteAsync($$"""
                INSERT INTO reminder_ledger (sms_id, officer_id, number, skip_reason, skipped_at, plan_state_at)
                VALUES (@SmsId, @OfficerId, @Number, @Reason, @SkippedAt, @SkippedAt)
                ON CONFLICT (sms_id) DO UPDATE SET number = COALESCE(reminder_ledger.number, excluded.number),
                    skip_reason = CASE WHEN {{Newer}} THEN excluded.skip_reason ELSE reminder_ledger.skip_reason END,
                    skipped_at = CASE WHEN {{Newer}} THEN excluded.skipped_at ELSE reminder_ledger.skipped_at END,
                    plan_state_at = CASE WHEN {{Newer}} THEN excluded.plan_state_at ELSE reminder_ledger.plan_state_at END
                """, new { m.SmsId, m.OfficerId, m.Number, m.Reason, m.SkippedAt }, ct);
        });
    }

    /// <summary>At or after the row's latest plan state: a skip wins a tie with the plan it skips.</summary>
    internal const string Newer = "(reminder_ledger.plan_state_at IS NULL OR reminder_ledger.plan_state_at <= excluded.plan_state_at)";
}
