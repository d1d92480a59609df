namespace Reminders.Web.Services;

/// <summary>Officers by id or by badge, as trainers and managers may see them (names, badges, SMS or not; never a phone).</summary>
public sealed partial class EnrollmentClient
{
    /// <summary>Names and badges for a roll call or a cohort's members; ids Enrollment does not know come back in UnknownIds.</summary>
    public Task<ApiResult<OfficerLookup>> LookupOfficersAsync(IReadOnlyCollection<Guid> officerIds, CancellationToken ct = default) =>
        PostJsonAsync<OfficerLookup>("/api/enrollment/officers/lookup", new { officerIds }, ct);

    /// <summary>A walk-in or an officer to place in a cohort; 404 when no officer has the badge.</summary>
    public Task<ApiResult<OfficerCard>> OfficerByBadgeAsync(string badge, CancellationToken ct = default) =>
        GetAsync<OfficerCard>($"/api/enrollment/officers/by-badge/{Uri.EscapeDataString(badge.Trim())}", ct);
}

/// <summary>
/// An officer as Enrollment's lookup gives them. <see cref="RandomizedArm"/>: the arm of randomization (control or treatment;
/// null before randomization), whatever sector they are in now. <see cref="NoSmsReason"/>: why they get no SMS when <see cref="NoSms"/>.
/// </summary>
public sealed record OfficerCard(
    Guid Id, string Badge, string Name, string Role, string SectorCode, string SectorName, string Status, bool Consent,
    string? RandomizedArm, bool NoSms, string? NoSmsReason)
{
    public bool FromControlArm => RandomizedArm == "control";
}

public sealed record OfficerLookup(IReadOnlyList<OfficerCard> Officers, IReadOnlyList<Guid> UnknownIds);
