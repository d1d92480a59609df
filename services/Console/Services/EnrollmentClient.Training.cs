using Reminders.Web.Services.Training;

namespace Reminders.Web.Services;

/// <summary>What the training pages need from Enrollment besides the officer lookup: sectors with their zones.</summary>
public sealed partial class EnrollmentClient
{
    public Task<ApiResult<List<SectorZone>>> SectorZonesAsync(CancellationToken ct = default) => GetAsync<List<SectorZone>>("/api/enrollment/sectors", ct);
}
