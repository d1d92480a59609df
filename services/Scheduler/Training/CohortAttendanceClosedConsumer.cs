using MassTransit;
using Reminders.Contracts;
using Reminders.Platform.Data;
using Reminders.Protocol;
using Reminders.Scheduler.Reminders;

namespace Reminders.Scheduler.Training;

/// <summary>
/// Records each officer's training outcome and, by the protocol's rule, whether they are eligible for reminders; then
/// plans every member's reminders in the same transaction (<see cref="ReminderPlans"/>). Walk-ins get no rows here:
/// their own cohort's closing plans theirs. A cohort closed again (reopened and corrected) replaces its outcomes and
/// revises its reminders; a closing older than the one applied (a late redelivery) changes nothing.
/// </summary>
public sealed class CohortAttendanceClosedConsumer(
    SchedulerDatabase database, StudyProtocol protocol, ReminderPlans reminders,
    ILogger<CohortAttendanceClosedConsumer> logger) : IConsumer<CohortAttendanceClosed>
{
    public async Task Consume(ConsumeContext<CohortAttendanceClosed> context)
    {
        var m = context.Message;
        var rule = protocol.Training.For(m.Role).Eligibility;
        await database.ConsumeOnceAsync(context, nameof(CohortAttendanceClosedConsumer), async (work, ct) =>
        {
            await work.LockAsync($"cohort-{m.CohortId}", ct);
            var applied = await work.QuerySingleOrDefaultAsync<DateTimeOffset?>(
                "SELECT closed_at FROM training_outcomes WHERE cohort_id = @CohortId ORDER BY closed_at DESC LIMIT 1", new { m.CohortId }, ct);
            if (applied > m.ClosedAt)
            {
                logger.LogWarning("Closing of cohort {CohortId} at {ClosedAt} ignored: the one at {Applied} is already applied", m.CohortId, m.ClosedAt, applied);
                return;
            }
            var outcomes = m.Officers.Select(o => new
            {
                o.OfficerId, m.CohortId, o.MinutesAttended, o.MinutesPlanned, o.SessionsAttended, o.Sessions, o.WalkIn,
                eligible = !o.WalkIn && rule.IsEligible(o.SessionsAttended), version = protocol.Version, m.ClosedAt,
            }).ToList();
            await work.ExecuteAsync("""
                INSERT INTO training_outcomes (officer_id, cohort_id, minutes_attended, minutes_planned, sessions_attended, sessions, walk_in, eligible, protocol_version, closed_at)
                VALUES (@OfficerId, @CohortId, @MinutesAttended, @MinutesPlanned, @SessionsAttended, @Sessions, @WalkIn, @eligible, @version, @ClosedAt)
                ON CONFLICT (officer_id, cohort_id) DO UPDATE SET minutes_attended = excluded.minutes_attended, minutes_planned = excluded.minutes_planned,
                    sessions_attended = excluded.sessions_attended, sessions = excluded.sessions, walk_in = excluded.walk_in, eligible = excluded.eligible,
                    protocol_version = excluded.protocol_version, closed_at = excluded.closed_at
                """, outcomes, ct);
            await reminders.PlanAsync(work, m.CohortId, outcomes.Where(o => !o.WalkIn).ToDictionary(o => o.OfficerId, o => o.eligible), ct);
        });
    }
}
