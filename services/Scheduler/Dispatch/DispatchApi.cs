using System.Globalization;
using System.Text;
using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Reminders.Platform.Auth;
using Reminders.Platform.Csv;
using Reminders.Platform.Data;
using Reminders.Protocol;
using Microsoft.Extensions.Options;

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
    /// <param name="DueByZone">The rows due, by the time zone of the officer's sector: sent in the next round where the window is open, else deferred by quiet hours.</param>
    /// <param name="RemindersToday">The reminders due today on the protocol zone's wall clock, by status.</param>
    public sealed record DispatchStatus(DateTimeOffset Now, long Due, DateTimeOffset? NextDueAt, IReadOnlyList<PlannedSmsCount> Counts,
        IReadOnlyList<DueInZone>? DueByZone = null, RemindersDueToday? RemindersToday = null);

    /// <param name="Zone">IANA zone of the officers' sectors (the protocol's zone for a sector without one).</param>
    /// <param name="WindowOpen">The dispatcher sends in this zone now; false: the rows are deferred by quiet hours until <paramref name="WindowOpensAt"/>.</param>
    public sealed record DueInZone(string Zone, long Due, bool WindowOpen, DateTimeOffset WindowOpensAt);

    /// <param name="Date">Today (yyyy-MM-dd) on the wall clock of <paramref name="Zone"/>, the protocol's zone.</param>
    /// <param name="ByStatus">Reminder rows due today by status (planned, dispatched, skipped, cancelled).</param>
    public sealed record RemindersDueToday(string Date, string Zone, long Total, IReadOnlyDictionary<string, long> ByStatus);

    public static IEndpointRouteBuilder MapDispatchApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/scheduler").WithTags("Scheduler").RequireAnyRole(Roles.Manager, Roles.Researcher);
        api.MapGet("/dispatch", Status).WithSummary("Planned SMS by purpose, kind, status and reason (late ones counted), how many are due now, and when the next is due.");
        api.MapGet("/reminders.csv", RemindersCsv)
            .WithSummary("Every planned reminder, one row per officer × reminder (pseudonymous): due time, status, skip reason, dispatch time, lateness, protocol version.");
        return app;
    }

    static async Task<Ok<DispatchStatus>> Status(SchedulerDatabase database, TimeProvider clock,
        StudyProtocol protocol, IOptions<DispatchOptions> options, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        await using var connection = await database.OpenAsync(ct);
        var counts = await connection.QueryAsync<PlannedSmsCount>(new CommandDefinition("""
            SELECT purpose, kind, status, reason, COUNT(*) AS Count, SUM(CASE WHEN late THEN 1 ELSE 0 END) AS Late
            FROM planned_sms GROUP BY purpose, kind, status, reason ORDER BY purpose, kind, status, reason
            """, cancellationToken: ct));
        var due = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT COUNT(*) FROM planned_sms WHERE status = 'planned' AND due_at <= @now", new { now }, cancellationToken: ct));
        var next = await connection.ExecuteScalarAsync<DateTimeOffset?>(new CommandDefinition(
            "SELECT MIN(due_at) FROM planned_sms WHERE status = 'planned'", cancellationToken: ct));
        var dueByZone = (await connection.QueryAsync<ZoneCount>(new CommandDefinition("""
            SELECT z.time_zone AS Zone, COUNT(*) AS Count FROM planned_sms p
            LEFT JOIN officers o ON o.officer_id = p.officer_id LEFT JOIN sectors z ON z.sector_id = o.sector_id
            WHERE p.status = 'planned' AND p.due_at <= @now GROUP BY z.time_zone
            """, new { now }, cancellationToken: ct)))
            .GroupBy(z => protocol.ZoneOf(z.Zone).Id)
            .Select(g =>
            {
                var zone = protocol.ZoneOf(g.Key);
                var open = DueSmsDispatcher.MaySendNow(protocol.QuietHours, now, zone, options.Value.WindowEndMargin);
                // Inside the window but too near its end counts as closed: the rows wait for the next window.
                var opensAt = open ? now : protocol.QuietHours.NextAllowed(protocol.QuietHours.IsInside(now, zone) ? protocol.QuietHours.WindowEnd(now, zone) : now, zone);
                return new DueInZone(g.Key, g.Sum(z => z.Count), open, opensAt);
            }).OrderBy(z => z.Zone, StringComparer.Ordinal).ToList();
        return TypedResults.Ok(new DispatchStatus(now, due, next, counts.ToList(), dueByZone, await RemindersTodayAsync(connection, protocol, now, ct)));
    }

    static async Task<RemindersDueToday> RemindersTodayAsync(System.Data.Common.DbConnection connection, StudyProtocol protocol, DateTimeOffset now, CancellationToken ct)
    {
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, protocol.TimeZone).DateTime);
        var (from, to) = (QuietHours.AtLocal(today, TimeOnly.MinValue, protocol.TimeZone), QuietHours.AtLocal(today.AddDays(1), TimeOnly.MinValue, protocol.TimeZone));
        var byStatus = (await connection.QueryAsync<StatusCount>(new CommandDefinition("""
            SELECT status, COUNT(*) AS Count FROM planned_sms
            WHERE kind = 'reminder' AND due_at >= @from AND due_at < @to GROUP BY status ORDER BY status
            """, new { from, to }, cancellationToken: ct))).ToDictionary(s => s.Status, s => s.Count);
        return new RemindersDueToday(today.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), protocol.TimeZoneId, byStatus.Values.Sum(), byStatus);
    }

    sealed record ZoneCount
    {
        public string? Zone { get; init; }
        public long Count { get; init; }
    }

    sealed record StatusCount
    {
        public string Status { get; init; } = "";
        public long Count { get; init; }
    }

    static async Task<FileContentHttpResult> RemindersCsv(SchedulerDatabase database, CancellationToken ct)
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
