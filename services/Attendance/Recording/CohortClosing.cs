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
        var totals = await CohortTotals.ComputeAsync(work.Connection, work.Transaction, cohortId, ct);
        if (totals is null) return TypedResults.NotFound();
        if (await work.QuerySingleOrDefaultAsync<long?>("SELECT 1 FROM cohort_closures WHERE cohort_id = @cohortId", new { cohortId }, ct) is not null)
            return TypedResults.Problem(title: "Already closed", detail: "This cohort's attendance was already closed.", statusCode: 409);

        var now = clock.GetUtcNow();
        await work.ExecuteAsync("INSERT INTO cohort_closures (cohort_id, closed_by, closed_at) VALUES (@cohortId, @by, @now)",
            new { cohortId, by = user.Identity?.Name ?? "", now }, ct);
        // The dosage ledger reads these instead of recomputing attendance: the protocol's denominator, fixed at close.
        await work.ExecuteAsync("""
            INSERT INTO cohort_officer_totals (cohort_id, officer_id, minutes_planned, minutes_attended, sessions_planned, sessions_attended, walk_in)
            VALUES (@cohortId, @OfficerId, @MinutesPlanned, @MinutesAttended, @Sessions, @SessionsAttended, @WalkIn)
            """, totals.Officers.Select(o => new { cohortId, o.OfficerId, o.MinutesPlanned, o.MinutesAttended, o.Sessions, o.SessionsAttended, o.WalkIn }), ct);
        work.Publish(new CohortAttendanceClosed(cohortId, totals.SectorId, totals.Role, totals.Officers, now));
        await work.CommitAsync(ct);
        return TypedResults.Ok(new ClosedCohort(cohortId, now, totals.Officers));
    }
}
