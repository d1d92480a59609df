using System.Data.Common;
using System.Security.Claims;
using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Reminders.Platform.Auth;
using Reminders.Platform.Data;
using Reminders.Platform.Hosting;
using Reminders.Protocol;
using Reminders.Scheduler.Reminders;

namespace Reminders.Scheduler.Training;

/// <summary>
/// Training sessions one by one, for the console's calendar and a trainer's "my sessions", and one session with its members.
/// A principal bound to a trainer (the trainer_id claim) gets only that trainer's sessions, whatever it filters on.
/// </summary>
public static class SessionsApi
{
    public sealed record VenueRef(Guid VenueId, string Name, string? Address);

    public sealed record TrainerRef(Guid TrainerId, string Name);

    /// <summary>
    /// <see cref="StartsAt"/>/<see cref="EndsAt"/> in UTC, <see cref="LocalStartsAt"/>/<see cref="LocalEndsAt"/> on the wall clock of
    /// <see cref="TimeZone"/> (the sector's). <see cref="Status"/>: scheduled, cancelled, or held (its end has passed).
    /// <see cref="ExpectedOfficers"/>: the cohort's current members; <see cref="ConfirmedByReplyingOk"/>: those of them who replied OK.
    /// </summary>
    public record SessionItem
    {
        public Guid SessionId { get; init; }
        public Guid CohortId { get; init; }
        public int CohortNumber { get; init; }
        public string SectorCode { get; init; } = "";
        public string SectorName { get; init; } = "";
        public string Role { get; init; } = "";
        public int DayNumber { get; init; }
        public string Date { get; init; } = "";
        public DateTimeOffset StartsAt { get; init; }
        public DateTimeOffset EndsAt { get; init; }
        public DateTimeOffset LocalStartsAt { get; init; }
        public DateTimeOffset LocalEndsAt { get; init; }
        public string TimeZone { get; init; } = "";
        public VenueRef Venue { get; init; } = null!;
        public TrainerRef Trainer { get; init; } = null!;
        public string Status { get; init; } = "";
        public int ExpectedOfficers { get; init; }
        public int ConfirmedByReplyingOk { get; init; }
    }

    /// <summary>A member, and why they get no SMS (the reason a reminder to them would be skipped now: "sin SMS"), null when they do.</summary>
    public sealed record SessionMember(Guid OfficerId, bool GetsSms, string? NoSmsReason, bool ConfirmedByReplyingOk);

    public sealed record SessionDetail : SessionItem
    {
        public SessionDetail() { }

        public SessionDetail(SessionItem session, IReadOnlyList<SessionMember> members) : base(session) => Members = members;

        public IReadOnlyList<SessionMember> Members { get; init; } = [];
    }

