using MassTransit;
using Reminders.Contracts;
using Reminders.Platform.Data;

namespace Reminders.Messaging.Contacts;

/// <summary>The officer's new sector decides the arm Messaging checks; a transfer to a control sector stops their SMS.</summary>
public sealed class OfficerTransferredConsumer([FromKeyedServices(MessagingService.Name)] ServiceDatabase database) : IConsumer<OfficerTransferred>
{
    public async Task Consume(ConsumeContext<OfficerTransferred> context)
    {
        var (message, ct) = (context.Message, context.CancellationToken);
        await using var work = await database.BeginAsync(ct);
        if (!await work.TryRecordInboxAsync(context.MessageId!.Value, nameof(OfficerTransferredConsumer), ct)) return;
        await work.ExecuteAsync("""
            INSERT INTO officer_sectors (officer_id, sector_id, sector_changed_at) VALUES (@OfficerId, @ToSectorId, @RecordedAt)
            ON CONFLICT (officer_id) DO UPDATE SET sector_id = excluded.sector_id, sector_changed_at = excluded.sector_changed_at
            WHERE officer_sectors.sector_changed_at IS NULL OR officer_sectors.sector_changed_at <= excluded.sector_changed_at
            """, message, ct);
        await work.CommitAsync(ct);
    }
}
