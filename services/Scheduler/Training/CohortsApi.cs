using System.Security.Claims;
using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Reminders.Platform.Auth;
using Reminders.Platform.Data;
using Reminders.Platform.Hosting;

namespace Reminders.Scheduler.Training;

/// <summary>Recorded cohorts: read them with their sessions, members, logistics SMS and history; move, re-staff or cancel them.</summary>
public static class CohortsApi
{
    public sealed record MoveCohortRequest(string? Start, string? StartTime, string? Reason);
    public sealed record MoveSessionRequest(string? Date, string? StartTime, string? Reason);
    public sealed record RestaffRequest(Guid? VenueId, Guid? TrainerId, string? Reason);
    public sealed record CancelRequest(string? Reason);
    public sealed record AddMemberRequest(Guid? OfficerId, string? Reason);

    public sealed record CohortSummary
    {
        public Guid CohortId { get; init; }
        public string SectorCode { get; init; } = "";
        public string Role { get; init; } = "";
        public long Number { get; init; }
        public string Status { get; init; } = "";
        public string Venue { get; init; } = "";
        public string Trainer { get; init; } = "";
        public string? FirstDate { get; init; }
        public string? LastDate { get; init; }
        public long Members { get; init; }
        /// <summary>Current members who confirmed by replying OK to their invitation (or change notice, or day-before reminder).</summary>
        public long ConfirmedByReplyingOk { get; init; }
    }

    public sealed record MemberConfirmation(Guid OfficerId, bool Confirmed, DateTimeOffset? ConfirmedAt);

    public sealed record SessionView
    {
        public Guid SessionId { get; init; }
        public long DayNumber { get; init; }
        public string Date { get; init; } = "";
        public DateTimeOffset StartsAt { get; init; }
        public DateTimeOffset EndsAt { get; init; }
        public string Venue { get; init; } = "";
        public string Trainer { get; init; } = "";
        public string Status { get; init; } = "";
    }

    public sealed record SmsCount
    {
        public string Kind { get; init; } = "";
        public string Status { get; init; } = "";
        public string? Reason { get; init; }
        public long Count { get; init; }
    }

    public sealed record ChangeView
    {
        public string Entity { get; init; } = "";
        public Guid EntityId { get; init; }
        public string Change { get; init; } = "";
        public string? OldValue { get; init; }
        public string? NewValue { get; init; }
        public string? Reason { get; init; }
        public string ChangedBy { get; init; } = "";
        public DateTimeOffset ChangedAt { get; init; }
    }

    public sealed record CohortDetail(CohortSummary Cohort, IReadOnlyList<SessionView> Sessions, IReadOnlyList<Guid> Members,
        IReadOnlyList<SmsCount> Sms, IReadOnlyList<ChangeView> Changes, IReadOnlyList<MemberConfirmation> Confirmations);

    public const int MaxReasonLength = 500;

    /// <summary>What a dry run without a reason is checked with: it is never written.</summary>
    const string DryRunReason = "dry run";

