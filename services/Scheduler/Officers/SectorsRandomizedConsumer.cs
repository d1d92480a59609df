using MassTransit;
using Reminders.Contracts;
using Reminders.Platform.Data;

namespace Reminders.Scheduler.Officers;

public sealed class SectorsRandomizedConsumer([FromKeyedServices(SchedulerService.Name)] ServiceDatabase database) : IConsumer<SectorsRandomized>
{
    public async Task Consume(ConsumeContext<SectorsRandomized> context)
    {
        var (message, ct) = (context.Message, context.CancellationToken);
        await using var work = await database.BeginAsync(ct);
        if (!await work.TryRecordInboxAsync(context.MessageId!.Value, nameof(SectorsRandomizedConsumer), ct)) return;
        await work.ExecuteAsync("""
            INSERT INTO sector_arms (sector_id, arm, randomization_id) VALUES (@SectorId, @Arm, @RandomizationId)
            ON CONFLICT (sector_id) DO NOTHING
            """, message.Assignments.Select(a => new { a.SectorId, a.Arm, message.RandomizationId }), ct);
        await work.CommitAsync(ct);
    }
}
