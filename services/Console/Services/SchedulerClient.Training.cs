using Reminders.Web.Services.Training;

namespace Reminders.Web.Services;

/// <summary>Training: venues and trainers with their calendar links, plans, the sessions calendar, cohorts and their changes.</summary>
public sealed partial class SchedulerClient
{
    public Task<ApiResult<List<Venue>>> VenuesAsync(CancellationToken ct = default) => GetAsync<List<Venue>>("/api/scheduler/venues", ct);

    public Task<ApiResult<List<Trainer>>> TrainersAsync(CancellationToken ct = default) => GetAsync<List<Trainer>>("/api/scheduler/trainers", ct);

    public Task<ApiResult<Venue>> AddVenueAsync(string name, int? capacity, string? address, CancellationToken ct = default) =>
        PostJsonAsync<Venue>("/api/scheduler/venues", new { name, capacity, address = string.IsNullOrWhiteSpace(address) ? null : address }, ct);

    public Task<ApiResult<Trainer>> AddTrainerAsync(string name, CancellationToken ct = default) =>
        PostJsonAsync<Trainer>("/api/scheduler/trainers", new { name }, ct);

    /// <param name="owner">"venues" or "trainers".</param>
    public Task<ApiResult<FeedLinkStatus>> FeedLinkStatusAsync(string owner, Guid id, CancellationToken ct = default) =>
        GetAsync<FeedLinkStatus>($"/api/scheduler/{Owner(owner)}/{id}/feed-token", ct);

    public Task<ApiResult<FeedLink>> NewFeedLinkAsync(string owner, Guid id, CancellationToken ct = default) =>
        PostJsonAsync<FeedLink>($"/api/scheduler/{Owner(owner)}/{id}/feed-token", null, ct);

    public Task<ApiResult<object>> RevokeFeedLinkAsync(string owner, Guid id, CancellationToken ct = default) =>
        DeleteAsync<object>($"/api/scheduler/{Owner(owner)}/{id}/feed-token", ct);

    public Task<ApiResult<PlanResult>> PlanTrainingsAsync(DateOnly from, DateOnly to, IReadOnlyList<string> sectorCodes, bool dryRun, CancellationToken ct = default) =>
        PostJsonAsync<PlanResult>("/api/scheduler/plans",
            new { from = from.ToString("yyyy-MM-dd"), to = to.ToString("yyyy-MM-dd"), sectorCodes = sectorCodes.Count == 0 ? null : sectorCodes, dryRun }, ct);

    public Task<ApiResult<List<CalendarSession>>> CalendarSessionsAsync(DateOnly from, DateOnly to, Guid? venueId, Guid? trainerId, CancellationToken ct = default) =>
        GetAsync<List<CalendarSession>>($"/api/scheduler/sessions?from={from:yyyy-MM-dd}&to={to:yyyy-MM-dd}"
            + (venueId is { } v ? $"&venueId={v}" : "") + (trainerId is { } t ? $"&trainerId={t}" : ""), ct);

    public Task<ApiResult<List<CohortSummary>>> CohortsAsync(CancellationToken ct = default) => GetAsync<List<CohortSummary>>("/api/scheduler/cohorts", ct);

    public Task<ApiResult<CohortDetail>> CohortAsync(Guid cohortId, CancellationToken ct = default) =>
        GetAsync<CohortDetail>($"/api/scheduler/cohorts/{cohortId}", ct);

    public Task<ApiResult<ProtocolSummary>> TrainingProtocolAsync(CancellationToken ct = default) => GetAsync<ProtocolSummary>("/api/scheduler/protocol", ct);

    public Task<ApiResult<ChangeResult>> MoveCohortAsync(Guid cohortId, DateOnly start, TimeOnly? startTime, string? reason, bool dryRun, CancellationToken ct = default) =>
        ChangeAsync($"/api/scheduler/cohorts/{cohortId}/move", new { start = start.ToString("yyyy-MM-dd"), startTime = startTime?.ToString("HH:mm"), reason }, dryRun, ct);

    public Task<ApiResult<ChangeResult>> MoveSessionAsync(Guid sessionId, DateOnly date, TimeOnly? startTime, string? reason, bool dryRun, CancellationToken ct = default) =>
        ChangeAsync($"/api/scheduler/sessions/{sessionId}/move", new { date = date.ToString("yyyy-MM-dd"), startTime = startTime?.ToString("HH:mm"), reason }, dryRun, ct);

    public Task<ApiResult<ChangeResult>> RestaffCohortAsync(Guid cohortId, Guid? venueId, Guid? trainerId, string? reason, bool dryRun, CancellationToken ct = default) =>
        ChangeAsync($"/api/scheduler/cohorts/{cohortId}/staff", new { venueId, trainerId, reason }, dryRun, ct);

    public Task<ApiResult<ChangeResult>> CancelCohortAsync(Guid cohortId, string? reason, bool dryRun, CancellationToken ct = default) =>
        ChangeAsync($"/api/scheduler/cohorts/{cohortId}/cancel", new { reason }, dryRun, ct);

    public Task<ApiResult<ChangeResult>> CancelSessionAsync(Guid sessionId, string? reason, bool dryRun, CancellationToken ct = default) =>
        ChangeAsync($"/api/scheduler/sessions/{sessionId}/cancel", new { reason }, dryRun, ct);

    public Task<ApiResult<ChangeResult>> MoveOfficerIntoCohortAsync(Guid cohortId, Guid officerId, string? reason, bool dryRun, CancellationToken ct = default) =>
        ChangeAsync($"/api/scheduler/cohorts/{cohortId}/members", new { officerId, reason }, dryRun, ct);

    /// <summary>A change to a recorded plan; with <paramref name="dryRun"/> the Scheduler only says which SMS it would send and cancel.</summary>
    Task<ApiResult<ChangeResult>> ChangeAsync(string path, object body, bool dryRun, CancellationToken ct) =>
        PostJsonAsync<ChangeResult>(dryRun ? path + "?dryRun=true" : path, body, ct);

    static string Owner(string owner) => owner is "venues" or "trainers" ? owner : throw new ArgumentOutOfRangeException(nameof(owner));
}
