using System.Data.Common;
using System.Security.Claims;
using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Reminders.Platform.Auth;
using Reminders.Platform.Csv;
using Reminders.Platform.Hosting;
using Reminders.Platform.Data;
using Reminders.Platform.Logging;

namespace Reminders.Enrollment.Roster;

public static class RosterApi
{
    const int MaxRosterBytes = 20 * 1024 * 1024;

    public static IEndpointRouteBuilder MapRosterApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/enrollment").WithTags("Enrollment");
        api.MapPost("/roster", ImportRoster).RequireAuthorization(Roles.Manager)
            .WithSummary("Import a roster CSV sent as the request body (text/csv): mode=dry-run|apply|apply-valid, fullRoster, confirmInactive, transferDate.")
            .WithDescription("dry-run and apply-valid return the rejected rows as a file in the upload's delimiter and encoding: rejectsFile (base64) in the JSON report, "
                + "or, with Accept: text/csv, the file itself (204 when no row was rejected; X-Rejects-Delimiter and X-Rejects-Encoding name them). "
                + "A dry run's file is the one apply-valid would leave, and nothing is written.")
            .AcceptsCsvUpload("Roster CSV: badge (placa, numero_empleado), name (nombre), role (rol, cargo: officer/policia or commander/mando), sector, "
                + "phone (telefono, celular: a Mexican mobile), consent (consentimiento: si/no); other columns are kept. See README, CSV formats.");
        return app;
    }

    static async Task<Results<Ok<RosterImportReport>, FileContentHttpResult, NoContent, ProblemHttpResult>> ImportRoster(
        HttpRequest request, ClaimsPrincipal user, RosterImporter importer, CancellationToken ct,
        string mode = "dry-run", bool fullRoster = false, bool confirmInactive = false, string? transferDate = null)
    {
        RosterImportMode? parsedMode = mode switch
        {
            "dry-run" => RosterImportMode.DryRun, "apply" => RosterImportMode.Apply, "apply-valid" => RosterImportMode.ApplyValid, _ => null,
        };
        if (parsedMode is null)
            return Refusals.Invalid("mode", "mode must be dry-run, apply or apply-valid.");
        DateOnly? date = null;
        if (transferDate is not null)
        {
            if (!DateOnly.TryParseExact(transferDate, "yyyy-MM-dd", out var parsedDate))
                return Refusals.Invalid("transferDate", "transferDate must be a date as YYYY-MM-DD.");
            date = parsedDate;
        }
        var body = await RequestBody.ReadAsync(request, MaxRosterBytes, ct);
        if (body is null)
            return Refusals.Refuse(StatusCodes.Status413PayloadTooLarge, "body", "Roster too large", $"A roster may be at most {MaxRosterBytes / (1024 * 1024)} MB.");

        RosterImportReport report;
        try
        {
            report = await importer.ImportAsync(body, new RosterImportOptions(parsedMode.Value, fullRoster, confirmInactive, date, user.Identity?.Name ?? ""), ct);
        }
        catch (DbException ex) when (ex.IsUniqueViolation())
        {
            return TypedResults.Problem(title: "Concurrent roster import",
                detail: "Another import created some of these officers at the same time; nothing of this import was written. Run it again.",
                statusCode: 409);
        }
        if (parsedMode is RosterImportMode.ApplyValid or RosterImportMode.DryRun && WantsCsv(request))
        {
            if (report.RejectsFile is null) return TypedResults.NoContent();
            request.HttpContext.Response.Headers["X-Rejects-Delimiter"] = report.RejectsDelimiter;
            request.HttpContext.Response.Headers["X-Rejects-Encoding"] = report.RejectsEncoding;
            return TypedResults.File(report.RejectsFile, $"text/csv; charset={CsvText.Charset(report.RejectsEncoding!)}", "roster-rejects.csv");
        }
        return parsedMode == RosterImportMode.Apply && report.Rejected.Count > 0
            ? RejectedUpload.Problem("Roster refused", report, report.Rejected.Select(r => new RejectedCell(r.Line, r.Column, r.Reason)).ToList())
            : TypedResults.Ok(report);
    }

    /// <summary>The client asked for the rejects file itself (Accept: text/csv) rather than the JSON report.</summary>
    static bool WantsCsv(HttpRequest request) =>
        request.GetTypedHeaders().Accept.Any(a => a.MediaType.Equals("text/csv", StringComparison.OrdinalIgnoreCase));
}
