using System.Globalization;
using System.Security.Claims;
using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Reminders.Contracts;
using Reminders.Platform.Auth;
using Reminders.Platform.Data;
using Reminders.Platform.Hosting;
using Reminders.Protocol;

namespace Reminders.Attendance.Recording;

/// <summary>
/// Closing a cohort's attendance once its last session has ended: each member's (and walk-in's) minutes and sessions over
/// the cohort's sessions, and whether the protocol makes them eligible for reminders, recorded and published to the
/// Scheduler in the same transaction. A manager previews it first (the same computation, nothing written), and may
/// reopen it within the protocol's window, with a reason, to correct it; closing again replaces the totals. Every close
/// and reopen stays in the cohort's history.
/// </summary>
public static class CohortClosing
{
    public sealed record OfficerOutcome(
        Guid OfficerId, int MinutesAttended, int MinutesPlanned, int SessionsAttended, int Sessions, bool WalkIn, bool Eligible, string? Reason);

    /// <summary>What a closing records: <see cref="Eligible"/> and <see cref="NotEligible"/> count members (walk-ins apart).</summary>
    public sealed record ClosingOutcome(
        Guid CohortId, DateTimeOffset? ClosedAt, int Members, int Eligible, int NotEligible, int WalkIns, IReadOnlyList<OfficerOutcome> Officers);

    public sealed record ReopenRequest(string? Reason);

    public sealed record Reopened(Guid CohortId, DateTimeOffset ReopenedAt, string ReopenedBy, string Reason, DateTimeOffset ClosedAt);

    /// <summary>One close ("closed", with its member counts) or reopen ("reopened", with its reason).</summary>
    public sealed record ClosureEntry(string Action, string By, DateTimeOffset At, string? Reason, int? MembersEligible, int? MembersNotEligible);

    public sealed record ClosedCohort
    {
        public Guid CohortId { get; init; }
        public DateTimeOffset ClosedAt { get; init; }
        public string ClosedBy { get; init; } = "";
    }

    const int MaxReasonLength = 500;

    public static IEndpointRouteBuilder MapCohortClosing(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/attendance/cohorts").WithTags("Attendance");
        api.MapGet("/{cohortId:guid}/close-preview", PreviewAsync).RequireAnyRole(Roles.Manager)
            .WithSummary("What closing the cohort now would record (minutes, sessions, who becomes eligible for reminders and why not); writes nothing.");
        api.MapPost("/{cohortId:guid}/close", CloseAsync).RequireAnyRole(Roles.Manager)
            .WithSummary("Close a cohort's attendance after its last session and publish each officer's minutes and sessions.");
        api.MapPost("/{cohortId:guid}/reopen", ReopenAsync).RequireAnyRole(Roles.Manager)
            .WithSummary("Reopen a closed cohort, with a reason, within the protocol's window (training.reopenWindowDays) to correct its attendance.");
        api.MapGet("/{cohortId:guid}/closures", HistoryAsync).RequireAnyRole(Roles.Manager, Roles.Researcher, Roles.Trainer)
            .WithSummary("Every close and reopen of the cohort: who, when, why.");
        api.MapGet("/closed", ClosedAsync).RequireAnyRole(Roles.Manager, Roles.Researcher)
            .WithSummary("The cohorts whose attendance is closed now (a reopened one is not, until closed again): when and by whom.");
        return app;
    }

    static async Task<Results<Ok<ClosingOutcome>, NotFound, ProblemHttpResult>> PreviewAsync(
        Guid cohortId, AttendanceDatabase database, StudyProtocol protocol, TimeProvider clock, CancellationToken ct)
    {
        // Read in a transaction that is never committed: exactly what the close would read.
        await using var work = await database.BeginAsync(ct);
        var (closing, refusal) = await DecideAsync(work, cohortId, protocol, clock.GetUtcNow(), ct);
        return closing is null ? refusal! : TypedResults.Ok(closing.Outcome);
    }

