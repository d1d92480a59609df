using System.Globalization;

namespace Reminders.Web.Components.Pages.Delivery;

/// <summary>
/// A due time as a person in the field reads it: 24-hour HH:mm on the wall clock of the sector's zone, with the zone's
/// name beside it ("10:00, hora de Ciudad de México"), the date first when asked, in the current culture.
/// </summary>
public static class ZoneTimeText
{
    public const string MexicoCity = "America/Mexico_City";

    static readonly Dictionary<string, (string Spanish, string English)> Cities = new(StringComparer.Ordinal)
    {
        [MexicoCity] = ("Ciudad de México", "Mexico City"),
        ["America/Tijuana"] = ("Tijuana", "Tijuana"),
        ["America/Monterrey"] = ("Monterrey", "Monterrey"),
        ["America/Cancun"] = ("Cancún", "Cancún"),
        ["America/Merida"] = ("Mérida", "Mérida"),
        ["America/Hermosillo"] = ("Hermosillo", "Hermosillo"),
        ["America/Mazatlan"] = ("Mazatlán", "Mazatlán"),
        ["America/Chihuahua"] = ("Chihuahua", "Chihuahua"),
        ["America/Ciudad_Juarez"] = ("Ciudad Juárez", "Ciudad Juárez"),
        ["America/Matamoros"] = ("Matamoros", "Matamoros"),
    };

    /// <summary>"hora de Ciudad de México" (Spanish) or "Mexico City time" (English); an unknown zone by the city in its id.</summary>
    public static string Name(string? zoneId, CultureInfo culture)
    {
        var id = string.IsNullOrEmpty(zoneId) ? MexicoCity : zoneId;
        var (spanish, english) = Cities.TryGetValue(id, out var city) ? city : Fallback(id);
        return culture.TwoLetterISOLanguageName == "es" ? $"hora de {spanish}" : $"{english} time";
    }

    /// <summary>"10:00, hora de Ciudad de México"; with <paramref name="withDate"/>, "7 jun 2027, 10:00, hora de Ciudad de México".</summary>
    public static string Format(DateTimeOffset instant, string? zoneId, CultureInfo culture, bool withDate = true)
    {
        var local = TimeZoneInfo.ConvertTime(instant, Zone(zoneId));
        var time = local.ToString("HH:mm", CultureInfo.InvariantCulture);
        var date = withDate ? local.ToString("d MMM yyyy", culture).Replace(".", "", StringComparison.Ordinal) + ", " : "";
        return $"{date}{time}, {Name(zoneId, culture)}";
    }

    /// <summary>The local date (yyyy-MM-dd) of <paramref name="instant"/> in the zone.</summary>
    public static DateOnly Date(DateTimeOffset instant, string? zoneId) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(instant, Zone(zoneId)).DateTime);

    static TimeZoneInfo Zone(string? zoneId) =>
        TimeZoneInfo.TryFindSystemTimeZoneById(string.IsNullOrEmpty(zoneId) ? MexicoCity : zoneId, out var zone) ? zone : TimeZoneInfo.Utc;

    static (string, string) Fallback(string id)
    {
        var city = id[(id.LastIndexOf('/') + 1)..].Replace('_', ' ');
        return (city, city);
    }
}
