using System.Globalization;
using System.Text;
using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Reminders.Platform.Auth;
using Reminders.Platform.Csv;
using Reminders.Platform.Data;
using Reminders.Protocol;

namespace Reminders.Scheduler.Training;

/// <summary>
/// The plan of one venue or one trainer as an iCalendar feed (<see cref="CalendarFeed"/>, for calendar apps) and as CSV (for
/// spreadsheets), to a manager or trainer key; calendar apps, which send no header, subscribe through a link (<see cref="FeedLinksApi"/>).
/// </summary>
public static class PlanFeeds
{
    public static IEndpointRouteBuilder MapPlanFeeds(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/scheduler").WithTags("Scheduler").RequireAnyRole(Roles.Manager, Roles.Trainer).AddEndpointFilter(BoundTrainerReadsOwnPlanOnly);
        api.MapGet("/venues/{id:guid}/calendar.ics", (Guid id, CalendarFeed feed, CancellationToken ct)
            => CalendarAsync(feed, FeedOwner.Venue, id, ct)).WithSummary("The venue's sessions as an iCalendar feed.");
        api.MapGet("/trainers/{id:guid}/calendar.ics", (Guid id, CalendarFeed feed, CancellationToken ct)
            => CalendarAsync(feed, FeedOwner.Trainer, id, ct)).WithSummary("The trainer's sessions as an iCalendar feed.");
        api.MapGet("/venues/{id:guid}/plan.csv", (Guid id, SchedulerDatabase db, StudyProtocol protocol, CancellationToken ct)
            => CsvAsync(db, protocol, "venue_id", id, ct)).WithSummary("The venue's sessions as CSV (times on each sector's wall clock, with the offset).");
        api.MapGet("/trainers/{id:guid}/plan.csv", (Guid id, SchedulerDatabase db, StudyProtocol protocol, CancellationToken ct)
            => CsvAsync(db, protocol, "trainer_id", id, ct)).WithSummary("The trainer's sessions as CSV (times on each sector's wall clock, with the offset).");
        return app;
    }

    /// <summary>A principal bound to a trainer reads that trainer's plan only: another trainer's, or a venue's (every trainer's sessions there), is 403.</summary>
    static ValueTask<object?> BoundTrainerReadsOwnPlanOnly(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var request = context.HttpContext.Request;
        Guid? trainerId = request.Path.StartsWithSegments("/api/scheduler/trainers") && Guid.TryParse(request.RouteValues["id"]?.ToString(), out var id) ? id : null;
        return context.HttpContext.User.RefuseOtherThan(trainerId, "id", trainerId is null ? "A venue's plan (every trainer's sessions there)" : $"Trainer {trainerId}'s plan")
            is { } refused ? ValueTask.FromResult<object?>(refused) : next(context);
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

    static async Task<IReadOnlyList<SessionRow>?> SessionsAsync(SchedulerDatabase database, string column, Guid id, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        var table = column == "venue_id" ? "venues" : "trainers";
        var exists = await connection.ExecuteScalarAsync<long>(new CommandDefinition($"SELECT COUNT(*) FROM {table} WHERE {column} = @id", new { id }, cancellationToken: ct));
        if (exists == 0) return null;
        return (await connection.QueryAsync<SessionRow>(new CommandDefinition($"""
            SELECT s.session_id, s.day_number, s.local_date, s.starts_at, s.ends_at,
                   s.status, COALESCE(x.code, '') AS SectorCode, c.role, c.number, v.name AS Venue, t.name AS Trainer,
                   (SELECT COUNT(*) FROM cohort_members m WHERE m.cohort_id = c.cohort_id AND m.removed_at IS NULL) AS Members, c.created_at,
                   x.time_zone
            FROM sessions s JOIN cohorts c ON c.cohort_id = s.cohort_id JOIN venues v ON v.venue_id = s.venue_id
            JOIN trainers t ON t.trainer_id = s.trainer_id LEFT JOIN sectors x ON x.sector_id = c.sector_id
            WHERE s.{column} = @id ORDER BY s.starts_at, x.code
            """, new { id }, cancellationToken: ct))).AsList();
    }

    static async Task<Results<ContentHttpResult, NotFound>> CalendarAsync(CalendarFeed feed, FeedOwner owner, Guid id, CancellationToken ct) =>
        await feed.RenderAsync(owner, id, ct) is { } ics ? TypedResults.Content(ics, CalendarFeed.ContentType) : TypedResults.NotFound();

    static async Task<Results<ContentHttpResult, NotFound>> CsvAsync(SchedulerDatabase database, StudyProtocol protocol, string column, Guid id, CancellationToken ct)
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
}
