using System.Data.Common;
using System.Security.Claims;
using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using Reminders.Platform.Auth;
using Reminders.Platform.Data;
using Reminders.Platform.Hosting;

namespace Reminders.Enrollment.Randomization;

/// <summary>
/// Randomize (dry run or commit, once), void before the study starts, and read the record, the allocation and the
/// balance table (managers and researchers; sector ids and codes only, no names).
/// </summary>
public static class RandomizationApi
{
    const int MaxReasonLength = 1000;

    /// <param name="Seed">Required; any 64-bit integer.</param>
    /// <param name="Strata">Stratum column names of the sectors (none: one stratum).</param>
    /// <param name="TreatedShare">Strictly between 0 and 1; default one half.</param>
    /// <param name="DryRun">Show the allocation the seed gives without writing anything.</param>
    public sealed record RandomizeRequest(long? Seed, IReadOnlyList<string>? Strata, double? TreatedShare, bool? DryRun);

    public sealed record VoidRequest(string? Reason);

    /// <param name="SeedSha256">SHA-256 of the seed's decimal text in UTF-8, as 64 hex digits (e.g. <c>printf %s 123456789 | sha256sum</c>).</param>
    public sealed record SeedCommitmentRequest(string? SeedSha256);

    /// <summary>A dry run (<see cref="Id"/> null, status <c>dry-run</c>) or a committed randomization, with its allocation and balance.</summary>
    /// <param name="DryRunId">A dry run's id in <c>GET .../dry-runs</c> (null for a commit).</param>
    /// <param name="AllocationHash">SHA-256 of the allocation: a dry run and the commit with the same inputs show the same hash.</param>
    /// <param name="PreRegistered">A commit whose seed matched the registered seed commitment.</param>
    public sealed record RandomizationResult(
        Guid? Id, string Status, long Seed, string AlgorithmVersion, IReadOnlyList<string> Strata, double TreatedShare,
        string SectorListHash, int SectorCount, int TreatedCount, string? RequestedBy, DateTimeOffset? CreatedAt,
        IReadOnlyList<AllocatedSector> Assignments, BalanceTable Balance,
        Guid? DryRunId = null, string? AllocationHash = null, bool PreRegistered = false);

    public sealed record AllocationResponse(Guid RandomizationId, string Status, IReadOnlyList<AllocatedSector> Assignments);

    public sealed record BalanceResponse(Guid RandomizationId, string Status, IReadOnlyList<BalanceRow> Strata, IReadOnlyList<BalanceRow> Arms);

