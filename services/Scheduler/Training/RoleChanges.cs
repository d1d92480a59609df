using Reminders.Platform.Data;

namespace Reminders.Scheduler.Training;

/// <summary>
/// A roster re-import changed the role of an officer already placed in a cohort (cohorts are per sector and role). Before
/// that cohort starts, the officer moves to the earliest cohort of the new role in the same sector that has not started
/// and has room, as a manager's move would (pending SMS of the old cohort cancelled, invited to the new one). Otherwise
/// they stay where they are, and the old cohort's history and the log say why: a manager decides what to do.
/// </summary>
public sealed class RoleChanges(CohortChanges changes, TimeProvider clock, ILogger<RoleChanges> logger)
{
    /// <summary>Who the history names for these changes.</summary>
    public const string ChangedBy = "roster";

    /// <summary>
    /// Runs in the caller's transaction, after the replica took the new role. Reads the state, not the event, so a
    /// replayed or out-of-order change that left the role as it was does nothing.
    /// </summary>
    public async Task PlaceAfterRoleChangeAsync(UnitOfWork work, Guid officerId, CancellationToken ct)
    {
        await work.LockAsync(CohortChanges.PlanLock, ct);
        var placed = await work.QuerySingleOrDefaultAsync<Placement>("""
            SELECT o.role, o.sector_id, COALESCE(x.code, '') AS SectorCode, c.cohort_id, c.role AS CohortRole,
                   (SELECT MIN(s.starts_at) FROM sessions s WHERE s.cohort_id = c.cohort_id AND s.status <> 'cancelled') AS StartsAt
            FROM officers o
            JOIN cohort_members m ON m.officer_id = o.officer_id AND m.removed_at IS NULL
            JOIN cohorts c ON c.cohort_id = m.cohort_id AND c.status <> 'cancelled'
            LEFT JOIN sectors x ON x.sector_id = o.sector_id
            WHERE o.officer_id = @officerId
            """, new { officerId }, ct);
        // Not placed yet (the planner will place them in their new role), or already in a cohort of their role.
        if (placed is null || placed.CohortRole == placed.Role) return;

        var now = clock.GetUtcNow();
        if (placed.StartsAt is not { } startsAt || startsAt <= now)
        {
            await KeepAsync(work, officerId, placed, "its training has already started or been held, and the training received counts as it was", now, ct);
            return;
        }
        var candidates = await work.QueryAsync<Candidate>("""
            SELECT c.cohort_id,
                   (SELECT MIN(s.starts_at) FROM sessions s WHERE s.cohort_id = c.cohort_id AND s.status <> 'cancelled') AS StartsAt,
                   (SELECT v.capacity FROM sessions s JOIN venues v ON v.venue_id = s.venue_id
                    WHERE s.cohort_id = c.cohort_id AND s.status <> 'cancelled' ORDER BY s.day_number LIMIT 1) AS Capacity,
                   (SELECT COUNT(*) FROM cohort_members m WHERE m.cohort_id = c.cohort_id AND m.removed_at IS NULL) AS Members
            FROM cohorts c
            WHERE c.sector_id = @SectorId AND c.role = @Role AND c.status <> 'cancelled'
            """, new { placed.SectorId, placed.Role }, ct);
        var upcoming = candidates.Where(c => c.StartsAt > now).ToList();
        var target = upcoming.Where(c => c.Members < c.Capacity).OrderBy(c => c.StartsAt).FirstOrDefault();
        if (target is null)
        {
            var why = candidates.Count == 0 ? $"there is no {placed.Role} cohort in sector {placed.SectorCode}"
                : upcoming.Count == 0 ? $"every {placed.Role} cohort of sector {placed.SectorCode} has already started"
                : $"every {placed.Role} cohort of sector {placed.SectorCode} still to come is full at its venue";
            await KeepAsync(work, officerId, placed, why, now, ct);
            return;
        }
        try
        {
            await changes.MoveOfficerInAsync(work, officerId, target.CohortId,
                $"Role changed from {placed.CohortRole} to {placed.Role} in the roster", ChangedBy, now, ct);
            logger.LogInformation("Officer {OfficerId} changed role to {Role}: moved from cohort {FromCohortId} to cohort {ToCohortId}",
                officerId, placed.Role, placed.CohortId, target.CohortId);
        }
        catch (PlanningRefused refused)
        {
            // The move checks everything before writing: refused, nothing was changed.
            await KeepAsync(work, officerId, placed, refused.Message, now, ct);
        }
    }

    async Task KeepAsync(UnitOfWork work, Guid officerId, Placement placed, string why, DateTimeOffset now, CancellationToken ct)
    {
        await CohortChanges.RecordAsync(work, placed.CohortId, "officer", officerId, "role_changed", placed.CohortRole, placed.Role,
            $"Stays in this {placed.CohortRole} cohort: {why}.", ChangedBy, now, ct);
        logger.LogWarning("Officer {OfficerId} changed role from {OldRole} to {Role} but stays in cohort {CohortId}: {Reason}",
            officerId, placed.CohortRole, placed.Role, placed.CohortId, why);
    }

    sealed record Placement
    {
        public string Role { get; init; } = "";
        public Guid SectorId { get; init; }
        public string SectorCode { get; init; } = "";
        public Guid CohortId { get; init; }
        public string CohortRole { get; init; } = "";
        public DateTimeOffset? StartsAt { get; init; }
    }

    sealed record Candidate
    {
        public Guid CohortId { get; init; }
        public DateTimeOffset? StartsAt { get; init; }
        public long? Capacity { get; init; }
        public long Members { get; init; }
    }
}