    static async Task<Results<Ok<ClosingOutcome>, NotFound, ProblemHttpResult>> CloseAsync(
        Guid cohortId, ClaimsPrincipal user, AttendanceDatabase database, StudyProtocol protocol,
        TimeProvider clock, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        await using var work = await database.BeginAsync(ct);
        await work.LockAsync($"cohort-{cohortId}", ct);
        var (closing, refusal) = await DecideAsync(work, cohortId, protocol, now, ct);
        if (closing is null) return refusal!;

        var (totals, outcome) = (closing.Totals, closing.Outcome with { ClosedAt = now });
        var by = user.Identity?.Name ?? "";
        await work.ExecuteAsync("INSERT INTO cohort_closures (cohort_id, closed_by, closed_at) VALUES (@cohortId, @by, @now)", new { cohortId, by, now }, ct);
        await work.ExecuteAsync("""
            INSERT INTO cohort_closure_history (cohort_id, action, done_by, done_at, members_eligible, members_not_eligible)
            VALUES (@cohortId, 'closed', @by, @now, @Eligible, @NotEligible)
            """, new { cohortId, by, now, outcome.Eligible, outcome.NotEligible }, ct);
        // The dosage ledger reads these instead of recomputing attendance: the protocol's denominator as of the latest close.
        await work.ExecuteAsync("DELETE FROM cohort_officer_totals WHERE cohort_id = @cohortId", new { cohortId }, ct);
        await work.ExecuteAsync("""
            INSERT INTO cohort_officer_totals (cohort_id, officer_id, minutes_planned, minutes_attended, sessions_planned, sessions_attended, walk_in)
            VALUES (@cohortId, @OfficerId, @MinutesPlanned, @MinutesAttended, @Sessions, @SessionsAttended, @WalkIn)
            """, totals.Officers.Select(o => new { cohortId, o.OfficerId, o.MinutesPlanned, o.MinutesAttended, o.Sessions, o.SessionsAttended, o.WalkIn }), ct);
        work.Publish(new CohortAttendanceClosed(cohortId, totals.SectorId, totals.Role, totals.Officers, now));
        await work.CommitAsync(ct);
        return TypedResults.Ok(outcome);
    }

    sealed record Closing(CohortTotals.Totals Totals, ClosingOutcome Outcome);

    /// <summary>
    /// The one computation behind the preview and the close: refused when the cohort is unknown, already closed or still
    /// training; otherwise each officer's totals and the protocol's eligibility rule applied to them.
    /// </summary>
    static async Task<(Closing? Closing, Results<Ok<ClosingOutcome>, NotFound, ProblemHttpResult>? Refusal)> DecideAsync(
        UnitOfWork work, Guid cohortId, StudyProtocol protocol, DateTimeOffset now, CancellationToken ct)
    {
        var totals = await CohortTotals.ComputeAsync(work.Connection, work.Transaction, cohortId, ct);
        if (totals is null) return (null, TypedResults.NotFound());
        if (await work.QuerySingleOrDefaultAsync<long?>("SELECT 1 FROM cohort_closures WHERE cohort_id = @cohortId", new { cohortId }, ct) is not null)
            return (null, TypedResults.Problem(title: "Already closed", detail: "This cohort's attendance is already closed; reopen it to correct it.", statusCode: 409));
        var last = await work.QuerySingleAsync<LastSession>("""
            SELECT session_id, day_number, local_date, ends_at, time_zone
            FROM sessions WHERE cohort_id = @cohortId AND status <> 'cancelled' ORDER BY ends_at DESC, day_number DESC LIMIT 1
            """, new { cohortId }, ct);
        if (now < last.EndsAt)
        {
            var zone = protocol.ZoneOf(last.TimeZone);
            var endsAt = TimeZoneInfo.ConvertTime(last.EndsAt, zone).ToString("HH:mm", CultureInfo.InvariantCulture);
            return (null, TypedResults.Problem(title: "Training not over",
                detail: $"The cohort's last session (day {last.DayNumber}, {last.LocalDate}) ends at {endsAt} ({zone.Id}); close it after that.",
                statusCode: 409, extensions: new Dictionary<string, object?>
                {
                    ["sessionId"] = last.SessionId, ["dayNumber"] = last.DayNumber, ["date"] = last.LocalDate, ["endsAt"] = endsAt,
                }));
        }

        var rule = protocol.Training.For(totals.Role).Eligibility;
        var officers = totals.Officers.Select(o =>
        {
            var eligible = !o.WalkIn && rule.IsEligible(o.SessionsAttended);
            var reason = o.WalkIn ? "walk-in: not a member of this cohort (their own cohort's closing decides)"
                : eligible ? null
                : $"attended {o.SessionsAttended} of {o.Sessions} sessions; the protocol asks for at least {rule.MinSessionsAttended}";
            return new OfficerOutcome(o.OfficerId, o.MinutesAttended, o.MinutesPlanned, o.SessionsAttended, o.Sessions, o.WalkIn, eligible, reason);
        }).ToList();
        var members = officers.Count(o => !o.WalkIn);
        var eligibleMembers = officers.Count(o => o.Eligible);
        return (new Closing(totals, new ClosingOutcome(cohortId, null, members, eligibleMembers, members - eligibleMembers, officers.Count - members, officers)), null);
    }

