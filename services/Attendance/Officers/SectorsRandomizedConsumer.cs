using MassTransit;
using Reminders.Contracts;
using Reminders.Platform.Data;

namespace Reminders.Attendance.Officers;

public sealed class SectorsRandomizedConsumer([FromKeyedServices(AttendanceService.Name)] ServiceDatabase database) : IConsumer<SectorsRandomized>
{
    public async Task Consume(ConsumeContext<SectorsRandomized> context)
    {
        var (message, ct) = (context.Message, context.CancellationToken);
        await using var work = await database.BeginAsync(ct);
        if (!await work.TryRecordInboxAsync(context.MessageId!.Value, nameof(SectorsRandomizedConsumer), ct)) return;
        // A voided randomization's arms never come back, and an older randomization never replaces a newer one
        // (randomization ids are UUIDv7: they sort by time, as text on SQLite and as uuid on PostgreSQL).
        var voided = await work.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM voided_randomizations WHERE randomization_id = @RandomizationId",
            new { message.RandomizationId }, ct);
        if (voided == 0)
            await work.ExecuteAsync("""
                INSERT INTO sector_arms (sector_id, arm, randomization_id, stratum, randomized_at)
                VALUES (@SectorId, @Arm, @RandomizationId, @Stratum, @RandomizedAt)
                ON CONFLICT (sector_id) DO UPDATE SET arm = excluded.arm, randomization_id = excluded.randomization_id,
                    stratum = excluded.stratum, randomized_at = excluded.randomized_at
                WHERE sector_arms.randomization_id IS NULL OR sector_arms.randomization_id < excluded.randomization_id
                """, message.Assignments.Select(a => new { a.SectorId, a.Arm, message.RandomizationId, a.Stratum, message.RandomizedAt }), ct);
        await work.CommitAsync(ct);
    }
}
