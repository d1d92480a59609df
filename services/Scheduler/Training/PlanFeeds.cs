using System.Globalization;
using System.Text;
using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Reminders.Platform.Auth;
using Reminders.Platform.Csv;
using Reminders.Platform.Data;
using Reminders.Platform.Protocol;

namespace Reminders.Scheduler.Training;

/// <summary>
/// The plan of one venue or one trainer as an iCalendar feed (RFC 5545, for calendar apps) and as CSV (for
/// spreadsheets). Cancelled sessions stay in the feed as cancelled, so calendars remove them.
/// </summary>
public static class PlanFeeds
{
    public static IEndpointRouteBuilder MapPlanFeeds(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/scheduler").WithTags("Scheduler").RequireAnyRole(Roles.Manager, Roles.Trainer);
        api.MapGet("/venues/{id:guid}/calendar.ics", (Guid id, [FromKeyedServices(SchedulerService.Name)] ServiceDatabase db, CancellationToken ct)
            => CalendarAsync(db, "venue_id", id, ct)).WithSummary("The venue's sessions as an iCalendar feed.");
        api.MapGet("/trainers/{id:guid}/calendar.ics", (Guid id, [FromKeyedServices(SchedulerService.Name)] ServiceDatabase db, CancellationToken ct)
            => CalendarAsync(db, "trainer_id", id, ct)).WithSummary("The trainer's sessions as an iCalendar feed.");
        api.MapGet("/venues/{id:guid}/plan.csv", (Guid id, [FromKeyedServices(SchedulerService.Name)] ServiceDatabase db, StudyProtocol protocol, CancellationToken ct)
            => CsvAsync(db, protocol, "venue_id", id, ct)).WithSummary("The venue's sessions as CSV (times on each sector's wall clock, with the offset).");
        api.MapGet("/trainers/{id:guid}/plan.csv", (Guid id, [FromKeyedServices(SchedulerService.Name)] ServiceDatabase db, StudyProtocol protocol, CancellationToken ct)
            => CsvAsync(db, protocol, "trainer_id", id, ct)).WithSummary("The trainer's sessions as CSV (times on each sector's wall clock, with the offset).");
        return app;
    }

    sealed record SessionRow
    {
        public Guid SessionId { get; init; }
        public int DayNumber { get; init; }
        public string LocalDate { get; init; } = "";
        public DateTimeOffset StartsAt { get; init; }
        public DateTimeOffset EndsAt { get; init; }
        public string Status { get; init; } = "";
        public string SectorCode { get; init; } = "";
        public string Role { get; init; } = "";
        public int Number { get; init; }
        public string Venue { get; init; } = "";
        public string Trainer { get; init; } = "";
        public long Members { get; init; }
        public DateTimeOffset CreatedAt { get; init; }
        public string? TimeZone { get; init; }
    }

    static async Task<IReadOnlyList<SessionRow>?> SessionsAsync(ServiceDatabase database, string column, Guid id, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        var table = column == "venue_id" ? "venues" : "trainers";
        var exists = await connection.ExecuteScalarAsync<long>(new CommandDefinition($"SELECT COUNT(*) FROM {table} WHERE {column} = @id", new { id }, cancellationToken: ct));
        if (exists == 0) return null;
        return (await connection.QueryAsync<SessionRow>(new CommandDefinition($"""
            SELECT s.session_id AS SessionId, s.day_number AS DayNumber, s.local_date AS LocalDate, s.starts_at AS StartsAt, s.ends_at AS EndsAt,
                   s.status AS Status, COALESCE(x.code, '') AS SectorCode, c.role AS Role, c.number AS Number, v.name AS Venue, t.name AS Trainer,
                   (SELECT COUNT(*) FROM cohort_members m WHERE m.cohort_id = c.cohort_id AND m.removed_at IS NULL) AS Members, c.created_at AS CreatedAt,
                   x.time_zone AS TimeZone
            FROM sessions s JOIN cohorts c ON c.cohort_id = s.cohort_id JOIN venues v ON v.venue_id = s.venue_id
            JOIN trainers t ON t.trainer_id = s.trainer_id LEFT JOIN sectors x ON x.sector_id = c.sector_id
            WHERE s.{column} = @id ORDER BY s.starts_at, x.code
            """, new { id }, cancellationToken: ct))).AsList();
    }

