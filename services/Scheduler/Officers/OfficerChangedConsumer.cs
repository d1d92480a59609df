using MassTransit;
using Reminders.Contracts;
using Reminders.Platform.Data;
using Reminders.Scheduler.Training;

namespace Reminders.Scheduler.Officers;

public sealed class OfficerChangedConsumer([FromKeyedServices(SchedulerService.Name)] ServiceDatabase database, RoleChanges roleChanges)
    : IConsumer<OfficerChanged>
{
    public async Task Consume(ConsumeContext<OfficerChanged> context)
    {
        var (message, ct) = (context.Message, context.CancellationToken);
        await using var work = await database.BeginAsync(ct);
        if (!await work.TryRecordInboxAsync(context.MessageId!.Value, nameof(OfficerChangedConsumer), ct)) return;
        var known = await work.QuerySingleOrDefaultAsync<long?>("SELECT 1 FROM officers WHERE officer_id = @OfficerId", message, ct);
        // The enrollment has not arrived yet: fail so the bus retries once it has.
        if (known is null) throw new InvalidOperationException($"Officer {message.OfficerId} changed before its enrollment arrived.");
        await work.ExecuteAsync("""
            UPDATE officers SET role = @Role, role_changed_at = @ChangedAt
            WHERE officer_id = @OfficerId AND (role_changed_at IS NULL OR role_changed_at <= @ChangedAt)
            """, message, ct);
        await roleChanges.PlaceAfterRoleChangeAsync(work, message.OfficerId, ct);
        await work.CommitAsync(ct);
    }
}
