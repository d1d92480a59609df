namespace Reminders.Web.Services;

/// <summary>Officers: the list (search and filters, paged on the server), one officer's record, and a manager's status change.</summary>
public sealed partial class EnrollmentClient
{
    public Task<ApiResult<List<OfficerView>>> OfficersAsync(OfficerFilter filter, int page, int pageSize, CancellationToken ct = default)
    {
        var query = new List<string> { $"page={page}", $"pageSize={pageSize}" };
        void Add(string name, string? value) { if (!string.IsNullOrWhiteSpace(value)) query.Add($"{name}={Uri.EscapeDataString(value.Trim())}"); }
        Add("search", filter.Search);
        Add("sector", filter.Sector);
        Add("role", filter.Role);
        Add("status", filter.Status);
        Add("consent", filter.Consent);
        return GetAsync<List<OfficerView>>("/api/enrollment/officers?" + string.Join('&', query), ct);
    }

    public Task<ApiResult<OfficerDetailView>> OfficerAsync(Guid officerId, CancellationToken ct = default) =>
        GetAsync<OfficerDetailView>($"/api/enrollment/officers/{officerId}", ct);

    /// <summary>Recorded by the service under the signed-in person's name.</summary>
    public Task<ApiResult<OfficerView>> ChangeStatusAsync(Guid officerId, string status, string? reason, CancellationToken ct = default) =>
        PostJsonAsync<OfficerView>($"/api/enrollment/officers/{officerId}/status", new { status, reason }, ct);
}

/// <summary>The officers list's filters, as the URL keeps them (?search=&amp;sector=&amp;role=&amp;status=&amp;consent=yes|no).</summary>
public sealed record OfficerFilter(string? Search = null, string? Sector = null, string? Role = null, string? Status = null, string? Consent = null);

public sealed record OfficerView(
    Guid Id, string Badge, string Name, string Role, string SectorCode, string PhoneMasked, bool Consent,
    string Status, string? RandomizedArm, bool CrossArmTransfer, DateTimeOffset? ConsentChangedAt);

public sealed record StatusChangeView(string Status, string? PreviousStatus, string Source, string ChangedBy, string? Reason, DateTimeOffset ChangedAt);

/// <param name="TransferredOn">The roster's transfer date (yyyy-MM-dd).</param>
public sealed record TransferView(string FromSector, string ToSector, string? FromArm, string? ToArm, bool CrossArm, string TransferredOn, string RecordedBy,
    DateTimeOffset? RecordedAt = null);

public sealed record OfficerDetailView(OfficerView Officer, IReadOnlyDictionary<string, string> Attributes,
    IReadOnlyList<StatusChangeView> StatusHistory, IReadOnlyList<TransferView> Transfers);
