namespace Reminders.Web.Services;

public sealed partial class SchedulerClient
{
    /// <summary>The protocol's time zone (IANA): a sector with no zone of its own keeps this one.</summary>
    public async Task<ApiResult<string>> ProtocolTimeZoneAsync(CancellationToken ct = default)
    {
        var protocol = await GetAsync<ProtocolZoneView>("/api/scheduler/protocol", ct);
        return new(protocol.Status, protocol.Value?.TimeZone, protocol.Problem);
    }

    sealed record ProtocolZoneView(string TimeZone);
}
