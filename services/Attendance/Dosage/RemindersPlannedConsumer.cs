using MassTransit;
using Reminders.Contracts;
using Reminders.Platform.Data;

namespace Reminders.Attendance.Dosage;

/// <summary>
/// The protocol's denominator: one ledger row per officer × reminder, keyed by the id it will be sent with. An
/// acknowledgment folded first keeps what it wrote, and so does a later skip or restore (the latest plan state wins);
/// the plan fills in the rest.
/// </summary>
public sealed class RemindersPlannedConsumer(AttendanceDatabase database) : IConsumer<RemindersPlanned>
{
    public async Task Consume(ConsumeContext<RemindersPlanned> context)
    {
        var m = context.Message;
        await database.ConsumeOnceAsync(context, nameof(RemindersPlannedConsumer), async (work, ct) =>
        {
            await work.ExecuteAsync($$"""
                INSERT INTO reminder_ledger (sms_id, officer_id, cohort_id, number, due_at, protocol_version, planned_at, skip_reason, skipped_at, plan_state_at)
                VALUES (@SmsId, @OfficerId, @CohortId, @Number, @DueAt, @ProtocolVersion, @PlannedAt, @skipReason, @skippedAt, @PlannedAt)
                ON CONFLICT (sms_id) DO UPDATE SET cohort_id = excluded.cohort_id, number = excluded.number, due_at = excluded.due_at,
                    protocol_version = excluded.protocol_version, planned_at = excluded.planned_at,
                    skip_reason = CASE WHEN {{Newer}} THEN excluded.skip_reason ELSE reminder_ledger.skip_reason END,
                    skipped_at = CASE WHEN {{Newer}} THEN excluded.skipped_at ELSE reminder_ledger.skipped_at END,
                    plan_state_at = CASE WHEN {{Newer}} THEN excluded.plan_state_at ELSE reminder_ledger.plan_state_at END
                """, m.Reminders.Select(r => new
                {
                    r.SmsId, r.OfficerId, m.CohortId, r.Number, r.DueAt, m.ProtocolVersion, m.PlannedAt,
                    skipReason = r.Status == "planned" ? null : r.Reason ?? r.Status,
                    skippedAt = r.Status == "planned" ? (DateTimeOffset?)null : m.PlannedAt,
                }), ct);
        });
    }

    /// <summary>The plan decides the row's state only when nothing later did (a skip or a restore at the same instant wins).</summary>
    const string Newer = "(reminder_ledger.plan_state_at IS NULL OR reminder_ledger.plan_state_at < excluded.plan_state_at)";
}
