using System.Net;
using System.Net.Http.Headers;

namespace Reminders.Web.Services;

/// <summary>A session's attendance: what is recorded (with its history), each officer's status, and recording it (events, corrections, a CSV roll call).</summary>
public sealed partial class AttendanceClient
{
    /// <summary>Every event of the session, in force and superseded, and its roll calls.</summary>
    public Task<ApiResult<SessionAttendanceHistory>> SessionHistoryAsync(Guid sessionId, CancellationToken ct = default) =>
        GetAsync<SessionAttendanceHistory>($"/api/attendance/sessions/{sessionId}/events", ct);

    /// <summary>Each officer's status and minutes in the session, walk-ins and contamination flagged.</summary>
    public Task<ApiResult<SessionAttendanceView>> SessionAttendanceAsync(Guid sessionId, CancellationToken ct = default) =>
        GetAsync<SessionAttendanceView>($"/api/attendance/sessions/{sessionId}", ct);

    /// <summary>
    /// One check-in, check-out or excuse; <paramref name="at"/> as a roll call writes it (<c>09:40</c>, or with date and offset).
    /// The same <paramref name="eventId"/> again is recorded once, so a retry after a lost answer is harmless.
    /// </summary>
    public Task<ApiResult<RecordedAttendanceEvent>> RecordEventAsync(Guid sessionId, Guid officerId, string kind, string at, Guid eventId, CancellationToken ct = default) =>
        PostJsonAsync<RecordedAttendanceEvent>($"/api/attendance/sessions/{sessionId}/events", new { officerId, kind, at, eventId }, ct);

    /// <summary>Moves an event to <paramref name="at"/>, or removes it (<paramref name="at"/> null), with the reason; the old value stays in the history.</summary>
    public Task<ApiResult<RecordedAttendanceEvent>> CorrectEventAsync(Guid eventId, string? at, string reason, CancellationToken ct = default) =>
        PostJsonAsync<RecordedAttendanceEvent>($"/api/attendance/events/{eventId}/corrections",
            at is null ? new { remove = true, reason } : new { at, reason } as object, ct);

    /// <summary>A whole roll call as CSV, all or nothing: a 422 keeps the report with each rejected row (line, column, value, reason).</summary>
    public Task<ApiResult<RollCallUploadReport>> UploadRollCallAsync(Guid sessionId, byte[] csv, string? reason, CancellationToken ct = default)
    {
        var content = new ByteArrayContent(csv);
        content.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        var query = string.IsNullOrWhiteSpace(reason) ? "" : "?reason=" + Uri.EscapeDataString(reason.Trim());
        return SendKeepingReportAsync<RollCallUploadReport>(
            new HttpRequestMessage(HttpMethod.Post, $"/api/attendance/sessions/{sessionId}/roll-call{query}") { Content = content },
            HttpStatusCode.UnprocessableEntity, ct);
    }
}

/// <summary><see cref="Source"/>: api, roll_call or correction. <see cref="Current"/>: in force (not superseded).</summary>
public sealed record AttendanceEventRecord(
    Guid EventId, Guid OfficerId, string Kind, DateTimeOffset At, string LocalTime, string RecordedBy, DateTimeOffset RecordedAt,
    string? Source, Guid? RollCallId, bool Current, Guid? SupersededBy, Guid? SupersededByRollCall, DateTimeOffset? SupersededAt,
    string? CorrectedBy, string? CorrectionReason);

public sealed record RollCallRecord(
    Guid RollCallId, int Number, string UploadedBy, DateTimeOffset UploadedAt, string? Reason, Guid? Replaces, int Rows, int Events,
    bool Current, Guid? SupersededBy, DateTimeOffset? SupersededAt);

public sealed record SessionAttendanceHistory(Guid SessionId, string Date, string TimeZone, IReadOnlyList<RollCallRecord> RollCalls, IReadOnlyList<AttendanceEventRecord> Events);

/// <summary><see cref="Status"/>: present, late, left_early, absent or excused.</summary>
public sealed record OfficerAttendanceView(
    Guid OfficerId, string Status, int MinutesAttended, int MinutesPlanned, bool Late, bool LeftEarly, bool MissingCheckOut,
    bool WalkIn, bool Contamination, int Events, string? NoSmsReason = null);

public sealed record SessionAttendanceView(Guid SessionId, Guid CohortId, string Date, DateTimeOffset StartsAt, DateTimeOffset EndsAt, string Status,
    IReadOnlyList<OfficerAttendanceView> Officers);

public sealed record RecordedAttendanceEvent(Guid EventId, Guid SessionId, Guid OfficerId, string Kind, DateTimeOffset At, string RecordedBy, bool WalkIn);

public sealed record RollCallRowError(int Line, string Column, string Value, string Reason);

/// <summary><see cref="Unchanged"/>: the roll call in force already said exactly this, so nothing was written.</summary>
public sealed record RollCallUploadReport(
    int Rows, int Events, IReadOnlyList<RollCallRowError>? Rejected, bool Written, Guid? RollCallId = null, Guid? Replaces = null, bool Unchanged = false);
