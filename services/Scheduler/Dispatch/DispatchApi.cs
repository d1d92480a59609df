using System.Globalization;
using System.Text;
using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Reminders.Platform.Auth;
using Reminders.Platform.Csv;
using Reminders.Platform.Data;

namespace Reminders.Scheduler.Dispatch;

/// <summary>What the Scheduler has planned to send and what became of it: the dispatcher's backlog and the reminder plan.</summary>
public static class DispatchApi
{
    public sealed record PlannedSmsCount
    {
        public string Purpose { get; init; } = "";
        public string Kind { get; init; } = "";
        public string Status { get; init; } = "";
        public string? Reason { get; init; }
        public long Count { get; init; }
        public long Late { get; init; }
    }

    /// <param name="Due">Rows due and not yet dispatched (waiting for the next round or for the sending window).</param>
    /// <param name="NextDueAt">The earliest due time of a row still planned.</param>
    public sealed record DispatchStatus(DateTimeOffset Now, long Due, DateTimeOffset? NextDueAt, IReadOnlyList<PlannedSmsCount> Counts);

    public static IEndpointRouteBuilder MapDispatchApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/scheduler").WithTags("Scheduler").RequireAnyRole(Roles.Manager, Roles.Researcher);
        api.MapGet("/dispatch", Status).WithSummary("Planned SMS by purpose, kind, status and reason (late ones counted), how many are due now, and when the next is due.");
        api.MapGet("/reminders.csv", RemindersCsv)
            .WithSummary("Every planned reminder, one row per officer × reminder (pseudonymous): due time, status, skip reason, dispatch time, lateness, protocol version.");
        return app;
    }

    static async Task<Ok<DispatchStatus>> Status([FromKeyedServices(SchedulerService.Name)] ServiceDatabase database, TimeProvider clock, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        await using var connection = await database.OpenAsync(ct);
        var counts = await connection.QueryAsync<PlannedSmsCount>(new CommandDefinition("""
            SELECT purpose AS Purpose, kind AS Kind, status AS Status, reason AS Reason, COUNT(*) AS Count, SUM(CASE WHEN late THEN 1 ELSE 0 END) AS Late
            FROM planned_sms GROUP BY purpose, kind, status, reason ORDER BY purpose, kind, status, reason
            """, cancellationToken: ct));
        var due = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT COUNT(*) FROM planned_sms WHERE status = 'planned' AND due_at <= @now", new { now }, cancellationToken: ct));
        var next = await connection.ExecuteScalarAsync<DateTimeOffset?>(new CommandDefinition(
            "SELECT MIN(due_at) FROM planned_sms WHERE status = 'planned'", cancellationToken: ct));
        return TypedResults.Ok(new DispatchStatus(now, due, next, counts.ToList()));
    }

    static async Task<FileContentHttpResult> RemindersCsv([FromKeyedServices(SchedulerService.Name)] ServiceDatabase database, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        var rows = await connection.QueryAsync<PlannedSms>(new CommandDefinition(
            $"SELECT {PlannedSmsStore.Columns} FROM planned_sms WHERE kind = 'reminder' ORDER BY officer_id, reminder_number", cancellationToken: ct));
        var csv = new StringBuilder(CsvText.Line(["officer_id", "reminder_number", "due_at", "status", "reason", "dispatched_at", "late", "protocol_version", "cohort_id"]));
        foreach (var r in rows)
            csv.Append(CsvText.Line([r.OfficerId.ToString(), r.ReminderNumber?.ToString(CultureInfo.InvariantCulture), Iso(r.DueAt), r.Status, r.Reason,
                r.DispatchedAt is { } at ? Iso(at) : "", r.Late ? "true" : "false", r.ProtocolVersion, r.CohortId?.ToString()]));
        return TypedResults.File(Encoding.UTF8.GetBytes(csv.ToString()), "text/csv; charset=utf-8", "reminders.csv");
    }

    static string Iso(DateTimeOffset instant) => instant.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
