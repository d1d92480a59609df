using System.Data.Common;
using System.Text.Json;
using Dapper;
using Reminders.Platform.Data;

namespace Reminders.Attendance.Dosage;

/// <summary>
/// Endline freezes of the ledger. Each snapshot is a new version with an instant (<c>as_of</c>: a cohort's endline, or
/// the moment of a manager's freeze) and the officers it holds, fixed when taken. Its values are the ledger as of that
/// instant: events count by when they happened, not by when they were folded, so a delivery receipt dated before the
/// endline counts however late it arrives and a reminder sent after it never does. Late events keep arriving for a
/// while (carrier receipts, a broker outage), so the rows are written only when the snapshot is sealed, a settling time
/// after its instant; until then they are read from the ledger as of the instant. Rows are inserted once and never
/// updated or deleted (no statement here or anywhere else does), so a sealed version reads the same bytes whatever the
/// ledger learns later.
/// </summary>
public static class DosageSnapshots
{
    public const string StudyScope = "study";
    public const string CohortScope = "cohort";

    /// <summary>
    /// A snapshot's header. <see cref="Scope"/> is <c>study</c> or the cohort id; <see cref="AsOf"/> the instant its
    /// values are as of; <see cref="SealedAt"/> when its rows were written for good (null while settling).
    /// </summary>
    public sealed record Snapshot(int Version, DateTimeOffset TakenAt, string TakenBy, string Reason, string Scope, int Officers,
        DateTimeOffset AsOf, DateTimeOffset? SealedAt);

    /// <summary>A frozen row: the officer's dose as it was at <see cref="FrozenAt"/> (the snapshot's instant).</summary>
    public sealed record FrozenRow(Guid OfficerId, int Version, DateTimeOffset FrozenAt, DosageRow Dose);

    static readonly JsonSerializerOptions RowJson = new(JsonSerializerDefaults.Web);

    /// <summary>
    /// Takes the next version, holding <paramref name="officerIds"/> (every officer the ledger knows when null) as of
    /// <paramref name="asOf"/>; sealed at once when <paramref name="settle"/> has already passed since then. For a cohort's
    /// endline (<paramref name="cohortId"/> set), null when that cohort was already frozen.
    /// </summary>
    public static async Task<Snapshot?> TakeAsync(AttendanceDatabase database, string takenBy, string reason, Guid? cohortId,
        IReadOnlyCollection<Guid>? officerIds, DateTimeOffset asOf, DateTimeOffset now, TimeSpan settle, CancellationToken ct)
    {
        await using var work = await database.BeginAsync(ct);
        // One freezer at a time: versions are consecutive and a cohort is frozen once.
        await work.LockAsync("dosage-snapshots", ct);
        if (cohortId is not null && await work.QuerySingleOrDefaultAsync<long?>(
                "SELECT version FROM dosage_snapshots WHERE cohort_id = @cohortId", new { cohortId }, ct) is not null)
            return null;
        var version = await work.ExecuteScalarAsync<int>("SELECT COALESCE(MAX(version), 0) + 1 FROM dosage_snapshots", ct: ct);
        var members = officerIds?.Distinct().ToList() ?? (await work.QueryAsync<Guid>(DosageLedger.KnownOfficersSql, ct: ct)).ToList();
        var scope = cohortId is null ? StudyScope : CohortScope;
        await work.ExecuteAsync("""
            INSERT INTO dosage_snapshots (version, taken_at, taken_by, reason, scope, cohort_id, officers, as_of)
            VALUES (@version, @now, @takenBy, @reason, @scope, @cohortId, @officers, @asOf)
            """, new { version, now, takenBy, reason, scope, cohortId, officers = members.Count, asOf }, ct);
        await InsertMembersAsync(work, version, members, ct);
        DateTimeOffset? sealedAt = null;
        if (now >= asOf + settle)
        {
            await SealAsync(work, version, members, asOf, now, ct);
            sealedAt = now;
        }
        await work.CommitAsync(ct);
        return new Snapshot(version, now, takenBy, reason, cohortId?.ToString() ?? StudyScope, members.Count, asOf, sealedAt);
    }

