using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Reminders.Attendance.Recording;
using Reminders.Platform.Auth;
using Reminders.Platform.Data;

namespace Reminders.Attendance.Dosage;

/// <summary>
/// Support view: one officer's whole story in one call — training sessions with minutes attended, every SMS with each
/// event the provider reported and the acknowledgment, study-status changes and transfers. No phone numbers (Attendance has none).
/// </summary>
public static class OfficerTimelineApi
{
    public sealed record Timeline(
        Guid OfficerId, Guid? SectorId, string? Role, string StudyStatus, IReadOnlyList<TimelineSession> Sessions, IReadOnlyList<TimelineSms> Sms,
        IReadOnlyList<TimelineStatusChange> StatusChanges, IReadOnlyList<TimelineTransfer> Transfers);

    public sealed record TimelineSession(
        Guid SessionId, Guid CohortId, int DayNumber, string Date, DateTimeOffset StartsAt, DateTimeOffset EndsAt, string SessionStatus,
        bool WalkIn, string AttendanceStatus, int MinutesAttended, int MinutesPlanned);

    /// <summary>One SMS: <see cref="Status"/> as in <see cref="ReminderDose.Status"/> for reminders, the provider's status otherwise.</summary>
    public sealed record TimelineSms(
        Guid SmsId, string Purpose, int? ReminderNumber, DateTimeOffset? DueAt, string Status, string? SkipReason, string? ProviderSid,
        DateTimeOffset? AcceptedAt, DateTimeOffset? DeliveredAt, int? ErrorCode, DateTimeOffset? AcknowledgedAt, string? AcknowledgmentReply,
        IReadOnlyList<TimelineSmsEvent> History);

    public sealed record TimelineSmsEvent(string Event, string? Status, int? ErrorCode, string? Detail, DateTimeOffset At);

    public sealed record TimelineStatusChange(string Status, string? PreviousStatus, string Source, DateTimeOffset At);

    public sealed record TimelineTransfer(Guid FromSectorId, Guid ToSectorId, bool CrossArm, string TransferredOn, DateTimeOffset RecordedAt);

    public static IEndpointRouteBuilder MapOfficerTimelineApi(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/api/attendance").WithTags("Attendance")
            .MapGet("/officers/{officerId:guid}/timeline", GetTimeline).RequireAnyRole(Roles.Manager)
            .WithSummary("One officer's training sessions and SMS (each with its status history and acknowledgment), in time order.");
        return app;
    }

    static async Task<Results<Ok<Timeline>, ProblemHttpResult>> GetTimeline(
        Guid officerId, AttendanceDatabase database, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        async Task<List<T>> Query<T>(string sql) =>
            (await connection.QueryAsync<T>(new CommandDefinition(sql, new { officerId }, cancellationToken: ct))).AsList();

        var dose = (await DosageLedger.ReadAsync(connection, null, [officerId], ct)).SingleOrDefault();
        var sessions = await SessionsAsync(Query<SessionRow>);
        if (dose is null && sessions.Count == 0)
            return TypedResults.Problem(title: "Unknown officer", detail: $"Attendance knows nothing of officer {officerId}.", statusCode: 404);

        var ledger = await Query<SmsRow>("""
            SELECT s.sms_id, s.purpose, s.status, s.provider_sid, s.accepted_at,
                   s.delivered_at, s.error_code, s.refusal_reason
            FROM sms_ledger s WHERE s.officer_id = @officerId
            """);
        var acknowledgments = (await Query<AcknowledgmentRow>("""
            SELECT sms_id, acknowledged_at, acknowledgment_reply AS Reply
            FROM reminder_ledger WHERE officer_id = @officerId AND acknowledged_at IS NOT NULL
            """)).ToDictionary(a => a.SmsId);
        var history = (await Query<HistoryRow>("""
            SELECT h.sms_id, h.event, h.status, h.error_code, h.detail, h.occurred_at AS At
            FROM sms_status_history h JOIN sms_ledger s ON s.sms_id = h.sms_id
            WHERE s.officer_id = @officerId ORDER BY h.occurred_at, h.id
            """)).ToLookup(h => h.SmsId, h => new TimelineSmsEvent(h.Event, h.Status, h.ErrorCode, h.Detail, h.At));

        var reminders = (dose?.Reminders ?? []).ToDictionary(r => r.SmsId);
        var byId = ledger.ToDictionary(s => s.SmsId);
        var sms = byId.Keys.Union(reminders.Keys).Select(smsId =>
        {
            var row = byId.GetValueOrDefault(smsId);
            var reminder = reminders.GetValueOrDefault(smsId);
            var ack = acknowledgments.GetValueOrDefault(smsId);
            var events = history[smsId].ToList();
            return new TimelineSms(smsId, row?.Purpose ?? "reminder", reminder?.Number, reminder?.DueAt,
                reminder?.Status ?? row?.Status ?? (row?.RefusalReason is not null ? "refused" : "pending"),
                reminder?.SkipReason ?? row?.RefusalReason, row?.ProviderSid, row?.AcceptedAt, row?.DeliveredAt, row?.ErrorCode,
                ack?.AcknowledgedAt, ack?.Reply, events);
        }).OrderBy(s => s.DueAt ?? s.AcceptedAt ?? s.History.FirstOrDefault()?.At ?? DateTimeOffset.MaxValue).ThenBy(s => s.ReminderNumber).ToList();

        var statusChanges = await Query<StatusRow>("""
            SELECT status, previous_status, source, changed_at AS At
            FROM officer_status_history WHERE officer_id = @officerId ORDER BY changed_at, id
            """);
        var transfers = await Query<TransferRow>("""
            SELECT from_sector_id, to_sector_id, cross_arm, transferred_on, recorded_at
            FROM officer_transfers WHERE officer_id = @officerId ORDER BY recorded_at, id
            """);
        return TypedResults.Ok(new Timeline(officerId, dose?.CurrentSectorId, dose?.Role, dose?.StudyStatus ?? "active", sessions, sms,
            statusChanges.Select(c => new TimelineStatusChange(c.Status, c.PreviousStatus, c.Source, c.At)).ToList(),
            transfers.Select(t => new TimelineTransfer(t.FromSectorId, t.ToSectorId, t.CrossArm, t.TransferredOn, t.RecordedAt)).ToList()));
    }