    public static IEndpointRouteBuilder MapRandomizationApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/enrollment/randomizations").WithTags("Enrollment");
        api.MapPost("/", Randomize).RequireAuthorization(Roles.Manager)
            .WithSummary("Randomize the sectors, stratified (seed, strata, treatedShare): a dry run shows the allocation (and is recorded), a commit records it once.")
            .WithDescription("Every dry run is recorded (who, when, seed, allocation hash) and listed in the record of the commit it preceded. "
                + "When a seed commitment is pending, a commit whose seed does not match it is 409 (field seed) and writes nothing. " + SeedHashDescription);
        api.MapPost("/seed-commitments", RegisterSeed).RequireAuthorization(Roles.Manager)
            .WithSummary("Register the seed's SHA-256 before the draw (pre-registration); the commit must then present that seed.")
            .WithDescription(SeedHashDescription + " A new registration before the draw replaces the pending one, which stays in the history "
                + "(a lost seed must not block the study; every replacement is visible); once a randomization is committed, 409.");
        api.MapGet("/seed-commitments", SeedCommitmentList).RequireAnyRole(Roles.Manager, Roles.Researcher)
            .WithSummary("Every seed commitment, oldest first: pending, used (with its randomization) or replaced (when, by whom).");
        api.MapGet("/dry-runs", DryRuns).RequireAnyRole(Roles.Manager, Roles.Researcher)
            .WithSummary("Every dry run, oldest first: who, when, seed, strata, share, allocation hash, sector-list hash, and the commit it preceded.");
        api.MapPost("/{id:guid}/void", Void).RequireAuthorization(Roles.Manager)
            .WithSummary("Void the committed randomization before any SMS or training exists (reason required); kept in the audit trail.");
        api.MapGet("/", List).RequireAnyRole(Roles.Manager, Roles.Researcher)
            .WithSummary("Every randomization, committed and voided, oldest first.");
        api.MapGet("/current", Current).RequireAnyRole(Roles.Manager, Roles.Researcher)
            .WithSummary("The committed randomization's record (404 when none is committed).");
        api.MapGet("/{id:guid}", Get).RequireAnyRole(Roles.Manager, Roles.Researcher)
            .WithSummary("One randomization's record: seed, algorithm, strata, share, sector-list and allocation hashes, dry runs, seed commitment.");
        api.MapGet("/{id:guid}/allocation", Allocation).RequireAnyRole(Roles.Manager, Roles.Researcher)
            .WithSummary("Each sector's id, code, stratum and arm.");
        api.MapGet("/{id:guid}/allocation.csv", AllocationCsv).RequireAnyRole(Roles.Manager, Roles.Researcher)
            .WithSummary("The allocation as CSV (sector_code, stratum, arm): what a researcher re-derives it from.");
        api.MapGet("/{id:guid}/balance", Balance).RequireAnyRole(Roles.Manager, Roles.Researcher)
            .WithSummary("Per arm and stratum: sectors, officers, commanders, mean sector size (as at randomization).");
        api.MapGet("/{id:guid}/balance.csv", BalanceCsv).RequireAnyRole(Roles.Manager, Roles.Researcher)
            .WithSummary("The balance table as CSV.");
        return app;
    }

    static async Task<Results<Ok<RandomizationResult>, Created<RandomizationResult>, ProblemHttpResult>> Randomize(
        RandomizeRequest request, ClaimsPrincipal user, EnrollmentDatabase database,
        TimeProvider clock, CancellationToken ct)
    {
        if (request.Seed is not { } seed)
            return Refusals.Invalid("seed", "A seed is required (an integer); it is recorded so the allocation can be re-derived.");
        var strata = request.Strata ?? [];
        var share = request.TreatedShare ?? 0.5;
        try
        {
            if (request.DryRun == true)
            {
                var (allocation, sectors, dryRun) = await RandomizationRecords.DryRunAsync(database, seed, strata, share, user.Identity?.Name ?? "", clock.GetUtcNow(), ct);
                return TypedResults.Ok(Result(allocation, sectors, id: null, "dry-run", requestedBy: dryRun.RequestedBy, createdAt: dryRun.CreatedAt) with
                {
                    DryRunId = dryRun.Id, AllocationHash = dryRun.AllocationHash,
                });
            }
            var committed = await RandomizationRecords.CommitAsync(database, seed, strata, share, user.Identity?.Name ?? "", clock.GetUtcNow(), ct);
            if (committed is null)
                return Refusals.Conflict(null, "Already randomized",
                    "A randomization is committed; an allocation is never redone. Void it first (only possible before any SMS or training).");
            var (id, createdAt, committedAllocation, committedSectors) = committed.Value;
            var record = await RandomizationRecords.FindAsync(database, id, ct);
            return TypedResults.Created($"/api/enrollment/randomizations/{id}",
                Result(committedAllocation, committedSectors, id, RandomizationRecords.Committed, user.Identity?.Name ?? "", createdAt) with
                {
                    AllocationHash = record?.AllocationHash, PreRegistered = record?.PreRegistered ?? false,
                });
        }
        catch (RandomizationInputException ex)
        {
            return Refusals.Invalid(ex.Field, ex.Message);
        }
        catch (SeedMismatchException ex)
        {
            return Refusals.Refuse(StatusCodes.Status409Conflict, "seed", "Not the registered seed", ex.Message,
                new Dictionary<string, object?> { ["seedCommitmentId"] = ex.Commitment.Id });
        }
        catch (DbException ex) when (ex.IsUniqueViolation())
        {
            return Refusals.Conflict(null, "Already randomized", "Another randomization was committed at the same time; this one was not.");
        }
    }

    static RandomizationResult Result(Allocation allocation, IReadOnlyList<AllocatedSector> sectors, Guid? id, string status, string? requestedBy, DateTimeOffset? createdAt) =>
        new(id, status, allocation.Seed, allocation.AlgorithmVersion, allocation.StrataColumns, allocation.TreatedShare, allocation.SectorListHash,
            sectors.Count, allocation.TreatedCount, requestedBy, createdAt, sectors, RandomizationBalance.Compute(sectors));

    const string SeedHashDescription = "A seed commitment is the lowercase hex SHA-256 of the seed's decimal text in UTF-8 (invariant digits, "
        + "'-' for a negative seed, no '+' or leading zeros): for seed 123456789, printf %s 123456789 | sha256sum. "
        + "Pick an unguessable seed (e.g. od -An -N8 -tu8 /dev/urandom): a small one can be found from its hash.";

    static async Task<Results<Created<SeedCommitment>, ProblemHttpResult>> RegisterSeed(
        SeedCommitmentRequest request, ClaimsPrincipal user, EnrollmentDatabase database,
        TimeProvider clock, CancellationToken ct)
    {
        if (SeedCommitments.NormalizeSha256(request.SeedSha256) is not { } seedSha256)
            return Refusals.Invalid("seedSha256", "seedSha256 must be 64 hex digits: the SHA-256 of the seed's decimal text in UTF-8 (printf %s 123456789 | sha256sum).");
        var commitment = await SeedCommitments.RegisterAsync(database, seedSha256, user.Identity?.Name ?? "", clock.GetUtcNow(), ct);
        if (commitment is null)
            return Refusals.Conflict("seedSha256", "Already randomized",
                "A randomization is committed: its seed commitment (if any) is used and cannot change. Void it first (only possible before any SMS or training).");
        return TypedResults.Created("/api/enrollment/randomizations/seed-commitments", commitment);
    }

    static async Task<Ok<IReadOnlyList<SeedCommitment>>> SeedCommitmentList(EnrollmentDatabase database, CancellationToken ct) =>
        TypedResults.Ok(await SeedCommitments.ListAsync(database, ct));

    static async Task<Ok<IReadOnlyList<DryRunRecord>>> DryRuns(EnrollmentDatabase database, CancellationToken ct) =>
        TypedResults.Ok(await RandomizationRecords.DryRunsAsync(database, ct));

    static async Task<Results<Ok<RandomizationRecord>, ProblemHttpResult>> Void(
        Guid id, VoidRequest request, ClaimsPrincipal user, EnrollmentDatabase database,
        TimeProvider clock, CancellationToken ct)
    {
        var reason = request.Reason?.Trim() ?? "";
        if (reason.Length == 0)
            return Refusals.Invalid("reason", "A reason is required to void a randomization; it stays in the audit trail.");
        if (reason.Length > MaxReasonLength)
            return Refusals.Invalid("reason", $"A reason has at most {MaxReasonLength} characters.");
        var outcome = await RandomizationRecords.VoidAsync(database, id, reason, user.Identity?.Name ?? "", clock.GetUtcNow(), ct);
        return outcome switch
        {
            { Record: { } record } => TypedResults.Ok(record),
            { NotFound: true } => NotFound(id),
            { AlreadyVoided: true } => Refusals.Conflict(null, "Already voided", "This randomization is already voided."),
            _ => Refusals.Conflict(null, "The study has started",
                $"A randomization can only be voided before any SMS or training exists; already seen: {string.Join(", ", outcome.Activity)}."),
        };
    }

    static async Task<Ok<IReadOnlyList<RandomizationRecord>>> List(EnrollmentDatabase database, CancellationToken ct) =>
        TypedResults.Ok(await RandomizationRecords.ListAsync(database, ct));

    static async Task<Results<Ok<RandomizationRecord>, ProblemHttpResult>> Current(
        EnrollmentDatabase database, CancellationToken ct) =>
        (await RandomizationRecords.ListAsync(database, ct)).SingleOrDefault(r => r.Status == RandomizationRecords.Committed) is { } current
            ? TypedResults.Ok(current)
            : TypedResults.Problem(title: "Not randomized", detail: "No randomization is committed.", statusCode: 404);

    static async Task<Results<Ok<RandomizationRecord>, ProblemHttpResult>> Get(
        Guid id, EnrollmentDatabase database, CancellationToken ct) =>
        await RandomizationRecords.FindAsync(database, id, ct) is { } record ? TypedResults.Ok(record) : NotFound(id);

    static async Task<Results<Ok<AllocationResponse>, ProblemHttpResult>> Allocation(
        Guid id, EnrollmentDatabase database, CancellationToken ct) =>
        await RandomizationRecords.FindAsync(database, id, ct) is { } record
            ? TypedResults.Ok(new AllocationResponse(id, record.Status, await RandomizationRecords.AllocationAsync(database, id, ct)))
            : NotFound(id);

    static async Task<Results<FileContentHttpResult, ProblemHttpResult>> AllocationCsv(
        Guid id, EnrollmentDatabase database, CancellationToken ct)
    {
        if (await RandomizationRecords.FindAsync(database, id, ct) is null) return NotFound(id);
        var sectors = await RandomizationRecords.AllocationAsync(database, id, ct);
        return Csv(RandomizationBalance.AllocationCsv(sectors.Select(s => (s.SectorCode, s.Stratum, s.Arm))), $"allocation-{id}.csv");
    }

    static async Task<Results<Ok<BalanceResponse>, ProblemHttpResult>> Balance(
        Guid id, EnrollmentDatabase database, CancellationToken ct)
    {
        if (await RandomizationRecords.FindAsync(database, id, ct) is not { } record) return NotFound(id);
        var table = RandomizationBalance.Compute(await RandomizationRecords.AllocationAsync(database, id, ct));
        return TypedResults.Ok(new BalanceResponse(id, record.Status, table.Strata, table.Arms));
    }

    static async Task<Results<FileContentHttpResult, ProblemHttpResult>> BalanceCsv(
        Guid id, EnrollmentDatabase database, CancellationToken ct)
    {
        if (await RandomizationRecords.FindAsync(database, id, ct) is null) return NotFound(id);
        var table = RandomizationBalance.Compute(await RandomizationRecords.AllocationAsync(database, id, ct));
        return Csv(RandomizationBalance.BalanceCsv(table), $"balance-{id}.csv");
    }

    static FileContentHttpResult Csv(string text, string fileName) =>
        TypedResults.File(Encoding.UTF8.GetBytes(text), "text/csv; charset=utf-8", fileName);

    static ProblemHttpResult NotFound(Guid id) => Refusals.NotFound(null, "No such randomization", $"There is no randomization {id}.");
}
