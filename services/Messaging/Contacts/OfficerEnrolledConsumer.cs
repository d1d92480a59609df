using MassTransit;
using Reminders.Contracts;
using Reminders.Platform.Data;

namespace Reminders.Messaging.Contacts;

public sealed class OfficerEnrolledConsumer([FromKeyedServices(MessagingService.Name)] ServiceDatabase database) : IConsumer<OfficerEnrolled>
{
    public async Task Consume(ConsumeContext<OfficerEnrolled> context)
    {
        var (message, ct) = (context.Message, context.CancellationToken);
        await using var work = await database.BeginAsync(ct);
        if (!await work.TryRecordInboxAsync(context.MessageId!.Value, nameof(OfficerEnrolledConsumer), ct)) return;
        await work.ExecuteAsync("""
            INSERT INTO officer_sectors (officer_id, sector_id) VALUES (@OfficerId, @SectorId)
            ON CONFLICT (officer_id) DO UPDATE SET sector_id = excluded.sector_id
            """, message, ct);
        await work.CommitAsync(ct);
    }
}