    /// <summary>Sessions of the officer's cohorts and those they attended elsewhere (walk-in), minutes from the events still in force.</summary>
    static async Task<List<TimelineSession>> SessionsAsync(Func<string, Task<List<SessionRow>>> query)
    {
        var rows = await query("""
            SELECT s.session_id, s.cohort_id, s.day_number, s.local_date AS Date, s.starts_at,
                   s.ends_at, s.status AS SessionStatus,
                   CASE WHEN EXISTS (SELECT 1 FROM cohort_members m WHERE m.cohort_id = s.cohort_id AND m.officer_id = @officerId) THEN 0 ELSE 1 END AS WalkIn,
                   e.kind, e.at
            FROM sessions s LEFT JOIN attendance_events e ON e.session_id = s.session_id AND e.officer_id = @officerId AND e.superseded_at IS NULL
            WHERE s.cohort_id IN (SELECT cohort_id FROM cohort_members WHERE officer_id = @officerId)
               OR s.session_id IN (SELECT session_id FROM attendance_events WHERE officer_id = @officerId AND superseded_at IS NULL)
            """);
        return rows.GroupBy(r => r.SessionId).Select(g =>
        {
            var s = g.First();
            var attendance = AttendanceCalculator.ComputeRecorded(s.StartsAt, s.EndsAt, g.Where(e => e.Kind is not null).Select(e => (e.Kind!, e.At!.Value)));
            return new TimelineSession(s.SessionId, s.CohortId, s.DayNumber, s.Date, s.StartsAt, s.EndsAt, s.SessionStatus, s.WalkIn == 1,
                attendance.Status, attendance.MinutesAttended, attendance.MinutesPlanned);
        }).OrderBy(s => s.StartsAt).ToList();
    }

    sealed record SessionRow
    {
        public Guid SessionId { get; init; }
        public Guid CohortId { get; init; }
        public int DayNumber { get; init; }
        public string Date { get; init; } = "";
        public DateTimeOffset StartsAt { get; init; }
        public DateTimeOffset EndsAt { get; init; }
        public string SessionStatus { get; init; } = "";
        public long WalkIn { get; init; }
        public string? Kind { get; init; }
        public DateTimeOffset? At { get; init; }
    }

    sealed record SmsRow
    {
        public Guid SmsId { get; init; }
        public string Purpose { get; init; } = "";
        public string? Status { get; init; }
        public string? ProviderSid { get; init; }
        public DateTimeOffset? AcceptedAt { get; init; }
        public DateTimeOffset? DeliveredAt { get; init; }
        public int? ErrorCode { get; init; }
        public string? RefusalReason { get; init; }
    }

    sealed record AcknowledgmentRow
    {
        public Guid SmsId { get; init; }
        public DateTimeOffset AcknowledgedAt { get; init; }
        public string? Reply { get; init; }
    }

    sealed record HistoryRow
    {
        public Guid SmsId { get; init; }
        public string Event { get; init; } = "";
        public string? Status { get; init; }
        public int? ErrorCode { get; init; }
        public string? Detail { get; init; }
        public DateTimeOffset At { get; init; }
    }

    sealed record StatusRow
    {
        public string Status { get; init; } = "";
        public string? PreviousStatus { get; init; }
        public string Source { get; init; } = "";
        public DateTimeOffset At { get; init; }
    }

    sealed record TransferRow
    {
        public Guid FromSectorId { get; init; }
        public Guid ToSectorId { get; init; }
        public bool CrossArm { get; init; }
        public string TransferredOn { get; init; } = "";
        public DateTimeOffset RecordedAt { get; init; }
    }
}
