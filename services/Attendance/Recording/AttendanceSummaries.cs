using System.Security.Claims;
using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Reminders.Platform.Auth;
using Reminders.Platform.Data;

namespace Reminders.Attendance.Recording;

/// <summary>Per cohort and per sector: planned vs attended minutes, completion rate and absentees (members, walk-ins apart).</summary>
public static class AttendanceSummaries
{
    public sealed record Summary(
        int Cohorts, int Members, int WalkIns, long MinutesPlanned, long MinutesAttended, double MinutesRate,
        int Completed, double CompletionRate, IReadOnlyList<Guid> Absentees, bool Closed);

    public static IEndpointRouteBuilder MapAttendanceSummaries(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/attendance").WithTags("Attendance").RequireAnyRole(Roles.Manager, Roles.Researcher, Roles.Trainer);
        api.MapGet("/cohorts/{cohortId:guid}/summary", Cohort)
            .WithSummary("A cohort: planned vs attended minutes of its members, how many attended every session, who attended none.");
        api.MapGet("/sectors/{sectorId:guid}/summary", Sector).WithSummary("The same over every cohort of a sector.");
        return app;
    }

    static async Task<Results<Ok<Summary>, NotFound, ProblemHttpResult>> Cohort(Guid cohortId, ClaimsPrincipal user,
        AttendanceDatabase database, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        var totals = await CohortTotals.ComputeAsync(connection, null, cohortId, ct);
        if (totals is null) return TypedResults.NotFound();
        if (await TrainingSession.RefuseCohortAsync(connection, user, cohortId, ct) is { } notTheirs) return notTheirs;
        var closed = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT COUNT(*) FROM cohort_closures WHERE cohort_id = @cohortId", new { cohortId }, cancellationToken: ct)) > 0;
        return TypedResults.Ok(Summarize([totals], closed));
    }

    static async Task<Results<Ok<Summary>, NotFound, ProblemHttpResult>> Sector(Guid sectorId, ClaimsPrincipal user,
        AttendanceDatabase database, CancellationToken ct)
    {
        if (user.RefuseOtherThan(null, "sectorId", "A sector's summary (every trainer's cohorts)") is { } notTheirs) return notTheirs;
        await using var connection = await database.OpenAsync(ct);
        var cohorts = (await connection.QueryAsync<Guid>(new CommandDefinition(
            "SELECT DISTINCT cohort_id FROM sessions WHERE sector_id = @sectorId", new { sectorId }, cancellationToken: ct))).AsList();
        var all = new List<CohortTotals.Totals>();
        foreach (var cohortId in cohorts)
            if (await CohortTotals.ComputeAsync(connection, null, cohortId, ct) is { } totals) all.Add(totals);
        if (all.Count == 0) return TypedResults.NotFound();
        var closed = await connection.ExecuteScalarAsync<long>(new CommandDefinition("""
            SELECT COUNT(DISTINCT c.cohort_id) FROM cohort_closures c JOIN sessions s ON s.cohort_id = c.cohort_id WHERE s.sector_id = @sectorId
            """, new { sectorId }, cancellationToken: ct)) == all.Count;
        return TypedResults.Ok(Summarize(all, closed));
    }

    static Summary Summarize(IReadOnlyList<CohortTotals.Totals> cohorts, bool closed)
    {
        var members = cohorts.SelectMany(c => c.Officers.Where(o => !o.WalkIn)).ToList();
        long planned = members.Sum(o => (long)o.MinutesPlanned), attended = members.Sum(o => (long)o.MinutesAttended);
        var completed = members.Count(o => o.SessionsAttended == o.Sessions);
        return new Summary(cohorts.Count, members.Count, cohorts.Sum(c => c.Officers.Count(o => o.WalkIn)), planned, attended,
            planned == 0 ? 0 : Math.Round((double)attended / planned, 4), completed,
            members.Count == 0 ? 0 : Math.Round((double)completed / members.Count, 4),
            members.Where(o => o.SessionsAttended == 0).Select(o => o.OfficerId).ToList(), closed);
    }
}
