using MassTransit;
using Reminders.Contracts;
using Reminders.Platform.Data;
using Reminders.Platform.Replica;

namespace Reminders.Scheduler.Officers;

public sealed class OfficerEnrolledConsumer([FromKeyedServices(SchedulerService.Name)] ServiceDatabase database) : IConsumer<OfficerEnrolled>
{
    public async Task Consume(ConsumeContext<OfficerEnrolled> context)
    {
        var (message, ct) = (context.Message, context.CancellationToken);
        await using var work = await database.BeginAsync(ct);
        if (!await work.TryRecordInboxAsync(context.MessageId!.Value, nameof(OfficerEnrolledConsumer), ct)) return;
        await work.ExecuteAsync("""
            INSERT INTO officers (officer_id, sector_id, role, enrolled_at) VALUES (@OfficerId, @SectorId, @Role, @EnrolledAt)
            ON CONFLICT (officer_id) DO NOTHING
            """, message, ct);
        await OfficerStudyFacts.ApplyConsentAsync(work, message.OfficerId, message.Consent, message.EnrolledAt, ct);
        await work.CommitAsync(ct);
    }
}
