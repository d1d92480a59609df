namespace Reminders.Web.Services;

/// <summary>The study's counts and the randomization: the summary, the sectors' strata, dry runs, seed commitments, the commit and its record.</summary>
public sealed partial class EnrollmentClient
{
    public Task<ApiResult<StudySummary>> StudySummaryAsync(CancellationToken ct = default) =>
        GetAsync<StudySummary>("/api/enrollment/summary", ct);

    public Task<ApiResult<List<StrataSector>>> StrataSectorsAsync(CancellationToken ct = default) =>
        GetAsync<List<StrataSector>>("/api/enrollment/sectors", ct);

    /// <summary>A dry run (recorded, nothing assigned) or the commit (once).</summary>
    public Task<ApiResult<RandomizationOutcome>> RandomizeAsync(long seed, IReadOnlyList<string> strata, bool dryRun, CancellationToken ct = default) =>
        PostJsonAsync<RandomizationOutcome>("/api/enrollment/randomizations", new { seed, strata, dryRun }, ct);

    public Task<ApiResult<SeedCommitmentView>> RegisterSeedHashAsync(string seedSha256, CancellationToken ct = default) =>
        PostJsonAsync<SeedCommitmentView>("/api/enrollment/randomizations/seed-commitments", new { seedSha256 }, ct);

    public Task<ApiResult<List<SeedCommitmentView>>> SeedCommitmentsAsync(CancellationToken ct = default) =>
        GetAsync<List<SeedCommitmentView>>("/api/enrollment/randomizations/seed-commitments", ct);

    public Task<ApiResult<List<DryRunView>>> DryRunsAsync(CancellationToken ct = default) =>
        GetAsync<List<DryRunView>>("/api/enrollment/randomizations/dry-runs", ct);

    /// <summary>Every randomization, committed and voided, oldest first, each with its dry runs and seed commitment.</summary>
    public Task<ApiResult<List<RandomizationRecordView>>> RandomizationsAsync(CancellationToken ct = default) =>
        GetAsync<List<RandomizationRecordView>>("/api/enrollment/randomizations", ct);

    public Task<ApiResult<BalanceView>> BalanceAsync(Guid randomizationId, CancellationToken ct = default) =>
        GetAsync<BalanceView>($"/api/enrollment/randomizations/{randomizationId}/balance", ct);

    /// <summary><c>allocation</c> or <c>balance</c>: the randomization's CSV as the service writes it.</summary>
    public Task<ApiResult<DownloadedFile>> RandomizationCsvAsync(Guid randomizationId, string table, CancellationToken ct = default) =>
        DownloadAsync(new HttpRequestMessage(HttpMethod.Get, $"/api/enrollment/randomizations/{randomizationId}/{table}.csv"), ct);
}

/// <param name="SectorsByArm">Sectors randomized, by arm (empty before the draw).</param>
public sealed record StudySummary(
    int Sectors, IReadOnlyDictionary<string, long> SectorsByArm, long OfficersTotal, IReadOnlyList<StudyOfficerCount> Officers, long ConsentNo,
    StudyRandomization? Randomization);

/// <param name="Arm">Arm of randomization; null before the draw.</param>
public sealed record StudyOfficerCount(string? Arm, string Status, long Count);

public sealed record StudyRandomization(Guid Id, DateTimeOffset CreatedAt, string RequestedBy);

/// <summary>A sector with its extra columns (the strata a randomization may use).</summary>
public sealed record StrataSector(Guid Id, string Code, string Name, IReadOnlyDictionary<string, string> Strata, string? Arm, long Officers, long Commanders);

public sealed record RandomizationOutcome(
    Guid? Id, string Status, long Seed, string AlgorithmVersion, IReadOnlyList<string> Strata, double TreatedShare, string SectorListHash,
    int SectorCount, int TreatedCount, string? RequestedBy, DateTimeOffset? CreatedAt, BalanceTableView Balance,
    Guid? DryRunId = null, string? AllocationHash = null, bool PreRegistered = false);

public sealed record BalanceTableView(IReadOnlyList<BalanceRowView> Strata, IReadOnlyList<BalanceRowView> Arms);

public sealed record BalanceView(Guid RandomizationId, string Status, IReadOnlyList<BalanceRowView> Strata, IReadOnlyList<BalanceRowView> Arms);

/// <param name="Stratum">Null: the arm over all strata.</param>
public sealed record BalanceRowView(string Arm, string? Stratum, int Sectors, int Officers, int Commanders, double? MeanSectorSize);

public sealed record SeedCommitmentView(
    Guid Id, string SeedSha256, string RegisteredBy, DateTimeOffset RegisteredAt, string Status, Guid? RandomizationId, DateTimeOffset? ReplacedAt, string? ReplacedBy);

public sealed record DryRunView(
    Guid Id, long Seed, string AlgorithmVersion, IReadOnlyList<string> Strata, double TreatedShare, string AllocationHash, string SectorListHash,
    int SectorCount, int TreatedCount, string RequestedBy, DateTimeOffset CreatedAt, Guid? RandomizationId);

public sealed record RandomizationRecordView(
    Guid Id, string Status, long Seed, string AlgorithmVersion, IReadOnlyList<string> Strata, double TreatedShare, string? SectorListHash,
    int SectorCount, int TreatedCount, string RequestedBy, DateTimeOffset CreatedAt, string? VoidedBy, DateTimeOffset? VoidedAt, string? VoidReason,
    string? AllocationHash = null, bool PreRegistered = false, SeedCommitmentView? SeedCommitment = null, IReadOnlyList<DryRunView>? DryRuns = null);
