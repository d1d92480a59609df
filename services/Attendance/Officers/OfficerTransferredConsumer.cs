using MassTransit;
using Reminders.Contracts;
using Reminders.Platform.Data;

namespace Reminders.Attendance.Officers;

public sealed class OfficerTransferredConsumer([FromKeyedServices(AttendanceService.Name)] ServiceDatabase database) : IConsumer<OfficerTransferred>
{
    public async Task Consume(ConsumeContext<OfficerTransferred> context)
    {
        var (message, ct) = (context.Message, context.CancellationToken);
        await using var work = await database.BeginAsync(ct);
        if (!await work.TryRecordInboxAsync(context.MessageId!.Value, nameof(OfficerTransferredConsumer), ct)) return;
        var known = await work.QuerySingleOrDefaultAsync<long?>("SELECT 1 FROM officers WHERE officer_id = @OfficerId", message, ct);
        // The enrollment has not arrived yet: fail so the bus retries once it has.
        if (known is null) throw new InvalidOperationException($"Officer {message.OfficerId} transferred before its enrollment arrived.");
        await work.ExecuteAsync("""
            UPDATE officers SET sector_id = @ToSectorId, sector_changed_at = @RecordedAt
            WHERE officer_id = @OfficerId AND (sector_changed_at IS NULL OR sector_changed_at <= @RecordedAt)
            """, message, ct);
        await work.ExecuteAsync("""
            INSERT INTO officer_transfers (officer_id, from_sector_id, to_sector_id, cross_arm, transferred_on, recorded_at)
            VALUES (@OfficerId, @FromSectorId, @ToSectorId, @CrossArm, @transferredOn, @RecordedAt)
            """, new { message.OfficerId, message.FromSectorId, message.ToSectorId, message.CrossArm,
                transferredOn = message.TransferredOn.ToString("yyyy-MM-dd"), message.RecordedAt }, ct);
        await work.CommitAsync(ct);
    }
}
