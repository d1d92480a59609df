using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Authorization;
using Reminders.Platform.Auth;
using Reminders.Web.Services;

namespace Reminders.Web.Components.Pages.Trainer;

/// <summary>The roll-call template a trainer downloads: the session's people by name and badge, with the columns Attendance reads.</summary>
public static class TrainerEndpoints
{
    public static WebApplication MapTrainerEndpoints(this WebApplication app)
    {
        app.MapGet("/sessions/{sessionId:guid}/roll-call.csv", async (Guid sessionId, SchedulerClient scheduler, EnrollmentClient enrollment, CancellationToken ct) =>
        {
            var (roster, problem) = await SessionRoster.LoadAsync(scheduler, enrollment, sessionId, ct: ct);
            if (roster is null) return Results.Problem(title: problem!.Title, detail: problem.Detail, statusCode: problem.Status == 0 ? 502 : problem.Status);
            var session = roster.Session;
            var fileName = $"lista-{session.Date}-{session.SectorCode}-grupo{session.CohortNumber}-dia{session.DayNumber}.csv";
            return Results.File(RollCallTemplate(roster), "text/csv; charset=utf-8", fileName);
        }).RequireAuthorization(new AuthorizeAttribute { Roles = Roles.Trainer + "," + Roles.Manager });
        return app;
    }

    /// <summary>
    /// UTF-8 with a BOM (spreadsheets open the accents right), one line per person; Attendance reads officer_id, entrada, salida and
    /// justificado and ignores the name and badge columns, which are there for the trainer.
    /// </summary>
    public static byte[] RollCallTemplate(SessionRoster roster)
    {
        var csv = new StringBuilder("officer_id,placa,nombre,entrada,salida,justificado\r\n");
        foreach (var line in roster.Lines)
            csv.Append(CultureInfo.InvariantCulture, $"{line.OfficerId},{Cell(line.Badge)},{Cell(line.Name)},,,\r\n");
        return [.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes(csv.ToString())];
    }

    static string Cell(string value) =>
        value.IndexOfAny([',', '"', '\r', '\n', ';']) < 0 ? value : "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
