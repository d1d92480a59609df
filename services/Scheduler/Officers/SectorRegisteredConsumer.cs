using MassTransit;
using Reminders.Contracts;
using Reminders.Platform.Data;

namespace Reminders.Scheduler.Officers;

/// <summary>A sector's code, name and time zone; a registration older than the one recorded changes nothing.</summary>
public sealed class SectorRegisteredConsumer([FromKeyedServices(SchedulerService.Name)] ServiceDatabase database) : IConsumer<SectorRegistered>
{
    public async Task Consume(ConsumeContext<SectorRegistered> context)
    {
        var (message, ct) = (context.Message, context.CancellationToken);
        await using var work = await database.BeginAsync(ct);
        if (!await work.TryRecordInboxAsync(context.MessageId!.Value, nameof(SectorRegisteredConsumer), ct)) return;
        await work.ExecuteAsync("""
            INSERT INTO sectors (sector_id, code, name, time_zone, registered_at) VALUES (@SectorId, @SectorCode, @Name, @TimeZone, @RegisteredAt)
            ON CONFLICT (sector_id) DO UPDATE SET code = excluded.code, name = excluded.name, time_zone = excluded.time_zone, registered_at = excluded.registered_at
            WHERE sectors.registered_at IS NULL OR sectors.registered_at <= excluded.registered_at
            """, message, ct);
        await work.CommitAsync(ct);
    }
}
