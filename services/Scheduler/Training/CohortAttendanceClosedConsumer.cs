using MassTransit;
using Reminders.Contracts;
using Reminders.Platform.Data;
using Reminders.Platform.Protocol;

namespace Reminders.Scheduler.Training;

/// <summary>Records each officer's training outcome and, by the protocol's rule, whether they are eligible for reminders.</summary>
public sealed class CohortAttendanceClosedConsumer(
    [FromKeyedServices(SchedulerService.Name)] ServiceDatabase database, StudyProtocol protocol) : IConsumer<CohortAttendanceClosed>
{
    public async Task Consume(ConsumeContext<CohortAttendanceClosed> context)
    {
        var (m, ct) = (context.Message, context.CancellationToken);
        var rule = protocol.Training.For(m.Role).Eligibility;
        await using var work = await database.BeginAsync(ct);
        if (!await work.TryRecordInboxAsync(context.MessageId!.Value, nameof(CohortAttendanceClosedConsumer), ct)) return;
        await work.ExecuteAsync("""
            INSERT INTO training_outcomes (officer_id, cohort_id, minutes_attended, minutes_planned, sessions_attended, sessions, walk_in, eligible, protocol_version, closed_at)
            VALUES (@OfficerId, @CohortId, @MinutesAttended, @MinutesPlanned, @SessionsAttended, @Sessions, @WalkIn, @eligible, @version, @ClosedAt)
            ON CONFLICT (officer_id, cohort_id) DO NOTHING
            """, m.Officers.Select(o => new
            {
                o.OfficerId, m.CohortId, o.MinutesAttended, o.MinutesPlanned, o.SessionsAttended, o.Sessions, o.WalkIn,
                eligible = !o.WalkIn && rule.IsEligible(o.SessionsAttended), version = protocol.Version, m.ClosedAt,
            }), ct);
        await work.CommitAsync(ct);
    }
}
