using System.Security.Claims;
using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Reminders.Contracts;
using Reminders.Platform.Auth;
using Reminders.Platform.Data;
using Reminders.Platform.Hosting;

namespace Reminders.Attendance.Recording;

/// <summary>
/// Trainers record check-ins, check-outs and excuses per officer per session, once it has started, with times read as
/// <see cref="RollCallTime"/> reads a roll call's; a correction supersedes an event with the old and new value, who and why. Reading a session gives each officer's minutes and status, with walk-ins
/// (not in the cohort) and contamination (an officer of a control sector) flagged.
/// </summary>
public static class AttendanceRecordingApi
{
    static readonly Dictionary<string, string> Kinds = new() { ["check_in"] = "check_in", ["check_out"] = "check_out", ["excused"] = "excused" };

    /// <summary><see cref="At"/> as <see cref="RollCallTime"/> reads it (<c>09:00</c>, <c>2026-12-10T09:00</c>, or with an offset); now when omitted.</summary>
    public sealed record EventRequest(Guid? OfficerId, string? Kind, string? At, Guid? EventId);

    public sealed record CorrectionRequest(string? At, bool? Remove, string? Reason);

    public sealed record EventView(Guid EventId, Guid SessionId, Guid OfficerId, string Kind, DateTimeOffset At, string RecordedBy, bool WalkIn);

    public sealed record OfficerAttendance(
        Guid OfficerId, string Status, int MinutesAttended, int MinutesPlanned, bool Late, bool LeftEarly, bool MissingCheckOut,
        bool WalkIn, bool Contamination, int Events, string? NoSmsReason = null);

    public sealed record SessionView(Guid SessionId, Guid CohortId, string Date, DateTimeOffset StartsAt, DateTimeOffset EndsAt, string Status,
        IReadOnlyList<OfficerAttendance> Officers);

