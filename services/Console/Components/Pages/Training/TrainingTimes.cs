using System.Globalization;

namespace Reminders.Web.Components.Pages.Training;

/// <summary>
/// Dates and times of training as people read them: 24-hour HH:mm on the wall clock of the session's zone, with the zone's
/// name beside it ("09:00–12:00, hora de Ciudad de México"), dates in the current culture.
/// </summary>
public static class TrainingTimes
{
    public const string DefaultZone = "America/Mexico_City";

    static readonly Dictionary<string, (string Es, string En)> ZoneNames = new(StringComparer.OrdinalIgnoreCase)
    {
        ["America/Mexico_City"] = ("Ciudad de México", "Mexico City"),
        ["America/Tijuana"] = ("Tijuana", "Tijuana"),
        ["America/Cancun"] = ("Cancún", "Cancún"),
        ["America/Hermosillo"] = ("Hermosillo", "Hermosillo"),
        ["America/Mazatlan"] = ("Mazatlán", "Mazatlán"),
        ["America/Chihuahua"] = ("Chihuahua", "Chihuahua"),
        ["America/Ciudad_Juarez"] = ("Ciudad Juárez", "Ciudad Juárez"),
        ["America/Monterrey"] = ("Monterrey", "Monterrey"),
        ["America/Merida"] = ("Mérida", "Mérida"),
        ["America/Matamoros"] = ("Matamoros", "Matamoros"),
        ["America/Bahia_Banderas"] = ("Bahía de Banderas", "Bahía de Banderas"),
    };

    static bool Spanish => CultureInfo.CurrentUICulture.TwoLetterISOLanguageName == "es";

    public static TimeZoneInfo Zone(string? zoneId) =>
        TimeZoneInfo.TryFindSystemTimeZoneById(string.IsNullOrWhiteSpace(zoneId) ? DefaultZone : zoneId, out var zone) ? zone
            : TimeZoneInfo.FindSystemTimeZoneById(DefaultZone);

    /// <summary>"hora de Ciudad de México" (es) or "Mexico City time" (en).</summary>
    public static string ZoneName(string? zoneId)
    {
        var id = string.IsNullOrWhiteSpace(zoneId) ? DefaultZone : zoneId;
        var (es, en) = ZoneNames.TryGetValue(id, out var names) ? names : (City(id), City(id));
        return Spanish ? $"hora de {es}" : $"{en} time";
    }

    static string City(string id) => id[(id.LastIndexOf('/') + 1)..].Replace('_', ' ');

    public static DateTimeOffset Local(DateTimeOffset instant, string? zoneId) => TimeZoneInfo.ConvertTime(instant, Zone(zoneId));

    /// <summary>"09:00" on the zone's clock.</summary>
    public static string Time(DateTimeOffset instant, string? zoneId) => Local(instant, zoneId).ToString("HH:mm", CultureInfo.InvariantCulture);

    /// <summary>"09:00–12:00, hora de Ciudad de México".</summary>
    public static string Hours(DateTimeOffset startsAt, DateTimeOffset endsAt, string? zoneId) =>
        $"{Time(startsAt, zoneId)}–{Time(endsAt, zoneId)}, {ZoneName(zoneId)}";

    /// <summary>"lunes 9 de noviembre de 2026" (es), "Monday, November 9, 2026" (en).</summary>
    public static string Day(DateOnly date) =>
        date.ToString(Spanish ? "dddd d 'de' MMMM 'de' yyyy" : "dddd, MMMM d, yyyy", CultureInfo.CurrentCulture);

    public static string Day(string isoDate) =>
        DateOnly.TryParseExact(isoDate, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date) ? Day(date) : isoDate;

    /// <summary>"lun 9 nov" — for tables with many dates.</summary>
    public static string ShortDay(string isoDate) =>
        DateOnly.TryParseExact(isoDate, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)
            ? date.ToString(Spanish ? "ddd d 'de' MMM yyyy" : "ddd, MMM d, yyyy", CultureInfo.CurrentCulture) : isoDate;

    /// <summary>A moment in the past or future, with its date, time and zone: "lunes 9 de noviembre de 2026, 18:00 (hora de Ciudad de México)".</summary>
    public static string Moment(DateTimeOffset instant, string? zoneId = null)
    {
        var local = Local(instant, zoneId);
        return $"{Day(DateOnly.FromDateTime(local.DateTime))}, {local:HH\\:mm} ({ZoneName(zoneId)})";
    }

    /// <summary>Start times offered for a session: every quarter hour from 06:00 to 20:00, as HH:mm (no browser's 12-hour clock).</summary>
    public static IReadOnlyList<string> QuarterHours { get; } =
        [.. Enumerable.Range(6 * 4, 14 * 4 + 1).Select(q => new TimeOnly(q / 4, q % 4 * 15).ToString("HH:mm", CultureInfo.InvariantCulture))];

    /// <summary>The calendar's culture: the current one, with weeks from Monday (trainings run on working days).</summary>
    public static CultureInfo CalendarCulture()
    {
        var culture = (CultureInfo)CultureInfo.CurrentCulture.Clone();
        culture.DateTimeFormat.FirstDayOfWeek = DayOfWeek.Monday;
        culture.DateTimeFormat.ShortTimePattern = "HH:mm";
        culture.DateTimeFormat.LongTimePattern = "HH:mm:ss";
        return culture;
    }
}
