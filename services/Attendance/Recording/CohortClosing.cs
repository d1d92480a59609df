using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Reminders.Contracts;
using Reminders.Platform.Auth;
using Reminders.Platform.Data;

namespace Reminders.Attendance.Recording;

/// <summary>
/// Closing a cohort's attendance: each member's (and walk-in's) minutes and sessions over the cohort's sessions, recorded
/// once and published to the Scheduler in the same transaction. After it, nothing more is recorded for the cohort.
/// </summary>
public static class CohortClosing
{
    public sealed record ClosedCohort(Guid CohortId, DateTimeOffset ClosedAt, IReadOnlyList<OfficerAttendanceTotal> Officers);

    public static IEndpointRouteBuilder MapCohortClosing(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/api/attendance").WithTags("Attendance")
            .MapPost("/cohorts/{cohortId:guid}/close", CloseAsync).RequireAnyRole(Roles.Trainer, Roles.Manager)
            .WithSummary("Close a cohort's attendance and publish each officer's minutes and sessions (once).");
        return app;
    }

    static async Task<Results<Ok<ClosedCohort>, NotFound, ProblemHttpResult>> CloseAsync(
        Guid cohortId, ClaimsPrincipal user, [FromKeyedServices(AttendanceService.Name)] ServiceDatabase database, TimeProvider clock, CancellationToken ct)
    {
        await using var work = await database.BeginAsync(ct);
        await work.LockAsync($"cohort-{cohortId}", ct);
        var sessions = await work.QueryAsync<SessionRow>("""
            SELECT session_id AS SessionId, sector_id AS SectorId, role AS Role, starts_at AS StartsAt, ends_at AS EndsAt
            FROM sessions WHERE cohort_id = @cohortId AND status <> 'cancelled'
            """, new { cohortId }, ct);
        if (sessions.Count == 0) return TypedResults.NotFound();
        if (await work.QuerySingleOrDefaultAsync<long?>("SELECT 1 FROM cohort_closures WHERE cohort_id = @cohortId", new { cohortId }, ct) is not null)
            return TypedResults.Problem(title: "Already closed", detail: "This cohort's attendance was already closed.", statusCode: 409);

        var members = (await work.QueryAsync<Guid>("SELECT officer_id FROM cohort_members WHERE cohort_id = @cohortId", new { cohortId }, ct)).ToHashSet();
        var events = (await work.QueryAsync<EventRow>("""
            SELECT e.session_id AS SessionId, e.officer_id AS OfficerId, e.kind AS Kind, e.at AS At
            FROM attendance_events e JOIN sessions s ON s.session_id = e.session_id
            WHERE s.cohort_id = @cohortId AND e.superseded_at IS NULL
            """, new { cohortId }, ct)).ToLookup(e => (e.SessionId, e.OfficerId));
        var people = members.Union(events.Select(g => g.Key.OfficerId)).Order().ToList();
        var totals = people.Select(officerId =>
        {
            int minutes = 0, planned = 0, attended = 0;
            foreach (var session in sessions)
            {
                var mine = events[(session.SessionId, officerId)].ToList();
                var result = AttendanceCalculator.Compute(session.StartsAt, session.EndsAt,
                    mine.Where(e => e.Kind != "excused").Select(e => new AttendanceEvent(e.Kind == "check_in" ? AttendanceEventKind.CheckIn : AttendanceEventKind.CheckOut, e.At)),
                    excused: mine.Any(e => e.Kind == "excused"));
                minutes += result.MinutesAttended;
                planned += result.MinutesPlanned;
                if (result.MinutesAttended > 0) attended++;
            }
            return new OfficerAttendanceTotal(officerId, minutes, planned, attended, sessions.Count, !members.Contains(officerId));
        }).ToList();

        var now = clock.GetUtcNow();
        await work.ExecuteAsync("INSERT INTO cohort_closures (cohort_id, closed_by, closed_at) VALUES (@cohortId, @by, @now)",
            new { cohortId, by = user.Identity?.Name ?? "", now }, ct);
        work.Publish(new CohortAttendanceClosed(cohortId, sessions[0].SectorId, sessions[0].Role, totals, now));
        await work.CommitAsync(ct);
        return TypedResults.Ok(new ClosedCohort(cohortId, now, totals));
    }

    sealed record SessionRow
    {
        public Guid SessionId { get; init; }
        public Guid SectorId { get; init; }
        public string Role { get; init; } = "";
        public DateTimeOffset StartsAt { get; init; }
        public DateTimeOffset EndsAt { get; init; }
    }

    sealed record EventRow
    {
        public Guid SessionId { get; init; }
        public Guid OfficerId { get; init; }
        public string Kind { get; init; } = "";
        public DateTimeOffset At { get; init; }
    }
}
