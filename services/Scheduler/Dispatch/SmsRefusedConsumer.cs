using MassTransit;
using Reminders.Contracts;
using Reminders.Platform.Data;

namespace Reminders.Scheduler.Dispatch;

/// <summary>
/// A dispatched SMS that Messaging held for quiet hours until its late window closed is skipped as missed_window, as the
/// dispatcher would have skipped it. Only that refusal closes the row: the others (opted out, arm) are the officer's
/// state, which the Scheduler learns from Enrollment and which a restore must not mistake for a reminder it may plan again.
/// </summary>
public sealed class SmsRefusedConsumer(SchedulerDatabase database) : IConsumer<SmsRefused>
{
    public async Task Consume(ConsumeContext<SmsRefused> context)
    {
        var m = context.Message;
        if (m.Reason != SmsSkipReasons.MissedWindow) return;
        await database.ConsumeOnceAsync(context, nameof(SmsRefusedConsumer), async (work, ct) =>
        {
            await work.ExecuteAsync("""
                UPDATE planned_sms SET status = 'skipped', reason = @Reason, closed_at = @RefusedAt WHERE sms_id = @SmsId AND status = 'dispatched'
                """, new { m.SmsId, m.Reason, m.RefusedAt }, ct);
        });
    }
}
