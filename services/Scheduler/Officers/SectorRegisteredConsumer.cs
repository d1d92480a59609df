using MassTransit;
using Reminders.Contracts;
using Reminders.Platform.Data;

namespace Reminders.Scheduler.Officers;

/// <summary>A sector's code, name and time zone; a registration older than the one recorded changes nothing.</summary>
public sealed class SectorRegisteredConsumer(SchedulerDatabase database) : IConsumer<SectorRegistered>
{
    public async Task Consume(ConsumeContext<SectorRegistered> context)
    {
        var message = context.Message;
        await database.ConsumeOnceAsync(context, nameof(SectorRegisteredConsumer), async (work, ct) =>
        {
            await work.ExecuteAsync("""
                INSERT INTO sectors (sector_id, code, name, time_zone, registered_at) VALUES (@SectorId, @SectorCode, @Name, @TimeZone, @RegisteredAt)
                ON CONFLICT (sector_id) DO UPDATE SET code = excluded.code, name = excluded.name, time_zone = excluded.time_zone, registered_at = excluded.registered_at
                WHERE sectors.registered_at IS NULL OR sectors.registered_at <= excluded.registered_at
                """, message, ct);
        });
    }
}
