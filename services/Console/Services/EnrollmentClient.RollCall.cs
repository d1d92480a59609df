namespace Reminders.Web.Services;

/// <summary>Names and badges for a roll call (trainers and managers only; never a phone), and a walk-in found by badge.</summary>
public sealed partial class EnrollmentClient
{
    public Task<ApiResult<RollCallOfficers>> RollCallOfficersAsync(IReadOnlyCollection<Guid> officerIds, CancellationToken ct = default) =>
        PostJsonAsync<RollCallOfficers>("/api/enrollment/officers/lookup", new { officerIds }, ct);

    /// <summary>404 when no officer has the badge.</summary>
    public Task<ApiResult<RollCallOfficer>> OfficerByBadgeAsync(string badge, CancellationToken ct = default) =>
        GetAsync<RollCallOfficer>($"/api/enrollment/officers/by-badge/{Uri.EscapeDataString(badge.Trim())}", ct);
}

/// <summary>
/// An officer as a roll call shows them. <see cref="RandomizedArm"/>: the arm of randomization (control or treatment; null before
/// randomization), whatever sector they are in now. <see cref="NoSmsReason"/>: why they get no SMS when <see cref="NoSms"/>.
/// </summary>
public sealed record RollCallOfficer(
    Guid Id, string Badge, string Name, string Role, string SectorCode, string SectorName, string Status, bool Consent,
    string? RandomizedArm, bool NoSms, string? NoSmsReason)
{
    public bool FromControlArm => RandomizedArm == "control";
}

public sealed record RollCallOfficers(IReadOnlyList<RollCallOfficer> Officers, IReadOnlyList<Guid> UnknownIds);