    static async Task<Results<ContentHttpResult, NotFound>> CalendarAsync(ServiceDatabase database, string column, Guid id, CancellationToken ct)
    {
        var sessions = await SessionsAsync(database, column, id, ct);
        if (sessions is null) return TypedResults.NotFound();
        var ics = new StringBuilder();
        void Line(string text) => ics.Append(Fold(text)).Append("\r\n");
        Line("BEGIN:VCALENDAR");
        Line("VERSION:2.0");
        Line("PRODID:-//Reminders//Plan de capacitacion//ES");
        Line("CALSCALE:GREGORIAN");
        Line("METHOD:PUBLISH");
        foreach (var s in sessions)
        {
            Line("BEGIN:VEVENT");
            Line($"UID:{s.SessionId}@reminders");
            Line($"DTSTAMP:{Utc(s.CreatedAt)}");
            Line($"DTSTART:{Utc(s.StartsAt)}");
            Line($"DTEND:{Utc(s.EndsAt)}");
            Line($"SUMMARY:{Escape($"Justicia Procedimental {s.SectorCode} ({(s.Role == "commander" ? "mandos" : "policías")}, grupo {s.Number}), día {s.DayNumber}")}");
            Line($"LOCATION:{Escape(s.Venue)}");
            Line($"DESCRIPTION:{Escape($"Instructor: {s.Trainer}. Participantes: {s.Members}.")}");
            Line($"STATUS:{(s.Status == "cancelled" ? "CANCELLED" : "CONFIRMED")}");
            Line("END:VEVENT");
        }
        Line("END:VCALENDAR");
        return TypedResults.Content(ics.ToString(), "text/calendar; charset=utf-8");
    }

    static async Task<Results<ContentHttpResult, NotFound>> CsvAsync(ServiceDatabase database, StudyProtocol protocol, string column, Guid id, CancellationToken ct)
    {
        var sessions = await SessionsAsync(database, column, id, ct);
        if (sessions is null) return TypedResults.NotFound();
        var csv = new StringBuilder(CsvText.Line(["date", "starts_at", "ends_at", "sector", "role", "cohort", "day", "venue", "trainer", "participants", "status"]));
        foreach (var s in sessions)
            csv.Append(CsvText.Line([s.LocalDate, Local(s.StartsAt, protocol.ZoneOf(s.TimeZone)), Local(s.EndsAt, protocol.ZoneOf(s.TimeZone)),
                s.SectorCode, s.Role, s.Number.ToString(CultureInfo.InvariantCulture), s.DayNumber.ToString(CultureInfo.InvariantCulture),
                s.Venue, s.Trainer, s.Members.ToString(CultureInfo.InvariantCulture), s.Status]));
        return TypedResults.Content(csv.ToString(), "text/csv; charset=utf-8");
    }

    /// <summary>ISO 8601 on the sector's wall clock with its offset (2026-03-02T09:00:00-06:00), as a spreadsheet shows the session.</summary>
    static string Local(DateTimeOffset t, TimeZoneInfo zone) => TimeZoneInfo.ConvertTime(t, zone).ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);

    static string Utc(DateTimeOffset t) => t.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);

    /// <summary>RFC 5545 TEXT: backslash, semicolon, comma and line breaks escaped.</summary>
    public static string Escape(string text) =>
        text.Replace("\\", "\\\\").Replace(";", "\\;").Replace(",", "\\,").Replace("\r\n", "\\n").Replace("\n", "\\n").Replace("\r", "\\n");

    /// <summary>RFC 5545 line folding: at most 75 octets a line, continuations start with a space; a UTF-8 character is never split.</summary>
    public static string Fold(string line)
    {
        var result = new StringBuilder();
        var octets = 0;
        foreach (var rune in line.EnumerateRunes())
        {
            var size = rune.Utf8SequenceLength;
            if (octets + size > 75)
            {
                result.Append("\r\n ");
                octets = 1;
            }
            result.Append(rune.ToString());
            octets += size;
        }
        return result.ToString();
    }
}
