using MassTransit;
using Reminders.Contracts;
using Reminders.Platform.Data;
using Reminders.Platform.Replica;

namespace Reminders.Attendance.Officers;

/// <summary>A voided randomization's arms no longer hold: its sectors are unrandomized until a new one arrives.</summary>
public sealed class RandomizationVoidedConsumer([FromKeyedServices(AttendanceService.Name)] ServiceDatabase database) : IConsumer<RandomizationVoided>
{
    public async Task Consume(ConsumeContext<RandomizationVoided> context)
    {
        var (message, ct) = (context.Message, context.CancellationToken);
        await using var work = await database.BeginAsync(ct);
        if (!await work.TryRecordInboxAsync(context.MessageId!.Value, nameof(RandomizationVoidedConsumer), ct)) return;
        await work.ExecuteAsync("""
            INSERT INTO voided_randomizations (randomization_id, voided_at) VALUES (@RandomizationId, @VoidedAt)
            ON CONFLICT (randomization_id) DO NOTHING
            """, new { message.RandomizationId, message.VoidedAt }, ct);
        // Only this randomization's arms: a newer randomization's, arrived first, stay.
        await work.ExecuteAsync("DELETE FROM sector_arms WHERE randomization_id = @RandomizationId", new { message.RandomizationId }, ct);
        await OfficerStudyFacts.ForgetRandomizationAsync(work, message.RandomizationId, ct);
        // Arms recorded before this replica kept randomization ids belong to the only randomization there was: this one.
        await work.ExecuteAsync("DELETE FROM sector_arms WHERE sector_id = @SectorId AND randomization_id IS NULL",
            message.SectorIds.Select(sectorId => new { SectorId = sectorId }), ct);
        await work.CommitAsync(ct);
    }
}
