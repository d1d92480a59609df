namespace Reminders.Web.Services;

public sealed partial class SchedulerClient
{
    /// <summary>Every SMS the Scheduler planned for one officer, with its kind and text (Attendance's timeline knows only the purpose).</summary>
    public Task<ApiResult<List<OfficerPlannedSmsView>>> OfficerSmsAsync(Guid officerId, CancellationToken ct = default) =>
        GetAsync<List<OfficerPlannedSmsView>>($"/api/scheduler/officers/{officerId}/sms", ct);
}

/// <param name="Kind">invitation, day_before, change_notice, cancellation or reminder.</param>
/// <param name="Status">planned, dispatched, cancelled or skipped.</param>
public sealed record OfficerPlannedSmsView(Guid SmsId, string Purpose, string Kind, Guid? CohortId, Guid? SessionId, int? ReminderNumber, string Body,
    DateTimeOffset DueAt, string Status, string? Reason, DateTimeOffset? DispatchedAt);
