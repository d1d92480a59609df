using MassTransit;
using Reminders.Contracts;
using Reminders.Platform.Data;

namespace Reminders.Attendance.Recording;

public sealed class TrainingSessionCancelledConsumer(AttendanceDatabase database) : IConsumer<TrainingSessionCancelled>
{
    public async Task Consume(ConsumeContext<TrainingSessionCancelled> context)
    {
        var m = context.Message;
        await database.ConsumeOnceAsync(context, nameof(TrainingSessionCancelledConsumer), async (work, ct) =>
        {
            var updated = await work.ExecuteAsync("UPDATE sessions SET status = 'cancelled' WHERE session_id = @SessionId", m, ct);
            // Cancelled before its scheduling arrived: fail so the bus retries once it has.
            if (updated == 0) throw new InvalidOperationException($"Session {m.SessionId} cancelled before it was scheduled here.");
        });
    }
}
