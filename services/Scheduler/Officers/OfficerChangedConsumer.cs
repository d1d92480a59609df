using MassTransit;
using Reminders.Contracts;
using Reminders.Platform.Data;
using Reminders.Platform.Replica;
using Reminders.Scheduler.Training;

namespace Reminders.Scheduler.Officers;

/// <summary>The replica's role change (Platform's), then a placed officer moves to a cohort of the new role.</summary>
public sealed class OfficerChangedConsumer(SchedulerDatabase database, RoleChanges roleChanges)
    : IConsumer<OfficerChanged>
{
    public async Task Consume(ConsumeContext<OfficerChanged> context)
    {
        var message = context.Message;
        await database.ConsumeOnceAsync(context, nameof(OfficerChangedConsumer), async (work, ct) =>
        {
            await OfficerReplica.ChangeRoleAsync(work, message, ct);
            await roleChanges.PlaceAfterRoleChangeAsync(work, message.OfficerId, ct);
        });
    }
}