    public static IEndpointRouteBuilder MapCohortsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/scheduler").WithTags("Scheduler").RequireAuthorization(Roles.Manager);
        api.MapGet("/cohorts", List).WithSummary("Cohorts, optionally of one sector (code) and/or status (planned, cancelled).");
        api.MapGet("/cohorts/{cohortId:guid}", Detail).WithSummary("A cohort with its sessions, members, logistics SMS by kind and status, every change, and who confirmed by replying OK.");
        api.MapPost("/cohorts/{cohortId:guid}/move", MoveCohort)
            .WithSummary("Move a cohort not yet started to consecutive working days from start (optionally a new daily startTime); notices are re-planned. ?dryRun=true says which SMS it would plan and cancel, writing nothing (as on every change below).");
        api.MapPost("/cohorts/{cohortId:guid}/staff", Restaff)
            .WithSummary("Give the sessions still to come another venue and/or trainer; a new venue is told to the officers.");
        api.MapPost("/cohorts/{cohortId:guid}/cancel", CancelCohort).WithSummary("Cancel a cohort not yet started; invited officers are told.");
        api.MapPost("/cohorts/{cohortId:guid}/members", AddMember)
            .WithSummary("Move an officer into this cohort (from another cohort of the same sector and role, or from none).");
        api.MapPost("/sessions/{sessionId:guid}/move", MoveSession).WithSummary("Move one session still to come to another working day, keeping the days in order.");
        api.MapPost("/sessions/{sessionId:guid}/cancel", CancelSession).WithSummary("Cancel one session still to come; invited officers are told.");
        return app;
    }

    static async Task<Ok<IReadOnlyList<CohortSummary>>> List(string? sector, string? status,
        SchedulerDatabase database, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        var rows = await connection.QueryAsync<CohortSummary>(new CommandDefinition(SummarySql + """
             WHERE (@sector IS NULL OR UPPER(s.code) = UPPER(@sector)) AND (@status IS NULL OR c.status = @status)
             ORDER BY s.code, c.role, c.number
            """, new { sector, status }, cancellationToken: ct));
        return TypedResults.Ok<IReadOnlyList<CohortSummary>>(rows.ToList());
    }

    static async Task<Results<Ok<CohortDetail>, NotFound>> Detail(Guid cohortId,
        SchedulerDatabase database, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        var cohort = await connection.QuerySingleOrDefaultAsync<CohortSummary>(new CommandDefinition(SummarySql + " WHERE c.cohort_id = @cohortId",
            new { cohortId }, cancellationToken: ct));
        if (cohort is null) return TypedResults.NotFound();
        var sessions = await connection.QueryAsync<SessionView>(new CommandDefinition("""
            SELECT x.session_id, x.day_number, x.local_date AS Date, x.starts_at, x.ends_at,
                   v.name AS Venue, t.name AS Trainer, x.status
            FROM sessions x JOIN venues v ON v.venue_id = x.venue_id JOIN trainers t ON t.trainer_id = x.trainer_id
            WHERE x.cohort_id = @cohortId ORDER BY x.day_number
            """, new { cohortId }, cancellationToken: ct));
        var members = await connection.QueryAsync<Guid>(new CommandDefinition(
            "SELECT officer_id FROM cohort_members WHERE cohort_id = @cohortId AND removed_at IS NULL ORDER BY officer_id", new { cohortId }, cancellationToken: ct));
        var sms = await connection.QueryAsync<SmsCount>(new CommandDefinition("""
            SELECT kind, status, reason, COUNT(*) AS Count FROM planned_sms WHERE cohort_id = @cohortId
            GROUP BY kind, status, reason ORDER BY kind, status, reason
            """, new { cohortId }, cancellationToken: ct));
        var changes = await connection.QueryAsync<ChangeView>(new CommandDefinition("""
            SELECT entity, entity_id, change, old_value, new_value, reason,
                   changed_by, changed_at
            FROM plan_changes WHERE cohort_id = @cohortId ORDER BY id
            """, new { cohortId }, cancellationToken: ct));
        var confirmations = await connection.QueryAsync<ConfirmationRow>(new CommandDefinition("""
            SELECT m.officer_id, f.confirmed_at
            FROM cohort_members m LEFT JOIN cohort_confirmations f ON f.cohort_id = m.cohort_id AND f.officer_id = m.officer_id
            WHERE m.cohort_id = @cohortId AND m.removed_at IS NULL ORDER BY m.officer_id
            """, new { cohortId }, cancellationToken: ct));
        return TypedResults.Ok(new CohortDetail(cohort, sessions.ToList(), members.ToList(), sms.ToList(), changes.ToList(),
            confirmations.Select(c => new MemberConfirmation(c.OfficerId, c.ConfirmedAt is not null, c.ConfirmedAt)).ToList()));
    }

    sealed record ConfirmationRow
    {
        public Guid OfficerId { get; init; }
        public DateTimeOffset? ConfirmedAt { get; init; }
    }

    const string SummarySql = """
        SELECT c.cohort_id, COALESCE(s.code, '') AS SectorCode, c.role, c.number, c.status,
               v.name AS Venue, t.name AS Trainer,
               (SELECT MIN(local_date) FROM sessions x WHERE x.cohort_id = c.cohort_id AND x.status <> 'cancelled') AS FirstDate,
               (SELECT MAX(local_date) FROM sessions x WHERE x.cohort_id = c.cohort_id AND x.status <> 'cancelled') AS LastDate,
               (SELECT COUNT(*) FROM cohort_members m WHERE m.cohort_id = c.cohort_id AND m.removed_at IS NULL) AS Members,
               (SELECT COUNT(*) FROM cohort_confirmations f WHERE f.cohort_id = c.cohort_id AND EXISTS
                   (SELECT 1 FROM cohort_members m WHERE m.cohort_id = f.cohort_id AND m.officer_id = f.officer_id AND m.removed_at IS NULL)) AS ConfirmedByReplyingOk
        FROM cohorts c LEFT JOIN sectors s ON s.sector_id = c.sector_id
        JOIN venues v ON v.venue_id = c.venue_id JOIN trainers t ON t.trainer_id = c.trainer_id
        """;

    static Task<Results<Ok<ChangeResult>, ProblemHttpResult>> MoveCohort(Guid cohortId, MoveCohortRequest body, bool? dryRun, ClaimsPrincipal user,
        CohortChanges changes, CancellationToken ct) =>
        Run(body.Reason, dryRun, reason =>
        {
            if (!DateOnly.TryParseExact(body.Start, "yyyy-MM-dd", out var start)) throw new PlanningRefused("start", "start must be a date as YYYY-MM-DD.", 400);
            return changes.MoveCohortAsync(cohortId, start, OptionalTime(body.StartTime), reason, By(user), ct, dryRun is true);
        });

    static Task<Results<Ok<ChangeResult>, ProblemHttpResult>> MoveSession(Guid sessionId, MoveSessionRequest body, bool? dryRun, ClaimsPrincipal user,
        CohortChanges changes, CancellationToken ct) =>
        Run(body.Reason, dryRun, reason =>
        {
            if (!DateOnly.TryParseExact(body.Date, "yyyy-MM-dd", out var date)) throw new PlanningRefused("date", "date must be a date as YYYY-MM-DD.", 400);
            return changes.MoveSessionAsync(sessionId, date, OptionalTime(body.StartTime), reason, By(user), ct, dryRun is true);
        });

    static Task<Results<Ok<ChangeResult>, ProblemHttpResult>> Restaff(Guid cohortId, RestaffRequest body, bool? dryRun, ClaimsPrincipal user,
        CohortChanges changes, CancellationToken ct) =>
        Run(body.Reason, dryRun, reason => changes.RestaffCohortAsync(cohortId, body.VenueId, body.TrainerId, reason, By(user), ct, dryRun is true));

    static Task<Results<Ok<ChangeResult>, ProblemHttpResult>> CancelCohort(Guid cohortId, CancelRequest body, bool? dryRun, ClaimsPrincipal user,
        CohortChanges changes, CancellationToken ct) =>
        Run(body.Reason, dryRun, reason => changes.CancelCohortAsync(cohortId, reason, By(user), ct, dryRun is true));

    static Task<Results<Ok<ChangeResult>, ProblemHttpResult>> CancelSession(Guid sessionId, CancelRequest body, bool? dryRun, ClaimsPrincipal user,
        CohortChanges changes, CancellationToken ct) =>
        Run(body.Reason, dryRun, reason => changes.CancelSessionAsync(sessionId, reason, By(user), ct, dryRun is true));

    static Task<Results<Ok<ChangeResult>, ProblemHttpResult>> AddMember(Guid cohortId, AddMemberRequest body, bool? dryRun, ClaimsPrincipal user,
        CohortChanges changes, CancellationToken ct) =>
        Run(body.Reason, dryRun, reason =>
        {
            if (body.OfficerId is not { } officerId || officerId == Guid.Empty) throw new PlanningRefused("officerId", "officerId is required.", 400);
            return changes.MoveOfficerAsync(officerId, cohortId, reason, By(user), ct, dryRun is true);
        });

    /// <summary>
    /// Every change needs a reason; refusals become ProblemDetails naming the field. A dry run (<c>?dryRun=true</c>) makes
    /// the same checks and says which SMS the change would plan and cancel, writing nothing; it may come before the reason is typed.
    /// </summary>
    static async Task<Results<Ok<ChangeResult>, ProblemHttpResult>> Run(string? reason, bool? dryRun, Func<string, Task<ChangeResult>> change)
    {
        try
        {
            var trimmed = reason?.Trim() ?? "";
            if (dryRun is true && trimmed.Length == 0) trimmed = DryRunReason;
            if (trimmed.Length is 0 or > MaxReasonLength || trimmed.Any(c => char.IsControl(c) && c is not '\n'))
                throw new PlanningRefused("reason", $"Every change needs a reason of 1 to {MaxReasonLength} characters.", 400);
            return TypedResults.Ok(await change(trimmed));
        }
        catch (PlanningRefused refused)
        {
            return Refusals.Refuse(refused.Status, refused.Field, refused.Status switch { 404 => "Not found", 409 => "Refused", _ => "Invalid request" }, refused.Message);
        }
    }

    static TimeOnly? OptionalTime(string? value) =>
        value is null ? null
        : TimeOnly.TryParseExact(value, "HH:mm", out var time) ? time
        : throw new PlanningRefused("startTime", "startTime must be a time as HH:mm.", 400);

    static string By(ClaimsPrincipal user) => user.Identity?.Name ?? "";
}