    public static IEndpointRouteBuilder MapSessionsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/scheduler").WithTags("Scheduler").RequireAnyRole(Roles.Manager, Roles.Trainer);
        api.MapGet("/sessions", List)
            .WithSummary("Sessions in time order, optionally between two local dates (from, to: YYYY-MM-DD, inclusive), of one venue and/or trainer; a trainer gets only their own.");
        api.MapGet("/sessions/{sessionId:guid}", Detail)
            .WithSummary("One session with its members, each with whether they get SMS (and why not) and whether they confirmed by replying OK.");
        return app;
    }

    static async Task<Results<Ok<IReadOnlyList<SessionItem>>, ProblemHttpResult>> List(string? from, string? to, Guid? venueId, Guid? trainerId,
        ClaimsPrincipal user, SchedulerDatabase database, StudyProtocol protocol, TimeProvider clock, CancellationToken ct)
    {
        if (user.RefuseUnlinkedTrainer() is { } unlinked) return unlinked;
        DateOnly? fromDate = null, toDate = null;
        if (from is not null && !TryDate(from, out fromDate)) return Refusals.Invalid("from", "from must be a date as YYYY-MM-DD.");
        if (to is not null && !TryDate(to, out toDate)) return Refusals.Invalid("to", "to must be a date as YYYY-MM-DD.");
        if (fromDate > toDate) return Refusals.Invalid("to", "to must not be before from.");
        await using var connection = await database.OpenAsync(ct);
        var rows = await QueryAsync(connection, new SessionFilter(fromDate, toDate, venueId, user.BoundTrainer() ?? trainerId), ct);
        var now = clock.GetUtcNow();
        return TypedResults.Ok<IReadOnlyList<SessionItem>>(rows.Select(r => r.ToItem(protocol, now)).ToList());
    }

    static async Task<Results<Ok<SessionDetail>, ProblemHttpResult>> Detail(Guid sessionId, ClaimsPrincipal user,
        SchedulerDatabase database, StudyProtocol protocol, TimeProvider clock, CancellationToken ct)
    {
        if (user.RefuseUnlinkedTrainer() is { } unlinked) return unlinked;
        await using var connection = await database.OpenAsync(ct);
        if ((await QueryAsync(connection, new SessionFilter(SessionId: sessionId), ct)).SingleOrDefault() is not { } row)
            return Refusals.NotFound("sessionId", "Not found", $"No session has id {sessionId}.");
        if (user.RefuseSession(sessionId, row.TrainerId) is { } refused) return refused;

        var members = (await connection.QueryAsync<Guid>(new CommandDefinition(
            "SELECT officer_id FROM cohort_members WHERE cohort_id = @CohortId AND removed_at IS NULL ORDER BY officer_id", new { row.CohortId }, cancellationToken: ct))).AsList();
        var confirmed = (await connection.QueryAsync<Guid>(new CommandDefinition(
            "SELECT officer_id FROM cohort_confirmations WHERE cohort_id = @CohortId", new { row.CohortId }, cancellationToken: ct))).ToHashSet();
        // The same rule as reminders: whatever would skip an SMS to them now means "sin SMS".
        var blocks = await ReminderBlocks.ForOfficersAsync(connection, null, database.Dialect, members, protocol, ct);
        return TypedResults.Ok(new SessionDetail(row.ToItem(protocol, clock.GetUtcNow()), [.. members.Select(officerId =>
        {
            var noSms = blocks.ReasonFor(officerId);
            return new SessionMember(officerId, noSms is null, noSms, confirmed.Contains(officerId));
        })]));
    }

    /// <summary>Which sessions: each filter that is set narrows the list (local dates inclusive).</summary>
    internal sealed record SessionFilter(DateOnly? From = null, DateOnly? To = null, Guid? VenueId = null, Guid? TrainerId = null, Guid? SessionId = null);

    /// <summary>A session with its cohort, sector, venue, trainer and counts, as the list, the detail and the calendar feeds read it.</summary>
    internal sealed record SessionRow
    {
        public Guid SessionId { get; init; }
        public Guid CohortId { get; init; }
        public long CohortNumber { get; init; }
        public string SectorCode { get; init; } = "";
        public string SectorName { get; init; } = "";
        public string? TimeZone { get; init; }
        public string Role { get; init; } = "";
        public long DayNumber { get; init; }
        public string LocalDate { get; init; } = "";
        public DateTimeOffset StartsAt { get; init; }
        public DateTimeOffset EndsAt { get; init; }
        public string Status { get; init; } = "";
        public long Sequence { get; init; }
        public DateTimeOffset? ChangedAt { get; init; }
        public DateTimeOffset CreatedAt { get; init; }
        public Guid VenueId { get; init; }
        public string VenueName { get; init; } = "";
        public string? VenueAddress { get; init; }
        public Guid TrainerId { get; init; }
        public string TrainerName { get; init; } = "";
        public long ExpectedOfficers { get; init; }
        public long ConfirmedByReplyingOk { get; init; }

        public SessionItem ToItem(StudyProtocol protocol, DateTimeOffset now)
        {
            var zone = protocol.ZoneOf(TimeZone);
            return new SessionItem
            {
                SessionId = SessionId, CohortId = CohortId, CohortNumber = (int)CohortNumber, SectorCode = SectorCode, SectorName = SectorName, Role = Role,
                DayNumber = (int)DayNumber, Date = LocalDate, StartsAt = StartsAt.ToUniversalTime(), EndsAt = EndsAt.ToUniversalTime(),
                LocalStartsAt = TimeZoneInfo.ConvertTime(StartsAt, zone), LocalEndsAt = TimeZoneInfo.ConvertTime(EndsAt, zone), TimeZone = zone.Id,
                Venue = new VenueRef(VenueId, VenueName, VenueAddress), Trainer = new TrainerRef(TrainerId, TrainerName),
                Status = Status == "cancelled" ? "cancelled" : EndsAt <= now ? "held" : "scheduled",
                ExpectedOfficers = (int)ExpectedOfficers, ConfirmedByReplyingOk = (int)ConfirmedByReplyingOk,
            };
        }
    }

    internal static async Task<IReadOnlyList<SessionRow>> QueryAsync(DbConnection connection, SessionFilter filter, CancellationToken ct)
    {
        var where = new List<string>();
        if (filter.SessionId is not null) where.Add("s.session_id = @SessionId");
        if (filter.VenueId is not null) where.Add("s.venue_id = @VenueId");
        if (filter.TrainerId is not null) where.Add("s.trainer_id = @TrainerId");
        if (filter.From is not null) where.Add("s.local_date >= @from");
        if (filter.To is not null) where.Add("s.local_date <= @to");
        var sql = $"""
            SELECT s.session_id, s.cohort_id, c.number AS CohortNumber, COALESCE(x.code, '') AS SectorCode,
                   COALESCE(x.name, '') AS SectorName, x.time_zone, c.role, s.day_number, s.local_date,
                   s.starts_at, s.ends_at, s.status, s.sequence, s.changed_at, c.created_at,
                   v.venue_id, v.name AS VenueName, v.address AS VenueAddress, t.trainer_id, t.name AS TrainerName,
                   (SELECT COUNT(*) FROM cohort_members m WHERE m.cohort_id = c.cohort_id AND m.removed_at IS NULL) AS ExpectedOfficers,
                   (SELECT COUNT(*) FROM cohort_confirmations f JOIN cohort_members m
                        ON m.cohort_id = f.cohort_id AND m.officer_id = f.officer_id AND m.removed_at IS NULL
                    WHERE f.cohort_id = c.cohort_id) AS ConfirmedByReplyingOk
            FROM sessions s JOIN cohorts c ON c.cohort_id = s.cohort_id JOIN venues v ON v.venue_id = s.venue_id
            JOIN trainers t ON t.trainer_id = s.trainer_id LEFT JOIN sectors x ON x.sector_id = c.sector_id
            {(where.Count == 0 ? "" : "WHERE " + string.Join(" AND ", where))}
            ORDER BY s.starts_at, x.code, s.session_id
            """;
        return (await connection.QueryAsync<SessionRow>(new CommandDefinition(sql, new
        {
            filter.SessionId, filter.VenueId, filter.TrainerId, from = filter.From?.ToString("yyyy-MM-dd"), to = filter.To?.ToString("yyyy-MM-dd"),
        }, cancellationToken: ct))).AsList();
    }

    static bool TryDate(string text, out DateOnly? date)
    {
        var ok = DateOnly.TryParseExact(text, "yyyy-MM-dd", out var parsed);
        date = ok ? parsed : null;
        return ok;
    }
}
