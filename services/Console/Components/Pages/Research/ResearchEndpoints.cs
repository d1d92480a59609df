using Reminders.Platform.Auth;
using Reminders.Web.Services;

namespace Reminders.Web.Components.Pages.Research;

/// <summary>The researcher's exports, fetched by the console as the signed-in person and handed to the browser.</summary>
public static class ResearchEndpoints
{
    /// <summary>The only files served here, by the name the browser sees, with the service route that makes each.</summary>
    public static readonly IReadOnlyDictionary<string, string> Exports = new Dictionary<string, string>
    {
        ["dosage.csv"] = "/api/attendance/dosage.csv?snapshot=latest",
        ["dosage-live.csv"] = "/api/attendance/dosage.csv?snapshot=live",
        ["codebook.md"] = "/api/attendance/dosage/codebook.md",
        ["summary-arms.csv"] = "/api/attendance/dosage/summaries/arms.csv",
        ["summary-sectors.csv"] = "/api/attendance/dosage/summaries/sectors.csv",
    };

    public static void MapResearchEndpoints(this WebApplication app) =>
        app.MapGet("/research/exports/{file}", async Task<IResult> (string file, AttendanceClient attendance, CancellationToken ct) =>
        {
            if (!Exports.TryGetValue(file, out var route)) return TypedResults.NotFound();
            var result = await attendance.ResearchExportAsync(route, ct);
            return result.Value is { } download
                ? TypedResults.File(download.Bytes, download.ContentType, file)
                : TypedResults.Problem(title: "Export unavailable", detail: result.Problem?.Detail, statusCode: result.Problem?.Status is > 0 and var status ? status : 502);
        }).RequireAuthorization(p => p.RequireRole(Roles.Researcher, Roles.Manager));
}
