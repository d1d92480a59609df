using MassTransit;
using Reminders.Contracts;
using Reminders.Platform.Data;
using Reminders.Scheduler.Dispatch;

namespace Reminders.Scheduler.Officers;

public sealed class OfficerTransferredConsumer([FromKeyedServices(SchedulerService.Name)] ServiceDatabase database) : IConsumer<OfficerTransferred>
{
    public async Task Consume(ConsumeContext<OfficerTransferred> context)
    {
        var (message, ct) = (context.Message, context.CancellationToken);
        await using var work = await database.BeginAsync(ct);
        if (!await work.TryRecordInboxAsync(context.MessageId!.Value, nameof(OfficerTransferredConsumer), ct)) return;
        var known = await work.QuerySingleOrDefaultAsync<long?>("SELECT 1 FROM officers WHERE officer_id = @OfficerId", message, ct);
        // The enrollment has not arrived yet: fail so the bus retries once it has.
        if (known is null) throw new InvalidOperationException($"Officer {message.OfficerId} transferred before its enrollment arrived.");
        var applied = await work.ExecuteAsync("""
            UPDATE officers SET sector_id = @ToSectorId, sector_changed_at = @RecordedAt
            WHERE officer_id = @OfficerId AND (sector_changed_at IS NULL OR sector_changed_at <= @RecordedAt)
            """, message, ct);
        // What was planned for the old sector's training no longer applies.
        if (applied > 0)
            await work.ClosePendingForOfficerAsync(message.OfficerId, PlannedSmsStatuses.Cancelled, SmsSkipReasons.Transferred, message.RecordedAt, ct);
        await work.CommitAsync(ct);
    }
}
