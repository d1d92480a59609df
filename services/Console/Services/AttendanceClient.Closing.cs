using Reminders.Web.Services.Training;

namespace Reminders.Web.Services;

/// <summary>Closing a cohort's attendance: the preview, the close, a reopening with a reason, and the history.</summary>
public sealed partial class AttendanceClient
{
    public Task<ApiResult<ClosingOutcome>> ClosePreviewAsync(Guid cohortId, CancellationToken ct = default) =>
        GetAsync<ClosingOutcome>($"/api/attendance/cohorts/{cohortId}/close-preview", ct);

    public Task<ApiResult<ClosingOutcome>> CloseCohortAsync(Guid cohortId, CancellationToken ct = default) =>
        PostJsonAsync<ClosingOutcome>($"/api/attendance/cohorts/{cohortId}/close", null, ct);

    public Task<ApiResult<Reopened>> ReopenCohortAsync(Guid cohortId, string reason, CancellationToken ct = default) =>
        PostJsonAsync<Reopened>($"/api/attendance/cohorts/{cohortId}/reopen", new { reason }, ct);

    public Task<ApiResult<List<ClosureEntry>>> ClosuresAsync(Guid cohortId, CancellationToken ct = default) =>
        GetAsync<List<ClosureEntry>>($"/api/attendance/cohorts/{cohortId}/closures", ct);
}