    /// <summary>Seals every snapshot whose instant is at least <paramref name="settle"/> ago; returns the versions sealed.</summary>
    public static async Task<IReadOnlyList<int>> SealSettledAsync(AttendanceDatabase database, TimeSpan settle, DateTimeOffset now, CancellationToken ct)
    {
        var settledBefore = now - settle;
        List<int> due;
        await using (var connection = await database.OpenAsync(ct))
            due = (await connection.QueryAsync<int>(new CommandDefinition(
                "SELECT version FROM dosage_snapshots WHERE sealed_at IS NULL AND as_of <= @settledBefore ORDER BY version",
                new { settledBefore }, cancellationToken: ct))).AsList();
        var sealedVersions = new List<int>();
        foreach (var version in due)
        {
            await using var work = await database.BeginAsync(ct);
            await work.LockAsync("dosage-snapshots", ct);
            // Another instance may have sealed it meanwhile.
            if (await work.QuerySingleOrDefaultAsync<DateTimeOffset?>("SELECT as_of FROM dosage_snapshots WHERE version = @version AND sealed_at IS NULL",
                    new { version }, ct) is not { } asOf)
                continue;
            var members = await work.QueryAsync<Guid>("SELECT officer_id FROM dosage_snapshot_members WHERE version = @version", new { version }, ct);
            await SealAsync(work, version, members, asOf, now, ct);
            await work.CommitAsync(ct);
            sealedVersions.Add(version);
        }
        return sealedVersions;
    }

    /// <summary>Writes the snapshot's rows, read from the ledger as of its instant, and marks it sealed.</summary>
    static async Task SealAsync(UnitOfWork work, int version, IReadOnlyCollection<Guid> members, DateTimeOffset asOf, DateTimeOffset now, CancellationToken ct)
    {
        var rows = members.Count == 0 ? [] : await DosageLedger.ReadAsync(work.Connection, work.Transaction, members, ct, asOf: asOf);
        await InsertRowsAsync(work, version, rows, ct);
        await work.ExecuteAsync("UPDATE dosage_snapshots SET sealed_at = @now WHERE version = @version", new { now, version }, ct);
    }

    static async Task InsertMembersAsync(UnitOfWork work, int version, IReadOnlyList<Guid> members, CancellationToken ct)
    {
        if (work.Dialect == SqlDialect.Postgres)
        {
            foreach (var chunk in members.Chunk(5000))
                await work.ExecuteAsync("INSERT INTO dosage_snapshot_members (version, officer_id) SELECT @version, o FROM unnest(@officers) AS t(o)",
                    new { version, officers = chunk }, ct);
            return;
        }
        await work.ExecuteAsync("INSERT INTO dosage_snapshot_members (version, officer_id) VALUES (@version, @officerId)",
            members.Select(officerId => new { version, officerId }), ct);
    }

    static async Task InsertRowsAsync(UnitOfWork work, int version, IReadOnlyList<DosageRow> rows, CancellationToken ct)
    {
        if (work.Dialect == SqlDialect.Postgres)
        {
            // One statement per thousand rows: a study of 100,000 officers freezes in seconds, not one round trip each.
            foreach (var chunk in rows.Chunk(1000))
                await work.ExecuteAsync("""
                    INSERT INTO dosage_snapshot_rows (version, officer_id, dose)
                    SELECT @version, o, d FROM unnest(@officers, @doses) AS t(o, d)
                    """, new { version, officers = chunk.Select(r => r.OfficerId).ToArray(), doses = chunk.Select(Serialize).ToArray() }, ct);
            return;
        }
        await work.ExecuteAsync("INSERT INTO dosage_snapshot_rows (version, officer_id, dose) VALUES (@version, @OfficerId, @Dose)",
            rows.Select(r => new { version, r.OfficerId, Dose = Serialize(r) }), ct);
    }

    static string Serialize(DosageRow row) => JsonSerializer.Serialize(row, RowJson);

    public static async Task<IReadOnlyList<Snapshot>> ListAsync(DbConnection connection, CancellationToken ct) =>
        (await connection.QueryAsync<SnapshotRecord>(new CommandDefinition(
            $"SELECT {HeaderColumns} FROM dosage_snapshots ORDER BY version", cancellationToken: ct))).Select(r => r.ToSnapshot()).ToList();

    public static async Task<Snapshot?> FindAsync(DbConnection connection, int version, CancellationToken ct) =>
        (await connection.QuerySingleOrDefaultAsync<SnapshotRecord>(new CommandDefinition(
            $"SELECT {HeaderColumns} FROM dosage_snapshots WHERE version = @version", new { version }, cancellationToken: ct)))?.ToSnapshot();

    public static Task<int?> LatestVersionAsync(DbConnection connection, CancellationToken ct) =>
        connection.ExecuteScalarAsync<int?>(new CommandDefinition("SELECT MAX(version) FROM dosage_snapshots", cancellationToken: ct));

    const string HeaderColumns = "version, taken_at, taken_by, reason, scope, cohort_id, officers, as_of, sealed_at";

