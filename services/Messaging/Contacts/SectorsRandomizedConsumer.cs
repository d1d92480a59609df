using MassTransit;
using Reminders.Contracts;
using Reminders.Platform.Data;

namespace Reminders.Messaging.Contacts;

public sealed class SectorsRandomizedConsumer([FromKeyedServices(MessagingService.Name)] ServiceDatabase database) : IConsumer<SectorsRandomized>
{
    public async Task Consume(ConsumeContext<SectorsRandomized> context)
    {
        var (message, ct) = (context.Message, context.CancellationToken);
        await using var work = await database.BeginAsync(ct);
        if (!await work.TryRecordInboxAsync(context.MessageId!.Value, nameof(SectorsRandomizedConsumer), ct)) return;
        // An allocation is never redone: the first arm recorded for a sector stands.
        await work.ExecuteAsync("""
            INSERT INTO sector_arms (sector_id, arm) VALUES (@SectorId, @Arm) ON CONFLICT (sector_id) DO NOTHING
            """, message.Assignments, ct);
        await work.CommitAsync(ct);
    }
}
