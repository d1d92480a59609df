using System.Data.Common;
using System.Text;
using System.Text.Json;
using Dapper;
using Reminders.Contracts;
using Reminders.Platform.Csv;
using Reminders.Platform.Data;

namespace Reminders.Enrollment.Randomization;

/// <summary>The record of one randomization: who, when, seed, strata, share, the sector-list hash and the algorithm version.</summary>
/// <param name="AllocationHash">SHA-256 of the allocation (see <see cref="StratifiedRandomizer.AllocationHash"/>); null for records older than it.</param>
/// <param name="PreRegistered">The seed's SHA-256 was registered before the draw (<see cref="SeedCommitment"/> says when).</param>
/// <param name="DryRuns">The dry runs that preceded this commit, oldest first: every seed tried is visible.</param>
public sealed record RandomizationRecord(
    Guid Id, string Status, long Seed, string AlgorithmVersion, IReadOnlyList<string> Strata, double TreatedShare,
    string? SectorListHash, int SectorCount, int TreatedCount, string RequestedBy, DateTimeOffset CreatedAt,
    string? VoidedBy, DateTimeOffset? VoidedAt, string? VoidReason,
    string? AllocationHash = null, bool PreRegistered = false, SeedCommitment? SeedCommitment = null, IReadOnlyList<DryRunRecord>? DryRuns = null);

/// <summary>One dry run: who asked, when, with what, and the hash of the allocation it showed. <see cref="RandomizationId"/>: the commit it preceded.</summary>
public sealed record DryRunRecord(
    Guid Id, long Seed, string AlgorithmVersion, IReadOnlyList<string> Strata, double TreatedShare, string AllocationHash, string SectorListHash,
    int SectorCount, int TreatedCount, string RequestedBy, DateTimeOffset CreatedAt, Guid? RandomizationId);

/// <summary>
/// A seed's SHA-256 registered before the draw (status <c>pending</c>, then <c>used</c> by the commit whose seed matches it,
/// or <c>replaced</c> by a newer one before any draw).
/// </summary>
public sealed record SeedCommitment(
    Guid Id, string SeedSha256, string RegisteredBy, DateTimeOffset RegisteredAt, string Status, Guid? RandomizationId,
    DateTimeOffset? ReplacedAt, string? ReplacedBy);

public sealed record VoidOutcome(RandomizationRecord? Record, bool NotFound = false, bool AlreadyVoided = false, IReadOnlyList<string>? StudyActivity = null)
{
    public IReadOnlyList<string> Activity => StudyActivity ?? [];
}

/// <summary>
/// Reads and writes the randomization record (tables <c>randomizations</c> and <c>allocation</c>). A commit and a void
/// each write the record, the sectors' arms, the officers' arms of randomization and the event in one transaction.
/// </summary>
public static class RandomizationRecords
{
    public const string Committed = "committed";
    public const string Voided = "voided";
    const int OfficerArmsPerMessage = 5_000;

    /// <summary>The allocation a seed gives, written nowhere but in the dry runs' record (who, when, inputs, allocation hash).</summary>
    public static async Task<(Allocation Allocation, IReadOnlyList<AllocatedSector> Sectors, DryRunRecord DryRun)> DryRunAsync(
        EnrollmentDatabase database, long seed, IReadOnlyList<string> strata, double treatedShare, string requestedBy, DateTimeOffset now, CancellationToken ct)
    {
        await using var work = await database.BeginAsync(ct);
        var sectors = await SectorsAsync(work.Connection, work.Transaction, "", ct);
        var allocation = Allocate(sectors, seed, strata, treatedShare);
        var allocated = Allocated(allocation, sectors, await OfficerCountsAsync(work.Connection, work.Transaction, ct));
        var dryRun = new DryRunRecord(Guid.CreateVersion7(now), seed, allocation.AlgorithmVersion, allocation.StrataColumns, allocation.TreatedShare,
            AllocationHash(allocation), allocation.SectorListHash, allocated.Count, allocation.TreatedCount, requestedBy, now, null);
        const string insertDryRun = """
            INSERT INTO randomization_dry_runs (id, seed, algorithm_version, strata_columns, treated_share, allocation_hash, sector_list_hash,
                                                sector_count, treated_count, requested_by, created_at)
            VALUES (@Id, @Seed, @AlgorithmVersion, @strataColumns, @TreatedShare, @AllocationHash, @SectorListHash,
                    @SectorCount, @TreatedCount, @RequestedBy, @CreatedAt)
            """;
        await work.ExecuteAsync(insertDryRun, new
        {
            dryRun.Id, dryRun.Seed, dryRun.AlgorithmVersion, strataColumns = JsonSerializer.Serialize(dryRun.Strata), dryRun.TreatedShare,
            dryRun.AllocationHash, dryRun.SectorListHash, dryRun.SectorCount, dryRun.TreatedCount, dryRun.RequestedBy, dryRun.CreatedAt,
        }, ct);
        await work.CommitAsync(ct);
        return (allocation, allocated, dryRun);
    }

