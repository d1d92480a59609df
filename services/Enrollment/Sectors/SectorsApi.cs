using System.Text.Json;
using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Reminders.Enrollment.Roster;
using Reminders.Platform.Auth;
using Reminders.Platform.Csv;
using Reminders.Platform.Data;
using Reminders.Platform.Hosting;

namespace Reminders.Enrollment.Sectors;

public static class SectorsApi
{
    const int MaxBytes = 5 * 1024 * 1024;

    public sealed record SectorJson(string? Code, string? Name, Dictionary<string, string>? Strata, string? TimeZone = null);

    public sealed record SectorSummary(Guid Id, string Code, string Name, IReadOnlyDictionary<string, string> Strata, string? Arm, long Officers, long Commanders, string? TimeZone = null);

    public static IEndpointRouteBuilder MapSectorsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/enrollment").WithTags("Enrollment");
        api.MapPost("/sectors", LoadSectors).RequireAuthorization(Roles.Manager)
            .WithSummary("Load sectors from a CSV (code, name, then one column per stratum) (and optionally zona_horaria/timeZone, an IANA zone) or JSON [{code, name, strata, timeZone}]; mode=dry-run|apply, all or nothing.")
            .AcceptsCsvUpload("Sectors CSV: code (codigo, clave, sector), name (nombre), optionally timeZone (zona_horaria, huso_horario: an IANA zone), "
                + "every other column a stratum; or a JSON array. See README, CSV formats.", typeof(List<SectorJson>));
        api.MapGet("/sectors", ListSectors).RequireAnyRole(Roles.Manager, Roles.Researcher)
            .WithSummary("Sectors with their strata, arm and number of officers and commanders.");
        return app;
    }

    static async Task<Results<Ok<SectorImportReport>, ProblemHttpResult>> LoadSectors(
        HttpRequest request, SectorImporter importer, CancellationToken ct, string mode = "dry-run")
    {
        if (mode is not ("dry-run" or "apply"))
            return Problem("mode", "mode must be dry-run or apply.", 400);
        var body = await RequestBody.ReadAsync(request, MaxBytes, ct);
        if (body is null) return Problem("body", $"At most {MaxBytes / (1024 * 1024)} MB of sectors at once.", 413);

        List<SectorInput> sectors;
        List<RosterError> errors;
        if (request.ContentType?.StartsWith("application/json", StringComparison.OrdinalIgnoreCase) == true)
        {
            List<SectorJson>? json;
            try { json = JsonSerializer.Deserialize<List<SectorJson>>(body, JsonSerializerOptions.Web); }
            catch (JsonException ex) { return Problem("body", $"Not a JSON array of sectors: {ex.Message}", 400); }
            if (json is null) return Problem("body", "Expected a JSON array of sectors.", 400);
            var twice = json.FindIndex(s => s?.Strata is { } strata && strata.Keys.Select(CsvText.NormalizeHeader).Distinct().Count() < strata.Count);
            if (twice >= 0) return Problem("body", $"Sector {twice + 1} names a stratum twice (ignoring case, accents and spacing).", 400);
            sectors = json.Select((s, i) => new SectorInput(s?.Code?.Trim() ?? "", s?.Name?.Trim() ?? "",
                (IReadOnlyDictionary<string, string>?)s?.Strata?.ToDictionary(p => p.Key.Trim(), p => p.Value?.Trim() ?? "") ?? new Dictionary<string, string>(), i + 1,
                s?.TimeZone)).ToList();
            errors = [];
        }
        else (sectors, errors) = SectorImporter.ParseCsv(body);

        if (errors.Count > 0)
            return Refused(new SectorImportReport { Mode = mode, Rejected = errors });
        var report = await importer.ImportAsync(sectors, mode == "apply", ct);
        return report.Rejected.Count > 0 ? Refused(report) : TypedResults.Ok(report);
    }

    static ProblemHttpResult Refused(SectorImportReport report) =>
        RejectedUpload.Problem("Sectors refused", report, report.Rejected.Select(r => new RejectedCell(r.Line, r.Column, r.Reason)).ToList());

    static ProblemHttpResult Problem(string field, string detail, int status) => Refusals.Refuse(status, field, "Invalid sectors", detail);

    static async Task<Ok<List<SectorSummary>>> ListSectors(EnrollmentDatabase database, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        var rows = await connection.QueryAsync<SectorRow>(new CommandDefinition("""
            SELECT s.id, s.code, s.name, s.strata, s.arm, s.time_zone,
                   SUM(CASE WHEN o.role = 'officer' THEN 1 ELSE 0 END) AS Officers,
                   SUM(CASE WHEN o.role = 'commander' THEN 1 ELSE 0 END) AS Commanders
            FROM sectors s LEFT JOIN officers o ON o.sector_id = s.id
            GROUP BY s.id, s.code, s.name, s.strata, s.arm, s.time_zone ORDER BY s.code
            """, cancellationToken: ct));
        return TypedResults.Ok(rows.Select(r => new SectorSummary(r.Id, r.Code, r.Name,
            JsonSerializer.Deserialize<Dictionary<string, string>>(r.Strata) ?? [], r.Arm, r.Officers ?? 0, r.Commanders ?? 0, r.TimeZone)).ToList());
    }

    sealed record SectorRow
    {
        public Guid Id { get; init; }
        public string Code { get; init; } = "";
        public string Name { get; init; } = "";
        public string Strata { get; init; } = "{}";
        public string? Arm { get; init; }
        public string? TimeZone { get; init; }
        public long? Officers { get; init; }
        public long? Commanders { get; init; }
    }
}
