using System.Globalization;
using System.Resources;
using Reminders.Protocol;

namespace Reminders.Web.Components.Shared;

/// <summary>How much of the date goes before a time: none, the short form for tables ("lun 9 nov 2026"), or the long one.</summary>
public enum ZoneDate { None, Short, Long }

/// <summary>
/// The console's one clock: an instant on the wall clock of its zone, 24-hour HH:mm, with the zone's name beside it
/// ("10:00, hora de Ciudad de México"), dates in the current culture. <see cref="ZoneTime"/> renders it in markup; these
/// text forms serve code and attributes. Words come from <c>Resources/Components/Shared/ZoneTime.resx</c> in the UI culture.
/// </summary>
public static class ZoneClock
{
    /// <summary>Where the study runs, when a sector names no zone of its own and the protocol's is not known.</summary>
    public const string DefaultZone = "America/Mexico_City";

    static readonly ResourceManager Words = new("Reminders.Web.Resources.Components.Shared.ZoneTime", typeof(ZoneClock).Assembly);

    public static TimeZoneInfo Find(string? zoneId) =>
        !string.IsNullOrWhiteSpace(zoneId) && TimeZoneInfo.TryFindSystemTimeZoneById(zoneId.Trim(), out var zone) ? zone
            : TimeZoneInfo.FindSystemTimeZoneById(DefaultZone);

    /// <summary>The instant on the zone's wall clock.</summary>
    public static DateTimeOffset Local(DateTimeOffset instant, string? zoneId) => TimeZoneInfo.ConvertTime(instant, Find(zoneId));

    /// <summary>The zone's calendar day at <paramref name="instant"/> ("today" there).</summary>
    public static DateOnly Date(DateTimeOffset instant, string? zoneId) => DateOnly.FromDateTime(Local(instant, zoneId).DateTime);

    /// <summary>"Ciudad de México" for America/Mexico_City (English when the UI is), else the id's city with spaces ("Port of Spain").</summary>
    public static string City(string? zoneId, CultureInfo? culture = null)
    {
        var id = string.IsNullOrWhiteSpace(zoneId) ? DefaultZone : zoneId.Trim();
        return ZoneCities.Name(id, english: (culture ?? CultureInfo.CurrentUICulture).TwoLetterISOLanguageName == "en");
    }

    /// <summary>"hora de Ciudad de México" (es), "Mexico City time" (en).</summary>
    public static string ZoneName(string? zoneId, CultureInfo? culture = null) => Format("ZoneName", culture, City(zoneId, culture));

    /// <summary>"09:00" on the zone's clock.</summary>
    public static string Time(DateTimeOffset instant, string? zoneId) => Local(instant, zoneId).ToString("HH:mm", CultureInfo.InvariantCulture);

    /// <summary>"lunes 9 de noviembre de 2026" (long) or "lun 9 nov 2026" (short); <paramref name="capitalized"/> to open a line.</summary>
    public static string Day(DateOnly date, ZoneDate style = ZoneDate.Long, CultureInfo? culture = null, bool capitalized = false)
    {
        if (style == ZoneDate.None) return "";
        var dates = culture ?? CultureInfo.CurrentCulture;
        var text = date.ToString(Format(style == ZoneDate.Long ? "DateFormat" : "ShortDateFormat", culture), dates);
        // es-MX abbreviates with a period ("lun. 9 nov. 2026"); a table reads better without.
        if (style == ZoneDate.Short) text = text.Replace(".", "", StringComparison.Ordinal);
        return capitalized && text.Length > 0 ? char.ToUpper(text[0], dates) + text[1..] : text;
    }

    /// <summary>A day as the services write it (yyyy-MM-dd); anything else as given.</summary>
    public static string Day(string isoDate, ZoneDate style = ZoneDate.Long, CultureInfo? culture = null) =>
        DateOnly.TryParseExact(isoDate, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date) ? Day(date, style, culture) : isoDate;

    /// <summary>"lunes 9 de noviembre de 2026, 18:00, hora de Ciudad de México"; without the date or the zone's name when asked.</summary>
    public static string Moment(DateTimeOffset instant, string? zoneId, ZoneDate date = ZoneDate.Long, bool withZone = true, CultureInfo? culture = null)
    {
        var local = Local(instant, zoneId);
        var time = local.ToString("HH:mm", CultureInfo.InvariantCulture);
        var when = date == ZoneDate.None ? time : Format("DateAndTime", culture, Day(DateOnly.FromDateTime(local.DateTime), date, culture), time);
        return withZone ? Format("InZone", culture, when, City(zoneId, culture)) : when;
    }

    /// <summary>
    /// "09:00–12:00, hora de Ciudad de México"; an end on the next day says so ("22:00–01:00 del día siguiente"), a later one
    /// carries its short date. Each end is read on the zone's clock of its own instant, so a DST change in between shows as is.
    /// </summary>
    public static string Hours(DateTimeOffset startsAt, DateTimeOffset endsAt, string? zoneId, bool withZone = true, CultureInfo? culture = null)
    {
        var (start, end) = (Local(startsAt, zoneId), Local(endsAt, zoneId));
        var days = (end.Date - start.Date).Days;
        var endText = days switch
        {
            <= 0 => Time(endsAt, zoneId),
            1 => Format("NextDay", culture, Time(endsAt, zoneId)),
            _ => Format("DateAndTime", culture, Day(DateOnly.FromDateTime(end.DateTime), ZoneDate.Short, culture), Time(endsAt, zoneId)),
        };
        var range = Format("Range", culture, Time(startsAt, zoneId), endText);
        return withZone ? Format("InZone", culture, range, City(zoneId, culture)) : range;
    }

    /// <summary>Start times offered for a session: every quarter hour from 06:00 to 20:00, as HH:mm (no browser's 12-hour clock).</summary>
    public static IReadOnlyList<string> QuarterHours { get; } =
        [.. Enumerable.Range(6 * 4, 14 * 4 + 1).Select(q => new TimeOnly(q / 4, q % 4 * 15).ToString("HH:mm", CultureInfo.InvariantCulture))];

    /// <summary>A calendar's culture: the current one, weeks from Monday (trainings run on working days), 24-hour times.</summary>
    public static CultureInfo CalendarCulture()
    {
        var culture = (CultureInfo)CultureInfo.CurrentCulture.Clone();
        culture.DateTimeFormat.FirstDayOfWeek = DayOfWeek.Monday;
        culture.DateTimeFormat.ShortTimePattern = "HH:mm";
        culture.DateTimeFormat.LongTimePattern = "HH:mm:ss";
        return culture;
    }

    static string? Word(string key, CultureInfo? culture) => Words.GetString(key, culture ?? CultureInfo.CurrentUICulture);

    static string Format(string key, CultureInfo? culture, params object[] values) =>
        string.Format(culture ?? CultureInfo.CurrentCulture, Word(key, culture) ?? key, values);
}
