using Reminders.Web.Services.Training;

namespace Reminders.Web.Services;

/// <summary>What the training pages need from Enrollment: members' names and badges, an officer by badge, sectors with their zones.</summary>
public sealed partial class EnrollmentClient
{
    public Task<ApiResult<OfficerLookup>> CohortMembersAsync(IReadOnlyList<Guid> officerIds, CancellationToken ct = default) =>
        PostJsonAsync<OfficerLookup>("/api/enrollment/officers/lookup", new { officerIds }, ct);

    public Task<ApiResult<OfficerCard>> OfficerToPlaceAsync(string badge, CancellationToken ct = default) =>
        GetAsync<OfficerCard>($"/api/enrollment/officers/by-badge/{Uri.EscapeDataString(badge.Trim())}", ct);

    public Task<ApiResult<List<SectorZone>>> SectorZonesAsync(CancellationToken ct = default) => GetAsync<List<SectorZone>>("/api/enrollment/sectors", ct);
}
