namespace Reminders.Web.Services;

/// <summary>One officer's support timeline as Attendance keeps it: training sessions with minutes, and every SMS with its events.</summary>
public sealed partial class AttendanceClient
{
    public Task<ApiResult<TimelineView>> TimelineAsync(Guid officerId, CancellationToken ct = default) =>
        GetAsync<TimelineView>($"/api/attendance/officers/{officerId}/timeline", ct);
}

public sealed record TimelineView(
    Guid OfficerId, Guid? SectorId, string? Role, string StudyStatus, IReadOnlyList<TimelineSessionView> Sessions, IReadOnlyList<TimelineSmsView> Sms);

public sealed record TimelineSessionView(
    Guid SessionId, Guid CohortId, int DayNumber, string Date, DateTimeOffset StartsAt, DateTimeOffset EndsAt, string SessionStatus,
    bool WalkIn, string AttendanceStatus, int MinutesAttended, int MinutesPlanned);

/// <param name="Status">For a reminder: pending, skipped, cancelled, accepted, delivered, undelivered or failed; otherwise the provider's status or refused.</param>
public sealed record TimelineSmsView(
    Guid SmsId, string Purpose, int? ReminderNumber, DateTimeOffset? DueAt, string Status, string? SkipReason, string? ProviderSid,
    DateTimeOffset? AcceptedAt, DateTimeOffset? DeliveredAt, int? ErrorCode, DateTimeOffset? AcknowledgedAt, string? AcknowledgmentReply,
    IReadOnlyList<TimelineSmsEventView> History);

/// <param name="Event">accepted, status, failed or refused.</param>
public sealed record TimelineSmsEventView(string Event, string? Status, int? ErrorCode, string? Detail, DateTimeOffset At);
