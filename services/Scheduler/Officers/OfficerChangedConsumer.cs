using MassTransit;
using Reminders.Contracts;
using Reminders.Platform.Data;
using Reminders.Platform.Replica;
using Reminders.Scheduler.Training;

namespace Reminders.Scheduler.Officers;

/// <summary>The replica's role change (Platform's), then a placed officer moves to a cohort of the new role.</summary>
public sealed class OfficerChangedConsumer([FromKeyedServices(SchedulerService.Name)] ServiceDatabase database, RoleChanges roleChanges)
    : IConsumer<OfficerChanged>
{
    public async Task Consume(ConsumeContext<OfficerChanged> context)
    {
        var (message, ct) = (context.Message, context.CancellationToken);
        await using var work = await database.BeginAsync(ct);
        if (!await work.TryRecordInboxAsync(context.MessageId!.Value, nameof(OfficerChangedConsumer), ct)) return;
        await OfficerReplica.ChangeRoleAsync(work, message, ct);
        await roleChanges.PlaceAfterRoleChangeAsync(work, message.OfficerId, ct);
        await work.CommitAsync(ct);
    }
}
