using Reminders.Contracts;
using Reminders.Platform.Data;

namespace Reminders.Platform.Replica;

/// <summary>
/// Every replicating service's copy of Enrollment's officers, statuses, transfers and sector arms, written one way
/// (the tables <c>officers</c>, <c>officer_statuses</c>, <c>officer_status_history</c>, <c>officer_transfers</c>,
/// <c>sector_arms</c> and <c>voided_randomizations</c>, the same in each service's schema). One ordering policy:
/// a transfer or role change that arrives before the officer's enrollment throws, so the bus retries it once the
/// enrollment is in; a later change never gives way to an earlier one; a newer randomization replaces an older one's
/// arms and a voided one's never come back. Replays are the inbox's to stop.
/// </summary>
public static class OfficerReplica
{
    public static async Task EnrollAsync(UnitOfWork work, OfficerEnrolled message, CancellationToken ct)
    {
        await work.ExecuteAsync("""
            INSERT INTO officers (officer_id, sector_id, role, enrolled_at) VALUES (@OfficerId, @SectorId, @Role, @EnrolledAt)
            ON CONFLICT (officer_id) DO NOTHING
            """, message, ct);
        await OfficerStudyFacts.ApplyConsentAsync(work, message.OfficerId, message.Consent, message.EnrolledAt, ct);
    }

    /// <summary>Moves the officer unless a later move is recorded (the history keeps every transfer); true when moved.</summary>
    public static async Task<bool> TransferAsync(UnitOfWork work, OfficerTransferred message, CancellationToken ct)
    {
        await EnsureEnrolledAsync(work, message.OfficerId, "transferred", ct);
        await work.ExecuteAsync("""
            INSERT INTO officer_transfers (officer_id, from_sector_id, to_sector_id, cross_arm, transferred_on, recorded_at)
            VALUES (@OfficerId, @FromSectorId, @ToSectorId, @CrossArm, @transferredOn, @RecordedAt)
            """, new { message.OfficerId, message.FromSectorId, message.ToSectorId, message.CrossArm,
                transferredOn = message.TransferredOn.ToString("yyyy-MM-dd"), message.RecordedAt }, ct);
        return await work.ExecuteAsync("""
            UPDATE officers SET sector_id = @ToSectorId, sector_changed_at = @RecordedAt
            WHERE officer_id = @OfficerId AND (sector_changed_at IS NULL OR sector_changed_at <= @RecordedAt)
            """, message, ct) > 0;
    }

    /// <summary>Sets the officer's role unless a later change is recorded; true when set.</summary>
    public static async Task<bool> ChangeRoleAsync(UnitOfWork work, OfficerChanged message, CancellationToken ct)
    {
        await EnsureEnrolledAsync(work, message.OfficerId, "changed", ct);
        return await work.ExecuteAsync("""
            UPDATE officers SET role = @Role, role_changed_at = @ChangedAt
            WHERE officer_id = @OfficerId AND (role_changed_at IS NULL OR role_changed_at <= @ChangedAt)
            """, message, ct) > 0;
    }

    /// <summary>
    /// Records the status (kept apart from <c>officers</c>, so it may come first) unless a later one is recorded, and
    /// always in the history; true when it is now the officer's status.
    /// </summary>
    public static async Task<bool> ChangeStatusAsync(UnitOfWork work, OfficerStatusChanged message, CancellationToken ct)
    {
        await work.ExecuteAsync("""
            INSERT INTO officer_status_history (officer_id, status, previous_status, source, changed_at)
            VALUES (@OfficerId, @Status, @PreviousStatus, @Source, @ChangedAt)
            """, message, ct);
        return await work.ExecuteAsync("""
            INSERT INTO officer_statuses (officer_id, status, changed_at) VALUES (@OfficerId, @Status, @ChangedAt)
            ON CONFLICT (officer_id) DO UPDATE SET status = excluded.status, changed_at = excluded.changed_at
            WHERE officer_statuses.changed_at <= excluded.changed_at
            """, message, ct) > 0;
    }

    public static async Task RandomizeAsync(UnitOfWork work, SectorsRandomized message, CancellationToken ct)
    {
        var voided = await work.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM voided_randomizations WHERE randomization_id = @RandomizationId",
            new { message.RandomizationId }, ct);
        if (voided > 0) return;
        // Randomization ids are UUIDv7: they sort by time (as text on SQLite, as uuid on PostgreSQL).
        await work.ExecuteAsync("""
            INSERT INTO sector_arms (sector_id, arm, randomization_id, stratum, randomized_at)
            VALUES (@SectorId, @Arm, @RandomizationId, @Stratum, @RandomizedAt)
            ON CONFLICT (sector_id) DO UPDATE SET arm = excluded.arm, randomization_id = excluded.randomization_id,
                stratum = excluded.stratum, randomized_at = excluded.randomized_at
            WHERE sector_arms.randomization_id IS NULL OR sector_arms.randomization_id < excluded.randomization_id
            """, message.Assignments.Select(a => new { a.SectorId, a.Arm, message.RandomizationId, a.Stratum, message.RandomizedAt }), ct);
    }

    public static async Task VoidAsync(UnitOfWork work, RandomizationVoided message, CancellationToken ct)
    {
        await work.ExecuteAsync("""
            INSERT INTO voided_randomizations (randomization_id, voided_at) VALUES (@RandomizationId, @VoidedAt)
            ON CONFLICT (randomization_id) DO NOTHING
            """, new { message.RandomizationId, message.VoidedAt }, ct);
        // Only this randomization's arms: a newer randomization's, arrived first, stay.
        await work.ExecuteAsync("DELETE FROM sector_arms WHERE randomization_id = @RandomizationId", new { message.RandomizationId }, ct);
        // Arms recorded before replicas kept randomization ids belong to the only randomization there was: this one.
        await work.ExecuteAsync("DELETE FROM sector_arms WHERE sector_id = @SectorId AND randomization_id IS NULL",
            message.SectorIds.Select(sectorId => new { SectorId = sectorId }), ct);
        await OfficerStudyFacts.ForgetRandomizationAsync(work, message.RandomizationId, ct);
    }

    static async Task EnsureEnrolledAsync(UnitOfWork work, Guid officerId, string what, CancellationToken ct)
    {
        var known = await work.QuerySingleOrDefaultAsync<long?>("SELECT 1 FROM officers WHERE officer_id = @officerId", new { officerId }, ct);
        // The enrollment has not arrived yet: fail so the bus retries once it has.
        if (known is null) throw new InvalidOperationException($"Officer {officerId} {what} before its enrollment arrived.");
    }
}
