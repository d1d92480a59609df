using MassTransit;
using Reminders.Contracts;
using Reminders.Platform.Data;

namespace Reminders.Attendance.Officers;

public sealed class OfficerStatusChangedConsumer([FromKeyedServices(AttendanceService.Name)] ServiceDatabase database) : IConsumer<OfficerStatusChanged>
{
    public async Task Consume(ConsumeContext<OfficerStatusChanged> context)
    {
        var (message, ct) = (context.Message, context.CancellationToken);
        await using var work = await database.BeginAsync(ct);
        if (!await work.TryRecordInboxAsync(context.MessageId!.Value, nameof(OfficerStatusChangedConsumer), ct)) return;
        // Two quick changes may arrive in either order: the later change wins.
        await work.ExecuteAsync("""
            INSERT INTO officer_statuses (officer_id, status, changed_at) VALUES (@OfficerId, @Status, @ChangedAt)
            ON CONFLICT (officer_id) DO UPDATE SET status = excluded.status, changed_at = excluded.changed_at
            WHERE officer_statuses.changed_at <= excluded.changed_at
            """, message, ct);
        await work.ExecuteAsync("""
            INSERT INTO officer_status_history (officer_id, status, previous_status, source, changed_at)
            VALUES (@OfficerId, @Status, @PreviousStatus, @Source, @ChangedAt)
            """, message, ct);
        await work.CommitAsync(ct);
    }
}