    static async Task<Results<Ok<Reopened>, NotFound, ProblemHttpResult>> ReopenAsync(
        Guid cohortId, ReopenRequest request, ClaimsPrincipal user, AttendanceDatabase database,
        StudyProtocol protocol, TimeProvider clock, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(request.Reason) || request.Reason.Length > MaxReasonLength)
            return Refusals.Invalid("reason", $"Reopening a cohort needs a reason (at most {MaxReasonLength} characters).");
        var (now, reason, by) = (clock.GetUtcNow(), request.Reason.Trim(), user.Identity?.Name ?? "");
        await using var work = await database.BeginAsync(ct);
        await work.LockAsync($"cohort-{cohortId}", ct);
        if (await work.QuerySingleOrDefaultAsync<long?>("SELECT 1 FROM sessions WHERE cohort_id = @cohortId LIMIT 1", new { cohortId }, ct) is null)
            return TypedResults.NotFound();
        var closedAt = await work.QuerySingleOrDefaultAsync<DateTimeOffset?>("SELECT closed_at FROM cohort_closures WHERE cohort_id = @cohortId", new { cohortId }, ct);
        if (closedAt is not { } closed)
            return TypedResults.Problem(title: "Not closed", detail: "This cohort's attendance is not closed; there is nothing to reopen.", statusCode: 409);
        var window = TimeSpan.FromDays(protocol.CohortReopenWindowDays);
        if (now > closed + window)
        {
            string Local(DateTimeOffset at) => TimeZoneInfo.ConvertTime(at, protocol.TimeZone).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);
            return TypedResults.Problem(title: "Reopening window over",
                detail: $"The cohort was closed on {Local(closed)}; the protocol lets a manager reopen it for {protocol.CohortReopenWindowDays} days after closing "
                    + $"(until {Local(closed + window)}, {protocol.TimeZoneId}), so it can no longer be reopened.",
                statusCode: 409);
        }

        await work.ExecuteAsync("DELETE FROM cohort_closures WHERE cohort_id = @cohortId", new { cohortId }, ct);
        await work.ExecuteAsync("""
            INSERT INTO cohort_closure_history (cohort_id, action, done_by, done_at, reason) VALUES (@cohortId, 'reopened', @by, @now, @reason)
            """, new { cohortId, by, now, reason }, ct);
        await work.CommitAsync(ct);
        return TypedResults.Ok(new Reopened(cohortId, now, by, reason, closed));
    }

    static async Task<Results<Ok<IReadOnlyList<ClosureEntry>>, NotFound, ProblemHttpResult>> HistoryAsync(
        Guid cohortId, ClaimsPrincipal user, AttendanceDatabase database, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        var known = await connection.ExecuteScalarAsync<long?>(new CommandDefinition(
            "SELECT 1 FROM sessions WHERE cohort_id = @cohortId LIMIT 1", new { cohortId }, cancellationToken: ct));
        if (known is null) return TypedResults.NotFound();
        if (await TrainingSession.RefuseCohortAsync(connection, user, cohortId, ct) is { } notTheirs) return notTheirs;
        var entries = (await connection.QueryAsync<ClosureRow>(new CommandDefinition("""
            SELECT action, done_by, done_at, reason,
                   members_eligible, members_not_eligible
            FROM cohort_closure_history WHERE cohort_id = @cohortId ORDER BY done_at, id
            """, new { cohortId }, cancellationToken: ct)))
            .Select(r => new ClosureEntry(r.Action, r.DoneBy, r.DoneAt, r.Reason, (int?)r.MembersEligible, (int?)r.MembersNotEligible)).ToList();
        return TypedResults.Ok<IReadOnlyList<ClosureEntry>>(entries);
    }

    static async Task<Ok<IReadOnlyList<ClosedCohort>>> ClosedAsync(AttendanceDatabase database, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        var closed = await connection.QueryAsync<ClosedCohort>(new CommandDefinition(
            "SELECT cohort_id, closed_at, closed_by FROM cohort_closures ORDER BY closed_at, cohort_id", cancellationToken: ct));
        return TypedResults.Ok<IReadOnlyList<ClosedCohort>>(closed.AsList());
    }

    sealed record LastSession
    {
        public Guid SessionId { get; init; }
        public int DayNumber { get; init; }
        public string LocalDate { get; init; } = "";
        public DateTimeOffset EndsAt { get; init; }
        public string? TimeZone { get; init; }
    }

    sealed record ClosureRow
    {
        public string Action { get; init; } = "";
        public string DoneBy { get; init; } = "";
        public DateTimeOffset DoneAt { get; init; }
        public string? Reason { get; init; }
        public long? MembersEligible { get; init; }
        public long? MembersNotEligible { get; init; }
    }
}
