namespace Reminders.Web.Services;

/// <summary>What the Scheduler planned and what became of it (the dispatcher's backlog, today's reminders) and its cohorts, for the home page and the delivery monitor.</summary>
public sealed partial class SchedulerClient
{
    public Task<ApiResult<DispatchView>> DispatchAsync(CancellationToken ct = default) =>
        GetAsync<DispatchView>("/api/scheduler/dispatch", ct);

    public Task<ApiResult<List<CohortCountView>>> CohortListAsync(CancellationToken ct = default) =>
        GetAsync<List<CohortCountView>>("/api/scheduler/cohorts", ct);
}

/// <param name="Due">Rows due and not dispatched yet.</param>
public sealed record DispatchView(
    DateTimeOffset Now, long Due, DateTimeOffset? NextDueAt, IReadOnlyList<PlannedSmsCountView> Counts,
    IReadOnlyList<DueInZoneView>? DueByZone = null, RemindersTodayView? RemindersToday = null);

/// <param name="Late">Of these, dispatched more than the dispatcher's lateness margin after their due time.</param>
public sealed record PlannedSmsCountView(string Purpose, string Kind, string Status, string? Reason, long Count, long Late);

/// <param name="WindowOpen">Sent in the next round; false: deferred by quiet hours until <paramref name="WindowOpensAt"/>.</param>
public sealed record DueInZoneView(string Zone, long Due, bool WindowOpen, DateTimeOffset WindowOpensAt);

public sealed record RemindersTodayView(string Date, string Zone, long Total, IReadOnlyDictionary<string, long> ByStatus);

/// <summary>A cohort as the home page counts it (status, last day).</summary>
public sealed record CohortCountView(Guid CohortId, string SectorCode, string Role, string Status, string? FirstDate, string? LastDate, long Members);
