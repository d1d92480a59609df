namespace Reminders.Web.Services;

public sealed partial class AttendanceClient
{
    /// <summary>The cohorts whose attendance is closed now.</summary>
    public Task<ApiResult<List<ClosedCohortView>>> ClosedCohortsAsync(CancellationToken ct = default) =>
        GetAsync<List<ClosedCohortView>>("/api/attendance/cohorts/closed", ct);
}

public sealed record ClosedCohortView(Guid CohortId, DateTimeOffset ClosedAt, string ClosedBy);
