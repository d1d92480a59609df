using System.Data.Common;
using System.Security.Claims;
using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Reminders.Platform.Auth;
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
        // No Accepts<>() metadata: routing would answer 415 to a wrong content type before authentication could answer 401.
        api.MapPost("/roster", ImportRoster).RequireAuthorization(Roles.Manager)
            .WithSummary("Import a roster CSV sent as the request body (text/csv): mode=dry-run|apply|apply-valid, fullRoster, confirmInactive, transferDate.");
        return app;
    }

    static async Task<Results<Ok<RosterImportReport>, UnprocessableEntity<RosterImportReport>, ProblemHttpResult>> ImportRoster(
        HttpRequest request, ClaimsPrincipal user, RosterImporter importer, CancellationToken ct,
        string mode = "dry-run", bool fullRoster = false, bool confirmInactive = false, string? transferDate = null)
    {
        RosterImportMode? parsedMode = mode switch
        {
            "dry-run" => RosterImportMode.DryRun, "apply" => RosterImportMode.Apply, "apply-valid" => RosterImportMode.ApplyValid, _ => null,
        };
        if (parsedMode is null)
            return Invalid("mode", "mode must be dry-run, apply or apply-valid.");
        DateOnly? date = null;
        if (transferDate is not null)
        {
            if (!DateOnly.TryParseExact(transferDate, "yyyy-MM-dd", out var parsedDate))
                return Invalid("transferDate", "transferDate must be a date as YYYY-MM-DD.");
            date = parsedDate;
        }
        var body = await RequestBody.ReadAsync(request, MaxRosterBytes, ct);
        if (body is null)
            return TypedResults.Problem(title: "Roster too large", detail: $"A roster may be at most {MaxRosterBytes / (1024 * 1024)} MB.", statusCode: 413,
                extensions: new Dictionary<string, object?> { ["field"] = "body" });

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
        return parsedMode == RosterImportMode.Apply && report.Rejected.Count > 0 ? TypedResults.UnprocessableEntity(report) : TypedResults.Ok(report);
    }

    static ProblemHttpResult Invalid(string field, string reason) =>
        TypedResults.Problem(title: "Invalid request", detail: reason, statusCode: 400, extensions: new Dictionary<string, object?> { ["field"] = field });
}
