using System.Data.Common;
using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Reminders.Platform.Auth;
using Reminders.Platform.Data;
using Reminders.Platform.Logging;

namespace Reminders.Enrollment.Roster;

public static class RosterApi
{
    const int MaxRosterBytes = 20 * 1024 * 1024;

    public static IEndpointRouteBuilder MapRosterApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/enrollment").WithTags("Enrollment");
        // No Accepts<>() metadata: routing would answer 415 to a wrong content type before authentication could answer 401.
        api.MapPost("/roster", ImportRoster).RequireAuthorization(Roles.Manager)
            .WithSummary("Import a roster CSV sent as the request body (text/csv); mode=dry-run|apply, apply is all or nothing.");
        api.MapGet("/officers", ListOfficers).RequireAuthorization(Roles.Manager);
        api.MapGet("/sectors", ListSectors).RequireAnyRole(Roles.Manager, Roles.Researcher);
        return app;
    }

    static async Task<Results<Ok<RosterImportReport>, UnprocessableEntity<RosterImportReport>, ProblemHttpResult>> ImportRoster(
        HttpRequest request, RosterImporter importer, CancellationToken ct, string mode = "dry-run")
    {
        RosterImportMode? parsedMode = mode switch { "dry-run" => RosterImportMode.DryRun, "apply" => RosterImportMode.Apply, _ => null };
        if (parsedMode is null)
            return TypedResults.Problem(title: "Invalid mode", detail: "mode must be dry-run or apply.", statusCode: 400,
                extensions: new Dictionary<string, object?> { ["field"] = "mode" });
        if (request.ContentLength > MaxRosterBytes)
            return TypedResults.Problem(title: "Roster too large", detail: $"A roster may be at most {MaxRosterBytes} bytes.", statusCode: 413);
        using var reader = new StreamReader(request.Body);
        var text = await reader.ReadToEndAsync(ct);
        RosterImportReport report;
        try
        {
            report = await importer.ImportAsync(text, parsedMode.Value, ct);
        }
        catch (DbException ex) when (ex.IsUniqueViolation())
        {
            return TypedResults.Problem(title: "Concurrent roster import",
                detail: "Another import created some of these officers or sectors at the same time; nothing of this import was written. Run it again.",
                statusCode: 409);
        }
        return report.Errors.Count > 0 && parsedMode == RosterImportMode.Apply ? TypedResults.UnprocessableEntity(report) : TypedResults.Ok(report);
    }

    public sealed record OfficerSummary(Guid Id, string Badge, string Name, string Role, string SectorCode, string PhoneMasked, bool Consent);

    static async Task<Ok<List<OfficerSummary>>> ListOfficers([FromKeyedServices(EnrollmentService.Name)] ServiceDatabase database, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        var rows = await connection.QueryAsync<OfficerRow>(new CommandDefinition("""
            SELECT o.id AS Id, o.badge AS Badge, o.name AS Name, o.role AS Role, s.code AS Code, o.phone_e164 AS Phone, o.consent AS Consent
            FROM officers o JOIN sectors s ON s.id = o.sector_id ORDER BY o.badge
            """, cancellationToken: ct));
        return TypedResults.Ok(rows.Select(r => new OfficerSummary(r.Id, r.Badge, r.Name, r.Role, r.Code, PhoneMask.Mask(r.Phone), r.Consent)).ToList());
    }

    sealed record OfficerRow
    {
        public Guid Id { get; init; }
        public string Badge { get; init; } = "";
        public string Name { get; init; } = "";
        public string Role { get; init; } = "";
        public string Code { get; init; } = "";
        public string Phone { get; init; } = "";
        public bool Consent { get; init; }
    }

    public sealed record SectorSummary
    {
        public Guid Id { get; init; }
        public string Code { get; init; } = "";
        public string Name { get; init; } = "";
        public string? Arm { get; init; }
        public long Officers { get; init; }
    }

    static async Task<Ok<List<SectorSummary>>> ListSectors([FromKeyedServices(EnrollmentService.Name)] ServiceDatabase database, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        var rows = await connection.QueryAsync<SectorSummary>(new CommandDefinition("""
            SELECT s.id AS Id, s.code AS Code, s.name AS Name, s.arm AS Arm, COUNT(o.id) AS Officers
            FROM sectors s LEFT JOIN officers o ON o.sector_id = s.id
            GROUP BY s.id, s.code, s.name, s.arm ORDER BY s.code
            """, cancellationToken: ct));
        return TypedResults.Ok(rows.ToList());
    }
}