    /// <summary>
    /// The frozen rows of <paramref name="version"/>, or (null) each officer's row from the first snapshot that holds
    /// them; with each row's <c>post_endline_events</c>. Rows of a snapshot still settling are read from the ledger as of
    /// its instant (on <paramref name="parallel"/>'s connections when given).
    /// </summary>
    public static async Task<IReadOnlyList<(FrozenRow Row, int PostEndlineEvents)>> ReadFrozenAsync(DbConnection connection, int? version, CancellationToken ct,
        AttendanceDatabase? parallel = null)
    {
        var frozen = version is null
            // An officer's endline is the first freeze that held them: a later study-wide freeze (for the control arm) or a
            // re-freeze does not move it (those are read with ?snapshot=N or latest).
            ? "SELECT officer_id, MIN(version) AS version FROM dosage_snapshot_members GROUP BY officer_id"
            : "SELECT officer_id, version FROM dosage_snapshot_members WHERE version = @version";
        var stored = await connection.QueryAsync<FrozenRecord>(new CommandDefinition($"""
            SELECT r.officer_id, r.version, s.as_of AS FrozenAt, r.dose
            FROM ({frozen}) f
            JOIN dosage_snapshot_rows r ON r.officer_id = f.officer_id AND r.version = f.version
            JOIN dosage_snapshots s ON s.version = r.version
            """, new { version }, cancellationToken: ct));
        var rows = stored.Select(r => new FrozenRow(r.OfficerId, r.Version, r.FrozenAt, JsonSerializer.Deserialize<DosageRow>(r.Dose, RowJson)!)).ToList();

        var settling = (await connection.QueryAsync<SettlingMember>(new CommandDefinition($"""
            SELECT f.officer_id, f.version, s.as_of
            FROM ({frozen}) f JOIN dosage_snapshots s ON s.version = f.version
            WHERE s.sealed_at IS NULL
            """, new { version }, cancellationToken: ct))).GroupBy(m => (m.Version, m.AsOf));
        foreach (var snapshot in settling)
        {
            var (settlingVersion, asOf) = snapshot.Key;
            foreach (var dose in await DosageLedger.ReadAsync(connection, null, snapshot.Select(m => m.OfficerId).ToList(), ct, parallel, asOf))
                rows.Add(new FrozenRow(dose.OfficerId, settlingVersion, asOf, dose));
        }

        var later = (await connection.QueryAsync<LaterEvents>(new CommandDefinition($"""
            SELECT f.officer_id, COUNT(*) AS Events
            FROM ({frozen}) f
            JOIN dosage_snapshots s ON s.version = f.version
            JOIN ({LedgerFacts}) e ON e.officer_id = f.officer_id AND e.at > s.as_of
            GROUP BY f.officer_id
            """, new { version }, cancellationToken: ct))).ToDictionary(e => e.OfficerId, e => (int)e.Events);
        return rows.Select(r => (r, later.GetValueOrDefault(r.OfficerId))).ToList();
    }

    /// <summary>
    /// Every dated fact the ledger folds, one row each (officer_id, at): each SMS event (accepted, status callback, failed,
    /// refused) at its event time, each reminder acknowledgment and skip, each study-status change. post_endline_events
    /// counts those after the row's frozen_at, the snapshot's instant (the codebook says so).
    /// </summary>
    const string LedgerFacts = """
        SELECT l.officer_id, h.occurred_at AS at FROM sms_status_history h JOIN sms_ledger l ON l.sms_id = h.sms_id
        UNION ALL SELECT officer_id, acknowledged_at FROM reminder_ledger WHERE acknowledged_at IS NOT NULL
        UNION ALL SELECT officer_id, skipped_at FROM reminder_ledger WHERE skipped_at IS NOT NULL
        UNION ALL SELECT officer_id, changed_at FROM officer_status_history
        """;

    sealed record SnapshotRecord
    {
        public int Version { get; init; }
        public DateTimeOffset TakenAt { get; init; }
        public string TakenBy { get; init; } = "";
        public string Reason { get; init; } = "";
        public string Scope { get; init; } = "";
        public Guid? CohortId { get; init; }
        public int Officers { get; init; }
        public DateTimeOffset AsOf { get; init; }
        public DateTimeOffset? SealedAt { get; init; }
        public Snapshot ToSnapshot() => new(Version, TakenAt, TakenBy, Reason, CohortId?.ToString() ?? Scope, Officers, AsOf, SealedAt);
    }

    sealed record SettlingMember
    {
        public Guid OfficerId { get; init; }
        public int Version { get; init; }
        public DateTimeOffset AsOf { get; init; }
    }

    sealed record LaterEvents
    {
        public Guid OfficerId { get; init; }
        public long Events { get; init; }
    }

    sealed record FrozenRecord
    {
        public Guid OfficerId { get; init; }
        public int Version { get; init; }
        public DateTimeOffset FrozenAt { get; init; }
        public string Dose { get; init; } = "";
    }
}
