using Microsoft.Extensions.Caching.Memory;

namespace Reminders.Web.Services;

/// <summary>
/// The sector codes the officers list offers as a filter, kept for a minute: at city scale (thousands of sectors) the
/// sectors list with its officer counts costs more than the page itself, and sector codes change only with a sector upload.
/// </summary>
public sealed class SectorCodes(IMemoryCache cache)
{
    static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(1);
    const string Key = "sector-codes";

    public async Task<IReadOnlyList<string>> GetAsync(EnrollmentClient enrollment, CancellationToken ct = default)
    {
        if (cache.TryGetValue(Key, out IReadOnlyList<string>? codes) && codes is not null) return codes;
        var sectors = await enrollment.SectorsAsync(ct);
        if (sectors.Value is null) return [];
        codes = sectors.Value.Select(s => s.Code).ToList();
        cache.Set(Key, codes, Lifetime);
        return codes;
    }

    /// <summary>After a sector upload through the console, the next list shows the new codes at once.</summary>
    public void Forget() => cache.Remove(Key);
}
