using MassTransit;
using Reminders.Contracts;
using Reminders.Platform.Data;

namespace Reminders.Attendance.Recording;

/// <summary>Replaces a cohort's member list with the latest one; an older list arriving late changes nothing.</summary>
public sealed class CohortMembersChangedConsumer(AttendanceDatabase database) : IConsumer<CohortMembersChanged>
{
    public async Task Consume(ConsumeContext<CohortMembersChanged> context)
    {
        var m = context.Message;
        await database.ConsumeOnceAsync(context, nameof(CohortMembersChangedConsumer), async (work, ct) =>
        {
            var newer = await work.ExecuteAsync("""
                INSERT INTO cohort_member_lists (cohort_id, changed_at) VALUES (@CohortId, @ChangedAt)
                ON CONFLICT (cohort_id) DO UPDATE SET changed_at = excluded.changed_at WHERE cohort_member_lists.changed_at < excluded.changed_at
                """, m, ct);
            if (newer == 1)
            {
                await work.ExecuteAsync("DELETE FROM cohort_members WHERE cohort_id = @CohortId", m, ct);
                await work.ExecuteAsync("INSERT INTO cohort_members (cohort_id, officer_id) VALUES (@CohortId, @officerId)",
                    m.OfficerIds.Select(officerId => new { m.CohortId, officerId }), ct);
            }
        });
    }
}
