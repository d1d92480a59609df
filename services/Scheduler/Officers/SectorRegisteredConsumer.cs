using MassTransit;
using Reminders.Contracts;
using Reminders.Platform.Data;

namespace Reminders.Scheduler.Officers;

public sealed class SectorRegisteredConsumer([FromKeyedServices(SchedulerService.Name)] ServiceDatabase database) : IConsumer<SectorRegistered>
{
    public async Task Consume(ConsumeContext<SectorRegistered> context)
    {
        var (message, ct) = (context.Message, context.CancellationToken);
        await using var work = await database.BeginAsync(ct);
        if (!await work.TryRecordInboxAsync(context.MessageId!.Value, nameof(SectorRegisteredConsumer), ct)) return;
        await work.ExecuteAsync("""
            INSERT INTO sectors (sector_id, code, name) VALUES (@SectorId, @SectorCode, @Name)
            ON CONFLICT (sector_id) DO UPDATE SET code = excluded.code, name = excluded.name
            """, message, ct);
        await work.CommitAsync(ct);
    }
}
