using MassTransit;
using Reminders.Contracts;
using Reminders.Platform.Data;
using Reminders.Platform.Replica;

namespace Reminders.Messaging.Contacts;

/// <summary>The sector at enrollment; a transfer that arrived first is not undone.</summary>
public sealed class OfficerEnrolledConsumer([FromKeyedServices(MessagingService.Name)] ServiceDatabase database) : IConsumer<OfficerEnrolled>
{
    public async Task Consume(ConsumeContext<OfficerEnrolled> context)
    {
        var (message, ct) = (context.Message, context.CancellationToken);
        await using var work = await database.BeginAsync(ct);
        if (!await work.TryRecordInboxAsync(context.MessageId!.Value, nameof(OfficerEnrolledConsumer), ct)) return;
        await work.ExecuteAsync("""
            INSERT INTO officer_sectors (officer_id, sector_id, sector_changed_at, role) VALUES (@OfficerId, @SectorId, @EnrolledAt, @Role)
            ON CONFLICT (officer_id) DO UPDATE SET role = COALESCE(officer_sectors.role, excluded.role)
            """, message, ct);
        await OfficerStudyFacts.ApplyConsentAsync(work, message.OfficerId, message.Consent, message.EnrolledAt, ct);
        await work.CommitAsync(ct);
    }
}
