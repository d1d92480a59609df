using Microsoft.Extensions.Localization;

namespace Reminders.Web.Components.Shared;

/// <summary>Time zones as people name them: the zone's city in the reader's language, and a zone id that is never unknown.</summary>
public static class ZoneClock
{
    /// <summary>Where the study runs, when a sector names no zone of its own and the protocol's is not known.</summary>
    public const string DefaultZone = "America/Mexico_City";

    public static TimeZoneInfo Find(string? zoneId) =>
        !string.IsNullOrWhiteSpace(zoneId) && TimeZoneInfo.TryFindSystemTimeZoneById(zoneId, out var zone) ? zone
            : TimeZoneInfo.FindSystemTimeZoneById(DefaultZone);

    /// <summary>"Ciudad de México" for America/Mexico_City (from the resources), else the id's city with spaces ("Bahia Banderas").</summary>
    public static string City(string? zoneId, IStringLocalizer<ZoneTime> words)
    {
        var id = string.IsNullOrWhiteSpace(zoneId) ? DefaultZone : zoneId.Trim();
        var named = words["Zone_" + id.Replace('/', '_')];
        return named.ResourceNotFound ? id[(id.LastIndexOf('/') + 1)..].Replace('_', ' ') : named.Value;
    }
}
