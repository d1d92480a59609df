using System.Security.Claims;
using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using Reminders.Platform.Auth;
using Reminders.Platform.Data;
using Reminders.Platform.Hosting;
using Reminders.Protocol;

namespace Reminders.Attendance.Dosage;

/// <summary>
/// What researchers take away: dosage.csv with its codebook, the summaries, and the endline snapshots they come from.
/// Pseudonymous only: the ledger holds no name, phone or badge number, so no export can carry one.
/// </summary>
public static class DosageExportApi
{
    public sealed record FreezeRequest(string? Reason);

    public static IEndpointRouteBuilder MapDosageExportApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/attendance").WithTags("Dosage").RequireAnyRole(Roles.Researcher, Roles.Manager);
        api.MapGet("/dosage.csv", Csv)
            .WithSummary("One row per officer of both arms (snapshot=latest|live|N; default: each officer's row frozen at their endline, the first snapshot that holds them; live for the others).");
        api.MapGet("/dosage/codebook.md", (StudyProtocol protocol) =>
                TypedResults.Text(DosageCodebook.Markdown(Columns(protocol), protocol), "text/markdown; charset=utf-8", Encoding.UTF8))
            .WithSummary("dosage.csv's columns: name, type, unit, definition and derivation.");
        api.MapGet("/dosage/codebook.json", (StudyProtocol protocol) =>
                TypedResults.Text(DosageCodebook.Json(Columns(protocol), protocol), "application/json; charset=utf-8", Encoding.UTF8))
            .WithSummary("The codebook, machine-readable.");
        api.MapGet("/dosage/summaries/{grouping}.{format}", Summaries)
            .WithSummary("Per arm × role (arms) or per sector (sectors), as csv or json: means, distributions of reminders delivered and acknowledged, training completion.");
        api.MapGet("/dosage/snapshots", ListSnapshots).WithSummary("Every endline snapshot, oldest first.");
        api.MapGet("/dosage/snapshots/{version:int}", GetSnapshot).WithSummary("One snapshot's header.");
        app.MapGroup("/api/attendance").WithTags("Dosage")
            .MapPost("/dosage/snapshots", Freeze).RequireAnyRole(Roles.Manager)
            .WithSummary("Freeze the whole study's ledger (both arms) as of now as the next snapshot version (rows written for good once it settles).");
        return app;
    }

    static IReadOnlyList<DosageColumn> Columns(StudyProtocol protocol) => DosageCodebook.Columns(DosageCodebook.ReminderCount(protocol));

    static async Task<Results<PushStreamHttpResult, ProblemHttpResult>> Csv(
        string? snapshot, AttendanceDatabase database, StudyProtocol protocol, CancellationToken ct)
    {
        if (DosageSelection.Parse(snapshot) is not { } selection) return InvalidSnapshot(snapshot);
        // The rows are read before the response starts, so an unknown snapshot is still a 404 and not a truncated file.
        IReadOnlyList<DosageExportRow>? rows;
        await using (var connection = await database.OpenAsync(ct))
            rows = await DosageExport.ReadAsync(connection, selection, ct, database);
        if (rows is null) return UnknownSnapshot(snapshot);
        var columns = Columns(protocol);
        return TypedResults.Stream(stream => DosageExport.WriteCsvAsync(stream, columns, rows, ct), "text/csv; charset=utf-8", "dosage.csv");
    }

    static async Task<Results<ContentHttpResult, Ok<IReadOnlyList<DosageSummaries.Group>>, ProblemHttpResult>> Summaries(
        string grouping, string format, string? snapshot, AttendanceDatabase database,
        StudyProtocol protocol, CancellationToken ct)
    {
        if (grouping is not ("arms" or "sectors") || format is not ("csv" or "json"))
            return TypedResults.Problem(title: "Not found", detail: "Summaries are arms.csv, arms.json, sectors.csv and sectors.json.", statusCode: 404);
        if (DosageSelection.Parse(snapshot) is not { } selection) return InvalidSnapshot(snapshot);
        IReadOnlyList<DosageExportRow>? rows;
        await using (var connection = await database.OpenAsync(ct))
            rows = await DosageExport.ReadAsync(connection, selection, ct, database);
        if (rows is null) return UnknownSnapshot(snapshot);
        var k = DosageCodebook.ReminderCount(protocol);
        var doses = rows.Select(r => r.Dose).ToList();
        var groups = grouping == "arms" ? DosageSummaries.ByArmAndRole(doses, k) : DosageSummaries.BySector(doses, k);
        return format == "json"
            ? TypedResults.Ok(groups)
            : TypedResults.Text(DosageSummaries.Csv(groups, k, bySector: grouping == "sectors"), "text/csv; charset=utf-8", DosageExport.Utf8);
    }

    static async Task<Ok<IReadOnlyList<DosageSnapshots.Snapshot>>> ListSnapshots(
        AttendanceDatabase database, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        return TypedResults.Ok(await DosageSnapshots.ListAsync(connection, ct));
    }

    static async Task<Results<Ok<DosageSnapshots.Snapshot>, ProblemHttpResult>> GetSnapshot(
        int version, AttendanceDatabase database, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        return await DosageSnapshots.FindAsync(connection, version, ct) is { } found
            ? TypedResults.Ok(found)
            : TypedResults.Problem(title: "Unknown snapshot", detail: $"There is no snapshot version {version}.", statusCode: 404);
    }

    static async Task<Results<Created<DosageSnapshots.Snapshot>, ProblemHttpResult>> Freeze(
        FreezeRequest request, ClaimsPrincipal user, EndlineFreeze freeze, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(request.Reason))
            return Refusals.Invalid("reason", "Say why the ledger is being frozen.");
        var snapshot = await freeze.FreezeStudyAsync(user.Identity?.Name ?? "", request.Reason.Trim(), ct);
        return TypedResults.Created($"/api/attendance/dosage/snapshots/{snapshot.Version}", snapshot);
    }

    static ProblemHttpResult InvalidSnapshot(string? value) =>
        Refusals.Invalid("snapshot", $"snapshot must be latest, live or a version number (1, 2, ...), not \"{value}\".");

    static ProblemHttpResult UnknownSnapshot(string? value) =>
        Refusals.NotFound("snapshot", "Unknown snapshot",
            value?.Trim().ToLowerInvariant() == "latest" ? "No snapshot has been taken yet." : $"There is no snapshot version {value}.");
}
