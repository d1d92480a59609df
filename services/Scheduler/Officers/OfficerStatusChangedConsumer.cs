using MassTransit;
using Reminders.Contracts;
using Reminders.Platform.Data;
using Reminders.Scheduler.Dispatch;

namespace Reminders.Scheduler.Officers;

public sealed class OfficerStatusChangedConsumer([FromKeyedServices(SchedulerService.Name)] ServiceDatabase database) : IConsumer<OfficerStatusChanged>
{
    public async Task Consume(ConsumeContext<OfficerStatusChanged> context)
    {
        var (message, ct) = (context.Message, context.CancellationToken);
        await using var work = await database.BeginAsync(ct);
        if (!await work.TryRecordInboxAsync(context.MessageId!.Value, nameof(OfficerStatusChangedConsumer), ct)) return;
        // Two quick changes may arrive in either order: the later change wins.
        var applied = await work.ExecuteAsync("""
            INSERT INTO officer_statuses (officer_id, status, changed_at) VALUES (@OfficerId, @Status, @ChangedAt)
            ON CONFLICT (officer_id) DO UPDATE SET status = excluded.status, changed_at = excluded.changed_at
            WHERE officer_statuses.changed_at <= excluded.changed_at
            """, message, ct);
        // Nothing more is sent to an officer who opted out or left: their pending SMS close at once, with the reason.
        if (applied > 0 && DueSmsDispatcher.StatusSkipReason(message.Status) is { } reason)
            await work.ClosePendingForOfficerAsync(message.OfficerId, PlannedSmsStatuses.Skipped, reason, message.ChangedAt, ct);
        await work.CommitAsync(ct);
    }
}
