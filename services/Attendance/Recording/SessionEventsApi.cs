using System.Security.Claims;
using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Reminders.Platform.Auth;
using Reminders.Platform.Data;

namespace Reminders.Attendance.Recording;

/// <summary>
/// A session's attendance history: its roll calls (which one is in force, which replaced which, who and why) and every
/// event ever recorded for it, in force or superseded, with where it came from and what superseded it, who and why.
/// </summary>
public static class SessionEventsApi
{
    public sealed record RollCallView(
        Guid RollCallId, int Number, string UploadedBy, DateTimeOffset UploadedAt, string? Reason, Guid? Replaces, int Rows, int Events,
        bool Current, Guid? SupersededBy, DateTimeOffset? SupersededAt);

    /// <summary>
    /// <see cref="Source"/>: api, roll_call or correction (null: recorded before sources were kept). A superseded event names
    /// the event that replaced it (<see cref="SupersededBy"/>, a correction) or the roll call that did.
    /// </summary>
    public sealed record SessionEventView(
        Guid EventId, Guid OfficerId, string Kind, DateTimeOffset At, string LocalTime, string RecordedBy, DateTimeOffset RecordedAt,
        string? Source, Guid? RollCallId, bool Current, Guid? SupersededBy, Guid? SupersededByRollCall, DateTimeOffset? SupersededAt,
        string? CorrectedBy, string? CorrectionReason);

    public sealed record SessionEvents(Guid SessionId, string Date, string TimeZone, IReadOnlyList<RollCallView> RollCalls, IReadOnlyList<SessionEventView> Events);

    public static IEndpointRouteBuilder MapSessionEventsApi(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/api/attendance").WithTags("Attendance")
            .MapGet("/sessions/{sessionId:guid}/events", ReadAsync).RequireAnyRole(Roles.Trainer, Roles.Manager, Roles.Researcher)
            .WithSummary("Every event of a session, in force and superseded, with its roll call and correction history.");
        return app;
    }

    static async Task<Results<Ok<SessionEvents>, NotFound, ProblemHttpResult>> ReadAsync(Guid sessionId, ClaimsPrincipal user,
        AttendanceDatabase database, SessionTimeZones zones, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        var session = await TrainingSession.FindAsync(connection, sessionId, ct);
        if (session is null) return TypedResults.NotFound();
        if (user.RefuseSession(sessionId, session.TrainerId) is { } notTheirs) return notTheirs;
        var zone = zones.Of(session);
        var rollCalls = (await connection.QueryAsync<RollCallRow>(new CommandDefinition("""
            SELECT roll_call_id, number, uploaded_by, uploaded_at, reason, replaces,
                   rows_read, events, superseded_by, superseded_at
            FROM roll_calls WHERE session_id = @sessionId ORDER BY number
            """, new { sessionId }, cancellationToken: ct)))
            .Select(r => new RollCallView(r.RollCallId, r.Number, r.UploadedBy, r.UploadedAt, r.Reason, r.Replaces, r.RowsRead, r.Events,
                r.SupersededAt is null, r.SupersededBy, r.SupersededAt))
            .ToList();
        var events = (await connection.QueryAsync<EventRow>(new CommandDefinition("""
            SELECT event_id, officer_id, kind, at, recorded_by, recorded_at,
                   source, roll_call_id, superseded_by, superseded_by_roll_call,
                   superseded_at, corrected_by, correction_reason
            FROM attendance_events WHERE session_id = @sessionId
            """, new { sessionId }, cancellationToken: ct)))
            .OrderBy(e => e.OfficerId).ThenBy(e => e.At).ThenBy(e => e.RecordedAt).ThenBy(e => e.EventId)
            .Select(e => new SessionEventView(e.EventId, e.OfficerId, e.Kind, e.At, RollCallTime.Local(e.At, zone), e.RecordedBy, e.RecordedAt, e.Source,
                e.RollCallId, e.SupersededAt is null, e.SupersededBy, e.SupersededByRollCall, e.SupersededAt, e.CorrectedBy, e.CorrectionReason))
            .ToList();
        return TypedResults.Ok(new SessionEvents(sessionId, session.LocalDate, zone.Id, rollCalls, events));
    }

    sealed record RollCallRow
    {
        public Guid RollCallId { get; init; }
        public int Number { get; init; }
        public string UploadedBy { get; init; } = "";
        public DateTimeOffset UploadedAt { get; init; }
        public string? Reason { get; init; }
        public Guid? Replaces { get; init; }
        public int RowsRead { get; init; }
        public int Events { get; init; }
        public Guid? SupersededBy { get; init; }
        public DateTimeOffset? SupersededAt { get; init; }
    }

    sealed record EventRow
    {
        public Guid EventId { get; init; }
        public Guid OfficerId { get; init; }
        public string Kind { get; init; } = "";
        public DateTimeOffset At { get; init; }
        public string RecordedBy { get; init; } = "";
        public DateTimeOffset RecordedAt { get; init; }
        public string? Source { get; init; }
        public Guid? RollCallId { get; init; }
        public Guid? SupersededBy { get; init; }
        public Guid? SupersededByRollCall { get; init; }
        public DateTimeOffset? SupersededAt { get; init; }
        public string? CorrectedBy { get; init; }
        public string? CorrectionReason { get; init; }
    }
}
