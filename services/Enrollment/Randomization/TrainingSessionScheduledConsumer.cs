using MassTransit;
using Reminders.Contracts;
using Reminders.Platform.Data;

namespace Reminders.Enrollment.Randomization;

/// <summary>A scheduled training starts the study too: from then on the randomization can no longer be voided.</summary>
public sealed class TrainingSessionScheduledConsumer(EnrollmentDatabase database) : IConsumer<TrainingSessionScheduled>
{
    public async Task Consume(ConsumeContext<TrainingSessionScheduled> context)
    {
        var message = context.Message;
        await database.ConsumeOnceAsync(context, nameof(TrainingSessionScheduledConsumer), async (work, ct) =>
        {
            await work.ExecuteAsync("""
                INSERT INTO study_activity (kind, first_seen_at) VALUES ('training_scheduled', @ScheduledAt)
                ON CONFLICT (kind) DO UPDATE SET first_seen_at = excluded.first_seen_at WHERE excluded.first_seen_at < study_activity.first_seen_at
                """, new { message.ScheduledAt }, ct);
        });
    }
}
