using MassTransit;
using Reminders.Contracts;
using Reminders.Platform.Data;
using Reminders.Platform.Protocol;
using Reminders.Scheduler.Reminders;

namespace Reminders.Scheduler.Training;

/// <summary>
/// Records each officer's training outcome and, by the protocol's rule, whether they are eligible for reminders; then
/// plans every member's reminders in the same transaction (<see cref="ReminderPlans"/>). Walk-ins get no rows here:
/// their own cohort's closing plans theirs.
/// </summary>
public sealed class CohortAttendanceClosedConsumer(
    [FromKeyedServices(SchedulerService.Name)] ServiceDatabase database, StudyProtocol protocol, ReminderPlans reminders) : IConsumer<CohortAttendanceClosed>
{
    public async Task Consume(ConsumeContext<CohortAttendanceClosed> context)
    {
        var (m, ct) = (context.Message, context.CancellationToken);
        var rule = protocol.Training.For(m.Role).Eligibility;
        await using var work = await database.BeginAsync(ct);
        if (!await work.TryRecordInboxAsync(context.MessageId!.Value, nameof(CohortAttendanceClosedConsumer), ct)) return;
        var outcomes = m.Officers.Select(o => new
        {
            o.OfficerId, m.CohortId, o.MinutesAttended, o.MinutesPlanned, o.SessionsAttended, o.Sessions, o.WalkIn,
            eligible = !o.WalkIn && rule.IsEligible(o.SessionsAttended), version = protocol.Version, m.ClosedAt,
        }).ToList();
        await work.ExecuteAsync("""
            INSERT INTO training_outcomes (officer_id, cohort_id, minutes_attended, minutes_planned, sessions_attended, sessions, walk_in, eligible, protocol_version, closed_at)
            VALUES (@OfficerId, @CohortId, @MinutesAttended, @MinutesPlanned, @SessionsAttended, @Sessions, @WalkIn, @eligible, @version, @ClosedAt)
            ON CONFLICT (officer_id, cohort_id) DO NOTHING
            """, outcomes, ct);
        await reminders.PlanAsync(work, m.CohortId, outcomes.Where(o => !o.WalkIn).ToDictionary(o => o.OfficerId, o => o.eligible), ct);
        await work.CommitAsync(ct);
    }
}
