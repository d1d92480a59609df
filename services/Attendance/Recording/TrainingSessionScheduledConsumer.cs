using MassTransit;
using Reminders.Contracts;
using Reminders.Platform.Data;

namespace Reminders.Attendance.Recording;

/// <summary>A session planned, moved or re-staffed: the latest scheduling wins.</summary>
public sealed class TrainingSessionScheduledConsumer(AttendanceDatabase database) : IConsumer<TrainingSessionScheduled>
{
    public async Task Consume(ConsumeContext<TrainingSessionScheduled> context)
    {
        var m = context.Message;
        await database.ConsumeOnceAsync(context, nameof(TrainingSessionScheduledConsumer), async (work, ct) =>
        {
            await work.ExecuteAsync("""
                INSERT INTO sessions (session_id, cohort_id, sector_id, role, day_number, local_date, starts_at, ends_at, venue, status, scheduled_at, time_zone, trainer_id)
                VALUES (@SessionId, @CohortId, @SectorId, @Role, @DayNumber, @date, @StartsAt, @EndsAt, @Venue, 'scheduled', @ScheduledAt, @TimeZone, @TrainerId)
                ON CONFLICT (session_id) DO UPDATE SET local_date = excluded.local_date, starts_at = excluded.starts_at, ends_at = excluded.ends_at,
                    venue = excluded.venue, scheduled_at = excluded.scheduled_at, time_zone = excluded.time_zone, trainer_id = excluded.trainer_id
                WHERE sessions.scheduled_at <= excluded.scheduled_at AND sessions.status <> 'cancelled'
                """, new { m.SessionId, m.CohortId, m.SectorId, m.Role, m.DayNumber, date = m.Date.ToString("yyyy-MM-dd"), m.StartsAt, m.EndsAt, m.Venue, m.ScheduledAt, m.TimeZone, m.TrainerId }, ct);
        });
    }
}