    public static IEndpointRouteBuilder MapAttendanceRecordingApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/attendance").WithTags("Attendance");
        api.MapPost("/sessions/{sessionId:guid}/events", Record).RequireAnyRole(Roles.Trainer, Roles.Manager)
            .WithSummary("Record a check-in, check-out or excuse for one officer (eventId makes a retry harmless).");
        api.MapPost("/events/{eventId:guid}/corrections", Correct).RequireAnyRole(Roles.Trainer, Roles.Manager)
            .WithSummary("Correct an event's time, or remove it, with a reason; the old value stays in the history.");
        api.MapGet("/sessions/{sessionId:guid}", Read).RequireAnyRole(Roles.Trainer, Roles.Manager, Roles.Researcher)
            .WithSummary("Each officer's minutes and status in one session, walk-ins and contamination flagged.");
        return app;
    }

    static async Task<Results<Created<EventView>, Ok<EventView>, NotFound, ProblemHttpResult>> Record(
        Guid sessionId, EventRequest request, ClaimsPrincipal user, AttendanceDatabase database,
        SessionTimeZones zones, TimeProvider clock, CancellationToken ct)
    {
        if (request.OfficerId is not { } officerId || officerId == Guid.Empty) return Refusals.Invalid("officerId", "officerId is required.");
        if (request.Kind is null || !Kinds.TryGetValue(request.Kind, out var kind)) return Refusals.Invalid("kind", "kind must be check_in, check_out or excused.");
        var now = clock.GetUtcNow();

        await using var work = await database.BeginAsync(ct);
        var session = await TrainingSession.FindAsync(work, sessionId, ct);
        if (session is null) return TypedResults.NotFound();
        if (user.RefuseSession(sessionId, session.TrainerId) is { } notTheirs) return notTheirs;
        var zone = zones.Of(session);
        if (await session.RefuseRecordingAsync(work, now, zone, ct) is { } refused) return refused;
        if (!TryReadTime(request.At, now, session, zone, out var at, out var reason)) return Refusals.Invalid("at", reason);
        var officerKnown = await work.QuerySingleOrDefaultAsync<long?>("SELECT 1 FROM officers WHERE officer_id = @officerId", new { officerId }, ct);
        if (officerKnown is null) return Refusals.Invalid("officerId", "No enrolled officer has this id.");

        var eventId = request.EventId ?? Guid.CreateVersion7();
        var inserted = await work.ExecuteAsync("""
            INSERT INTO attendance_events (event_id, session_id, officer_id, kind, at, recorded_by, recorded_at, source)
            VALUES (@eventId, @sessionId, @officerId, @kind, @at, @by, @now, 'api') ON CONFLICT (event_id) DO NOTHING
            """, new { eventId, sessionId, officerId, kind, at, by = user.Identity?.Name ?? "", now }, ct);
        var walkIn = await work.QuerySingleOrDefaultAsync<long?>(
            "SELECT 1 FROM cohort_members WHERE cohort_id = @CohortId AND officer_id = @officerId", new { session.CohortId, officerId }, ct) is null;
        await work.CommitAsync(ct);
        var view = new EventView(eventId, sessionId, officerId, kind, at, user.Identity?.Name ?? "", walkIn);
        return inserted == 1 ? TypedResults.Created($"/api/attendance/events/{eventId}", view) : TypedResults.Ok(view);
    }

    static async Task<Results<Ok<EventView>, NotFound, ProblemHttpResult>> Correct(
        Guid eventId, CorrectionRequest request, ClaimsPrincipal user, AttendanceDatabase database,
        SessionTimeZones zones, TimeProvider clock, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(request.Reason) || request.Reason.Length > 500) return Refusals.Invalid("reason", "A correction needs a reason (at most 500 characters).");
        if (request.Remove != true && string.IsNullOrWhiteSpace(request.At)) return Refusals.Invalid("at", "Give the corrected time, or remove: true.");
        var now = clock.GetUtcNow();
        await using var work = await database.BeginAsync(ct);
        var original = await work.QuerySingleOrDefaultAsync<EventRow>($"""
            SELECT event_id, session_id, officer_id, kind, at, superseded_at,
                   roll_call_id
            FROM attendance_events WHERE event_id = @eventId {work.Dialect.ForUpdate()}
            """, new { eventId }, ct);
        if (original is null) return TypedResults.NotFound();
        var session = (await TrainingSession.FindAsync(work, original.SessionId, ct))!;
        if (user.RefuseSession(session.SessionId, session.TrainerId) is { } notTheirs) return notTheirs;
        if (original.SupersededAt is not null) return TypedResults.Problem(title: "Already corrected", detail: "This event was already corrected; correct the newer one.", statusCode: 409);
        if (await work.QuerySingleOrDefaultAsync<long?>("""
                SELECT 1 FROM cohort_closures c JOIN sessions s ON s.cohort_id = c.cohort_id WHERE s.session_id = @SessionId
                """, new { original.SessionId }, ct) is not null)
            return TypedResults.Problem(title: "Attendance closed", detail: "This cohort's attendance is closed; it can no longer be corrected.", statusCode: 409);
        var at = original.At;
        if (request.Remove != true && !TryReadTime(request.At, now, session, zones.Of(session), out at, out var reason)) return Refusals.Invalid("at", reason);

        var by = user.Identity?.Name ?? "";
        Guid? replacement = request.Remove == true ? null : Guid.CreateVersion7();
        // The replacement belongs to the original's roll call: a roll call that replaces that one supersedes the correction too.
        if (replacement is { } newId)
            await work.ExecuteAsync("""
                INSERT INTO attendance_events (event_id, session_id, officer_id, kind, at, recorded_by, recorded_at, source, roll_call_id)
                VALUES (@newId, @SessionId, @OfficerId, @Kind, @at, @by, @now, 'correction', @RollCallId)
                """, new { newId, original.SessionId, original.OfficerId, original.Kind, at, by, now, original.RollCallId }, ct);
        await work.ExecuteAsync("""
            UPDATE attendance_events SET superseded_by = @replacement, superseded_at = @now, corrected_by = @by, correction_reason = @reason WHERE event_id = @eventId
            """, new { eventId, replacement, now, by, reason = request.Reason.Trim() }, ct);
        await work.CommitAsync(ct);
        return TypedResults.Ok(new EventView(replacement ?? eventId, original.SessionId, original.OfficerId, original.Kind, at, by, false));
    }

    /// <summary>An event's time as written (now when not given): on the session's date, in its zone, and not in the future.</summary>
    static bool TryReadTime(string? text, DateTimeOffset now, TrainingSession session, TimeZoneInfo zone, out DateTimeOffset at,
        [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out string? reason)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            at = now;
            reason = RollCallTime.OffDateReason(now, session.Date, zone);
        }
        else if (!RollCallTime.TryParse(text, session.Date, zone, out at, out reason)) return false;
        else if (at > now + RollCallApi.ClockSkew) reason = "An event cannot be recorded in the future.";
        return reason is null;
    }

    static async Task<Results<Ok<SessionView>, NotFound, ProblemHttpResult>> Read(Guid sessionId, ClaimsPrincipal user,
        AttendanceDatabase database, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        var session = await TrainingSession.FindAsync(connection, sessionId, ct);
        if (session is null) return TypedResults.NotFound();
        if (user.RefuseSession(sessionId, session.TrainerId) is { } notTheirs) return notTheirs;
        var members = (await connection.QueryAsync<Guid>(new CommandDefinition(
            "SELECT officer_id FROM cohort_members WHERE cohort_id = @CohortId", new { session.CohortId }, cancellationToken: ct))).ToHashSet();
        var events = (await connection.QueryAsync<EventRow>(new CommandDefinition("""
            SELECT event_id, session_id, officer_id, kind, at, superseded_at
            FROM attendance_events WHERE session_id = @sessionId AND superseded_at IS NULL
            """, new { sessionId }, cancellationToken: ct))).ToLookup(e => e.OfficerId);
        var people = members.Union(events.Select(g => g.Key)).Order().ToList();
        // Contamination is by the arm of randomization; "sin SMS" tells the trainer whom to tell in person.
        var facts = (await connection.QueryAsync<OfficerFacts>(new CommandDefinition($"""
            SELECT o.officer_id, a.arm, c.consent, st.status FROM officers o
            LEFT JOIN officer_arms a ON a.officer_id = o.officer_id LEFT JOIN officer_consents c ON c.officer_id = o.officer_id
            LEFT JOIN officer_statuses st ON st.officer_id = o.officer_id
            WHERE {database.Dialect.InList("o.officer_id", "people")}
            """, new { people = database.Dialect.UuidList(people) }, cancellationToken: ct))).ToDictionary(o => o.OfficerId);

        var officers = people.Select(officerId =>
        {
            var mine = events[officerId].ToList();
            var result = AttendanceCalculator.ComputeRecorded(session.StartsAt, session.EndsAt, mine.Select(e => (e.Kind, e.At)));
            var walkIn = !members.Contains(officerId);
            return new OfficerAttendance(officerId, result.Status, result.MinutesAttended, result.MinutesPlanned, result.Late, result.LeftEarly,
                result.MissingCheckOut, walkIn, Contamination.Of(facts.GetValueOrDefault(officerId)?.Arm, result.MinutesAttended), mine.Count,
                facts.GetValueOrDefault(officerId)?.NoSmsReason);
        }).ToList();
        return TypedResults.Ok(new SessionView(sessionId, session.CohortId, session.LocalDate, session.StartsAt, session.EndsAt, session.Status, officers));
    }

    sealed record EventRow
    {
        public Guid EventId { get; init; }
        public Guid SessionId { get; init; }
        public Guid OfficerId { get; init; }
        public string Kind { get; init; } = "";
        public DateTimeOffset At { get; init; }
        public DateTimeOffset? SupersededAt { get; init; }
        public Guid? RollCallId { get; init; }
    }

    sealed record OfficerFacts
    {
        public Guid OfficerId { get; init; }
        public string? Arm { get; init; }
        public bool? Consent { get; init; }
        public string? Status { get; init; }

        /// <summary>Why the officer gets no SMS (no consent, opted out, wrong number), null when they do.</summary>
        public string? NoSmsReason => Consent == false ? SmsSkipReasons.NoConsent
            : Status is OfficerStatuses.SmsOptedOut ? SmsSkipReasons.OptedOut : Status is OfficerStatuses.WrongNumber ? SmsSkipReasons.WrongNumber : null;
    }
}
