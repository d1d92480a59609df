using MassTransit;
using Reminders.Contracts;
using Reminders.Platform.Data;

namespace Reminders.Scheduler.Training;

/// <summary>
/// An OK to a logistics SMS confirms the officer in its cohort when the SMS invited them (an invitation, a change notice
/// or a day-before reminder); an OK to a cancellation confirms nothing. The first OK per cohort is kept.
/// </summary>
public sealed class LogisticsSmsAcknowledgedConsumer(SchedulerDatabase database) : IConsumer<LogisticsSmsAcknowledged>
{
    public async Task Consume(ConsumeContext<LogisticsSmsAcknowledged> context)
    {
        var message = context.Message;
        await database.ConsumeOnceAsync(context, nameof(LogisticsSmsAcknowledgedConsumer), async (work, ct) =>
        {
            await work.ExecuteAsync("""
                INSERT INTO cohort_confirmations (cohort_id, officer_id, sms_id, kind, reply, confirmed_at)
                SELECT cohort_id, officer_id, sms_id, kind, @Reply, @ReceivedAt FROM planned_sms
                WHERE sms_id = @SmsId AND officer_id = @OfficerId AND cohort_id IS NOT NULL AND kind IN @kinds
                ON CONFLICT (cohort_id, officer_id) DO NOTHING
                """, new { message.SmsId, message.OfficerId, message.Reply, message.ReceivedAt, kinds = ConfirmingKinds }, ct);
        });
    }

    static readonly string[] ConfirmingKinds = [Dispatch.PlannedSmsKinds.Invitation, Dispatch.PlannedSmsKinds.ChangeNotice, Dispatch.PlannedSmsKinds.DayBefore];
}
