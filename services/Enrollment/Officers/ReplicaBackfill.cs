using Reminders.Contracts;
using Reminders.Platform.Data;

namespace Reminders.Enrollment.Officers;

/// <summary>
/// After the upgrade that made arms of randomization and consent travel, tells the other services once what they could
/// not learn before: every officer's arm of randomization, and the consent of those whose roster says no (their
/// replicas started from "yes"). Runs at start-up, after the migrations; once done it does nothing.
/// </summary>
public sealed class ReplicaBackfill(EnrollmentDatabase database, TimeProvider clock,
    ILogger<ReplicaBackfill> logger) : IHostedService
{
    public const string Name = "officer-arms-and-consent";
    const int OfficersPerMessage = 5_000;

    public Task StartAsync(CancellationToken cancellationToken) => RunAsync(cancellationToken);
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Publishes the backfill if it is pending (in one transaction with marking it done); false when there was none.</summary>
    public async Task<bool> RunAsync(CancellationToken ct)
    {
        await using var work = await database.BeginAsync(ct);
        await work.LockAsync("roster-import", ct);
        var pending = await work.QuerySingleOrDefaultAsync<long?>(
            "SELECT 1 FROM replica_backfills WHERE name = @Name AND done_at IS NULL", new { Name }, ct);
        if (pending is null) return false;
        var now = clock.GetUtcNow();
        // Their arm of randomization, which replicas had taken from the sector they were in at the upgrade.
        var randomizationId = await work.QuerySingleOrDefaultAsync<Guid?>("SELECT id FROM randomizations WHERE status = 'committed'", ct: ct);
        var arms = randomizationId is null ? [] : await work.QueryAsync<ArmRow>(
            "SELECT id AS OfficerId, sector_id, randomized_arm AS Arm FROM officers WHERE randomized_arm IS NOT NULL ORDER BY id", ct: ct);
        foreach (var chunk in arms.Chunk(OfficersPerMessage))
            work.Publish(new OfficerArmsAssigned(randomizationId!.Value, chunk.Select(o => new OfficerArm(o.OfficerId, o.SectorId, o.Arm, false)).ToList(), now));
        var refused = await work.QueryAsync<Guid>("SELECT id FROM officers WHERE consent = @no ORDER BY id", new { no = false }, ct);
        foreach (var officerId in refused) work.Publish(new OfficerConsentChanged(officerId, false, now));
        await work.ExecuteAsync("UPDATE replica_backfills SET done_at = @now WHERE name = @Name", new { now, Name }, ct);
        await work.CommitAsync(ct);
        logger.LogInformation("Replica backfill: arms of randomization for {Officers} officers and consent 'no' for {Refused} announced", arms.Count, refused.Count);
        return true;
    }

    sealed record ArmRow
    {
        public Guid OfficerId { get; init; }
        public Guid SectorId { get; init; }
        public string Arm { get; init; } = "";
    }
}