    public static string AllocationHash(Allocation allocation) =>
        StratifiedRandomizer.AllocationHash(allocation.Sectors.Select(s => (s.Code, s.Stratum, s.Arm)));

    /// <summary>Null when a randomization is already committed (nothing written).</summary>
    public static async Task<(Guid Id, DateTimeOffset CreatedAt, Allocation Allocation, IReadOnlyList<AllocatedSector> Sectors)?> CommitAsync(
        EnrollmentDatabase database, long seed, IReadOnlyList<string> strata, double treatedShare, string requestedBy, DateTimeOffset now, CancellationToken ct)
    {
        await using var work = await database.BeginAsync(ct);
        // Serialized with sector loads and roster imports: no sector joins, and no officer is enrolled without the arm, while this is written.
        await work.LockAsync("sector-import", ct);
        await work.LockAsync("roster-import", ct);
        var sectors = await SectorsAsync(work.Connection, work.Transaction, work.Dialect.ForUpdate(), ct);
        if (await work.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM randomizations WHERE status = 'committed'", ct: ct) > 0)
            return null;
        var commitment = await SeedCommitments.MatchPendingAsync(work, seed, ct);

        var allocation = Allocate(sectors, seed, strata, treatedShare);
        var allocated = Allocated(allocation, sectors, await OfficerCountsAsync(work.Connection, work.Transaction, ct));
        var id = Guid.CreateVersion7(now);
        const string insertRecord = """
            INSERT INTO randomizations (id, seed, requested_by, created_at, assignments, algorithm_version, strata_columns, treated_share,
                                        sector_list_hash, sector_count, treated_count, status, allocation_hash)
            VALUES (@id, @seed, @requestedBy, @now, @assignments, @AlgorithmVersion, @strataColumns, @TreatedShare,
                    @SectorListHash, @sectorCount, @TreatedCount, 'committed', @allocationHash)
            """;
        await work.ExecuteAsync(insertRecord, new
        {
            id, seed, requestedBy, now, allocation.AlgorithmVersion, allocation.TreatedShare, allocation.SectorListHash, allocation.TreatedCount,
            assignments = JsonSerializer.Serialize(allocated.Select(s => new { s.SectorCode, s.Arm }), JsonSerializerOptions.Web),
            strataColumns = JsonSerializer.Serialize(allocation.StrataColumns), sectorCount = allocated.Count, allocationHash = AllocationHash(allocation),
        }, ct);
        // The dry runs since the last commit belong to this one; the commitment it matched is used and can no longer change.
        await work.ExecuteAsync("UPDATE randomization_dry_runs SET randomization_id = @id WHERE randomization_id IS NULL", new { id }, ct);
        if (commitment is not null) await SeedCommitments.MarkUsedAsync(work, commitment, id, ct);
        const string insertAllocation = """
            INSERT INTO allocation (randomization_id, sector_id, sector_code, stratum, arm, officers, commanders)
            VALUES (@id, @SectorId, @SectorCode, @Stratum, @Arm, @Officers, @Commanders)
            """;
        await work.ExecuteAsync(insertAllocation, allocated.Select(s => new { id, s.SectorId, s.SectorCode, s.Stratum, s.Arm, s.Officers, s.Commanders }), ct);
        await work.ExecuteAsync("UPDATE sectors SET arm = @Arm, randomization_id = @id WHERE id = @SectorId",
            allocated.Select(s => new { s.Arm, id, s.SectorId }), ct);
        // Every officer on the roster now takes the arm of their sector (those enrolled later take it at enrollment).
        await work.ExecuteAsync("UPDATE officers SET randomized_arm = (SELECT s.arm FROM sectors s WHERE s.id = officers.sector_id)", ct: ct);
        work.Publish(new SectorsRandomized(id, seed, allocated.Select(s => new SectorArm(s.SectorId, s.Arm, s.Stratum)).ToList(), now));
        var officerArms = await work.QueryAsync<OfficerArmRow>(
            "SELECT id AS OfficerId, sector_id, randomized_arm AS Arm FROM officers WHERE randomized_arm IS NOT NULL ORDER BY id", ct: ct);
        // Chunked so that a city-wide roster (100,000 officers) is a few hundred-kilobyte messages, not one huge one.
        foreach (var chunk in officerArms.Chunk(OfficerArmsPerMessage))
            work.Publish(new OfficerArmsAssigned(id, chunk.Select(o => new OfficerArm(o.OfficerId, o.SectorId, o.Arm, EnrolledAfterRandomization: false)).ToList(), now));
        await work.CommitAsync(ct);
        return (id, now, allocation, allocated);
    }

    public static async Task<VoidOutcome> VoidAsync(EnrollmentDatabase database, Guid id, string reason, string voidedBy, DateTimeOffset now, CancellationToken ct)
    {
        await using var work = await database.BeginAsync(ct);
        await work.LockAsync("sector-import", ct);
        await work.LockAsync("roster-import", ct);
        var record = (await work.QueryAsync<RecordRow>($"{SelectRecords} WHERE id = @id {work.Dialect.ForUpdate()}", new { id }, ct)).SingleOrDefault();
        if (record is null) return new VoidOutcome(null, NotFound: true);
        if (record.Status != Committed) return new VoidOutcome(null, AlreadyVoided: true);
        // Recorded by the consumers of the study's first SMS and first training: after either, the arms are in use.
        var activity = await work.QueryAsync<ActivityRow>("SELECT kind FROM study_activity ORDER BY kind", ct: ct);
        if (activity.Count > 0) return new VoidOutcome(null, StudyActivity: activity.Select(a => a.Kind).ToList());

        await work.ExecuteAsync("""
            UPDATE randomizations SET status = 'voided', voided_by = @voidedBy, voided_at = @now, void_reason = @reason
            WHERE id = @id AND status = 'committed'
            """, new { id, voidedBy, now, reason }, ct);
        await work.ExecuteAsync("UPDATE sectors SET arm = NULL, randomization_id = NULL WHERE randomization_id = @id", new { id }, ct);
        // With no arm there is no arm of randomization, and no transfer across arms.
        await work.ExecuteAsync("UPDATE officers SET randomized_arm = NULL, cross_arm_transfer = @no", new { no = false }, ct);
        var sectorIds = await work.QueryAsync<AllocationRow>("SELECT sector_id FROM allocation WHERE randomization_id = @id", new { id }, ct);
        work.Publish(new RandomizationVoided(id, sectorIds.Select(s => s.SectorId).ToList(), now));
        var voided = (await work.QueryAsync<RecordRow>($"{SelectRecords} WHERE id = @id", new { id }, ct)).Single();
        var voidedRecord = (await WithHistoryAsync(work.Connection, work.Transaction, [voided], ct)).Single();
        await work.CommitAsync(ct);
        return new VoidOutcome(voidedRecord);
    }

    public static async Task<IReadOnlyList<RandomizationRecord>> ListAsync(EnrollmentDatabase database, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        var rows = await connection.QueryAsync<RecordRow>(new CommandDefinition($"{SelectRecords} ORDER BY created_at, id", cancellationToken: ct));
        return await WithHistoryAsync(connection, null, rows.AsList(), ct);
    }

    public static async Task<RandomizationRecord?> FindAsync(EnrollmentDatabase database, Guid id, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        var row = await connection.QuerySingleOrDefaultAsync<RecordRow>(new CommandDefinition($"{SelectRecords} WHERE id = @id", new { id }, cancellationToken: ct));
        return row is null ? null : (await WithHistoryAsync(connection, null, [row], ct)).Single();
    }

    /// <summary>Every dry run, oldest first, with the commit each one preceded (null: none yet).</summary>
    public static async Task<IReadOnlyList<DryRunRecord>> DryRunsAsync(EnrollmentDatabase database, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        return await DryRunsAsync(connection, null, ct);
    }

    static async Task<IReadOnlyList<DryRunRecord>> DryRunsAsync(DbConnection connection, DbTransaction? transaction, CancellationToken ct)
    {
        const string sql = """
            SELECT id, seed, algorithm_version, strata_columns, treated_share,
                   allocation_hash, sector_list_hash, sector_count, treated_count,
                   requested_by, created_at, randomization_id
            FROM randomization_dry_runs ORDER BY created_at, id
            """;
        var rows = await connection.QueryAsync<DryRunRow>(new CommandDefinition(sql, transaction: transaction, cancellationToken: ct));
        return rows.Select(r => new DryRunRecord(r.Id, r.Seed, r.AlgorithmVersion, JsonSerializer.Deserialize<List<string>>(r.StrataColumns) ?? [],
            r.TreatedShare, r.AllocationHash, r.SectorListHash, (int)r.SectorCount, (int)r.TreatedCount, r.RequestedBy, r.CreatedAt, r.RandomizationId)).ToList();
    }

    /// <summary>The records with the dry runs that preceded each and the seed commitment each used (few rows: read whole).</summary>
    static async Task<IReadOnlyList<RandomizationRecord>> WithHistoryAsync(DbConnection connection, DbTransaction? transaction, IReadOnlyList<RecordRow> rows, CancellationToken ct)
    {
        if (rows.Count == 0) return [];
        var dryRuns = (await DryRunsAsync(connection, transaction, ct)).ToLookup(d => d.RandomizationId);
        var commitments = (await connection.QueryAsync<SeedCommitments.CommitmentRow>(new CommandDefinition(
                $"{SeedCommitments.Select} WHERE status = 'used'", transaction: transaction, cancellationToken: ct)))
            .ToDictionary(c => c.RandomizationId!.Value, c => c.ToCommitment());
        return rows.Select(r => r.ToRecord() with
        {
            PreRegistered = commitments.ContainsKey(r.Id), SeedCommitment = commitments.GetValueOrDefault(r.Id), DryRuns = dryRuns[r.Id].ToList(),
        }).ToList();
    }

    /// <summary>The allocation as recorded (also of a voided randomization), by sector code.</summary>
    public static async Task<IReadOnlyList<AllocatedSector>> AllocationAsync(EnrollmentDatabase database, Guid id, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        var rows = await connection.QueryAsync<AllocationRow>(new CommandDefinition("""
            SELECT sector_id, sector_code, stratum, arm, officers, commanders
            FROM allocation WHERE randomization_id = @id
            """, new { id }, cancellationToken: ct));
        return rows.Select(r => new AllocatedSector(r.SectorId, r.SectorCode, r.Stratum, r.Arm, (int)r.Officers, (int)r.Commanders))
            .OrderBy(s => Encoding.UTF8.GetBytes(s.SectorCode), Utf8Order.Instance).ToList();
    }

    const string SelectRecords = """
        SELECT id, status, seed, algorithm_version, strata_columns,
               treated_share, sector_list_hash, sector_count, treated_count,
               requested_by, created_at, voided_by, voided_at, void_reason,
               allocation_hash
        FROM randomizations
        """;

    static Allocation Allocate(IReadOnlyList<SectorRow> rows, long seed, IReadOnlyList<string> strata, double treatedShare)
    {
        var sectors = rows.Select(r => new SectorForRandomization(r.Code, ParseStrata(r.Strata))).ToList();
        return StratifiedRandomizer.Allocate(sectors, seed, ResolveColumns(strata, sectors), treatedShare);
    }

    /// <summary>
    /// A requested column matches a sector's stratum column exactly, or else ignoring case, accents and spacing when that
    /// names one column only ("alcaldia" → "Alcaldía"); the record keeps the sectors' own spelling.
    /// </summary>
    static List<string> ResolveColumns(IReadOnlyList<string> requested, IReadOnlyList<SectorForRandomization> sectors)
    {
        var known = sectors.SelectMany(s => s.Strata.Keys).ToHashSet(StringComparer.Ordinal);
        return requested.Select(column =>
            string.IsNullOrWhiteSpace(column) || known.Contains(column) ? column
            : known.Where(k => CsvText.NormalizeHeader(k) == CsvText.NormalizeHeader(column)).ToList() is [var only] ? only
            : column).ToList();
    }

    static Dictionary<string, string> ParseStrata(string json)
    {
        var strata = new Dictionary<string, string>(StringComparer.Ordinal);
        if (string.IsNullOrWhiteSpace(json)) return strata;
        using var document = JsonDocument.Parse(json);
        if (document.RootElement.ValueKind != JsonValueKind.Object) return strata;
        foreach (var property in document.RootElement.EnumerateObject())
            strata[property.Name] = property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString()! : property.Value.GetRawText();
        return strata;
    }

    static List<AllocatedSector> Allocated(Allocation allocation, IReadOnlyList<SectorRow> sectors, IReadOnlyList<CountRow> counts)
    {
        var ids = sectors.ToDictionary(s => s.Code, s => s.Id, StringComparer.Ordinal);
        var byRole = counts.ToDictionary(c => (c.SectorId, c.Role), c => (int)c.Count);
        int Count(Guid sector, string role) => byRole.GetValueOrDefault((sector, role));
        return allocation.Sectors.Select(s =>
        {
            var id = ids[s.Code];
            return new AllocatedSector(id, s.Code, s.Stratum, s.Arm, Count(id, "officer"), Count(id, "commander"));
        }).ToList();
    }

    static async Task<IReadOnlyList<SectorRow>> SectorsAsync(DbConnection connection, DbTransaction? transaction, string lockClause, CancellationToken ct) =>
        (await connection.QueryAsync<SectorRow>(new CommandDefinition(
            $"SELECT id, code, strata FROM sectors {lockClause}", transaction: transaction, cancellationToken: ct))).AsList();

    /// <summary>Officers and commanders per sector, as the balance table counts them: everyone still on the roster (not inactive).</summary>
    static async Task<IReadOnlyList<CountRow>> OfficerCountsAsync(DbConnection connection, DbTransaction? transaction, CancellationToken ct) =>
        (await connection.QueryAsync<CountRow>(new CommandDefinition("""
            SELECT sector_id, role, COUNT(*) AS Count FROM officers WHERE status <> 'inactive' GROUP BY sector_id, role
            """, transaction: transaction, cancellationToken: ct))).AsList();

    sealed record OfficerArmRow
    {
        public Guid OfficerId { get; init; }
        public Guid SectorId { get; init; }
        public string Arm { get; init; } = "";
    }

    sealed record SectorRow
    {
        public Guid Id { get; init; }
        public string Code { get; init; } = "";
        public string Strata { get; init; } = "{}";
    }

    sealed record CountRow
    {
        public Guid SectorId { get; init; }
        public string Role { get; init; } = "";
        public long Count { get; init; }
    }

    sealed record ActivityRow
    {
        public string Kind { get; init; } = "";
    }

    sealed record AllocationRow
    {
        public Guid SectorId { get; init; }
        public string SectorCode { get; init; } = "";
        public string Stratum { get; init; } = "";
        public string Arm { get; init; } = "";
        public long Officers { get; init; }
        public long Commanders { get; init; }
    }

    sealed record RecordRow
    {
        public Guid Id { get; init; }
        public string Status { get; init; } = "";
        public long Seed { get; init; }
        public string AlgorithmVersion { get; init; } = "";
        public string StrataColumns { get; init; } = "[]";
        public double TreatedShare { get; init; }
        public string? SectorListHash { get; init; }
        public long SectorCount { get; init; }
        public long TreatedCount { get; init; }
        public string RequestedBy { get; init; } = "";
        public DateTimeOffset CreatedAt { get; init; }
        public string? VoidedBy { get; init; }
        public DateTimeOffset? VoidedAt { get; init; }
        public string? VoidReason { get; init; }
        public string? AllocationHash { get; init; }

        public RandomizationRecord ToRecord() => new(Id, Status, Seed, AlgorithmVersion, JsonSerializer.Deserialize<List<string>>(StrataColumns) ?? [],
            TreatedShare, SectorListHash, (int)SectorCount, (int)TreatedCount, RequestedBy, CreatedAt, VoidedBy, VoidedAt, VoidReason, AllocationHash);
    }

    sealed record DryRunRow
    {
        public Guid Id { get; init; }
        public long Seed { get; init; }
        public string AlgorithmVersion { get; init; } = "";
        public string StrataColumns { get; init; } = "[]";
        public double TreatedShare { get; init; }
        public string AllocationHash { get; init; } = "";
        public string SectorListHash { get; init; } = "";
        public long SectorCount { get; init; }
        public long TreatedCount { get; init; }
        public string RequestedBy { get; init; } = "";
        public DateTimeOffset CreatedAt { get; init; }
        public Guid? RandomizationId { get; init; }
    }
}
