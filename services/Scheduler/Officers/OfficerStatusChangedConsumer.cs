using MassTransit;
using Reminders.Contracts;
using Reminders.Platform.Data;
using Reminders.Platform.Replica;
using Reminders.Protocol;
using Reminders.Scheduler.Dispatch;
using Reminders.Scheduler.Reminders;

namespace Reminders.Scheduler.Officers;

/// <summary>
/// An officer's study status changed. Out of SMS (opted out, wrong number) or out of the study: their pending SMS close
/// at once with the reason. Back to active (ALTA, START, a manager, a corrected number): every reminder skipped for
/// that reason and still inside its window is owed again (<see cref="ReminderRestorer"/>).
/// </summary>
public sealed class OfficerStatusChangedConsumer(
    SchedulerDatabase database, StudyProtocol protocol, TimeProvider clock) : IConsumer<OfficerStatusChanged>
{
    /// <summary>What an officer back to active no longer owes a skip to: SMS statuses, never leaving the study.</summary>
    static readonly IReadOnlySet<string> LiftedByActive = new HashSet<string> { SmsSkipReasons.OptedOut, SmsSkipReasons.WrongNumber, SmsSkipReasons.Inactive };

    public async Task Consume(ConsumeContext<OfficerStatusChanged> context)
    {
        var message = context.Message;
        await database.ConsumeOnceAsync(context, nameof(OfficerStatusChangedConsumer), async (work, ct) =>
        {
            // Two quick changes may arrive in either order: the later change wins.
            var applied = await OfficerReplica.ChangeStatusAsync(work, message, ct);
            if (applied && DueSmsDispatcher.StatusSkipReason(message.Status) is { } reason)
                await work.ClosePendingForOfficerAsync(message.OfficerId, PlannedSmsStatuses.Skipped, reason, message.ChangedAt, ct);
            else if (applied && message.Status == OfficerStatuses.Active)
                await ReminderRestorer.RestoreAsync(work, [message.OfficerId], LiftedByActive, protocol, clock.GetUtcNow(), ct);
        });
    }
}
