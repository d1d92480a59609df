using Reminders.Contracts;
using Reminders.Platform.Data;

namespace Reminders.Platform.Replica;

/// <summary>
/// The study facts about officers that every replicating service keeps the same way (tables <c>officer_arms</c> and
/// <c>officer_consents</c>, created by each service's own migration): the arm of randomization and consent to SMS.
/// One ordering policy for all: a newer randomization replaces an older one's arms, a voided one's never come back,
/// and the latest consent change wins whatever order the messages arrive in.
/// </summary>
public static class OfficerStudyFacts
{
    /// <summary>Records the arms unless their randomization was voided; false when nothing was written.</summary>
    public static async Task<bool> ApplyArmsAsync(UnitOfWork work, OfficerArmsAssigned message, CancellationToken ct)
    {
        var voided = await work.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM voided_randomizations WHERE randomization_id = @RandomizationId",
            new { message.RandomizationId }, ct);
        if (voided > 0) return false;
        // Randomization ids are UUIDv7: they sort by time (as text on SQLite, as uuid on PostgreSQL). Within one
        // randomization an officer's first assignment is the one that counts.
        const string sql = """
            INSERT INTO officer_arms (officer_id, arm, sector_id, randomization_id, enrolled_after_randomization, assigned_at)
            VALUES (@OfficerId, @Arm, @SectorId, @RandomizationId, @EnrolledAfterRandomization, @AssignedAt)
            ON CONFLICT (officer_id) DO UPDATE SET arm = excluded.arm, sector_id = excluded.sector_id, randomization_id = excluded.randomization_id,
                enrolled_after_randomization = excluded.enrolled_after_randomization, assigned_at = excluded.assigned_at
            WHERE officer_arms.randomization_id IS NULL OR officer_arms.randomization_id < excluded.randomization_id
            """;
        await work.ExecuteAsync(sql, message.Officers.Select(o => new
        {
            o.OfficerId, o.Arm, o.SectorId, message.RandomizationId, o.EnrolledAfterRandomization, message.AssignedAt,
        }), ct);
        return true;
    }

    /// <summary>A voided randomization's arms no longer hold: its officers have no arm until a new one is assigned.</summary>
    public static Task ForgetRandomizationAsync(UnitOfWork work, Guid randomizationId, CancellationToken ct) =>
        work.ExecuteAsync("DELETE FROM officer_arms WHERE randomization_id = @randomizationId", new { randomizationId }, ct);

    /// <summary>Records consent as of <paramref name="changedAt"/>; false when a later change is already recorded.</summary>
    public static async Task<bool> ApplyConsentAsync(UnitOfWork work, Guid officerId, bool consent, DateTimeOffset changedAt, CancellationToken ct)
    {
        const string sql = """
            INSERT INTO officer_consents (officer_id, consent, changed_at) VALUES (@officerId, @consent, @changedAt)
            ON CONFLICT (officer_id) DO UPDATE SET consent = excluded.consent, changed_at = excluded.changed_at
            WHERE officer_consents.changed_at <= excluded.changed_at
            """;
        return await work.ExecuteAsync(sql, new { officerId, consent, changedAt }, ct) > 0;
    }
}
