using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Reminders.Attendance.Recording;

/// <summary>
/// How a time a trainer wrote becomes an instant, the same for the roll-call CSV, the JSON events and corrections: a time
/// alone (<c>09:00</c>, <c>9:05</c>) is on the session's date, and a date-time without offset (<c>2026-12-10T09:00</c>,
/// <c>2026-12-10 09:00</c>) is wall-clock time, both in the session's zone; an explicit offset (<c>-06:00</c>, <c>Z</c>) is
/// taken as written. Whatever the form, the instant must fall on the session's local date. A 12-hour time, an hour a
/// clock change skipped or repeated, and anything else are refused with the reason: a guess here would be a wrong dose.
/// </summary>
public static partial class RollCallTime
{
    public const string TwelveHourReason = "A 12-hour time (am/pm) is ambiguous: write it on the 24-hour clock, e.g. 09:00 or 21:00.";

    public const string UnreadableReason =
        "Not a time: write HH:mm on the 24-hour clock (on the session's date), or yyyy-MM-ddTHH:mm (with an offset such as -06:00 if it is not the session's local time).";

    // Digits as [0-9]: \d would also take other scripts' digits.
    [GeneratedRegex(@"^(?:(?<date>[0-9]{4}-[0-9]{2}-[0-9]{2})[T ])?(?<hour>[0-9]{1,2}):(?<minute>[0-9]{2})(?::(?<second>[0-9]{2})(?:\.(?<fraction>[0-9]{1,7}))?)?(?<offset>Z|[+-][0-9]{2}:?[0-9]{2})?$",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Written();

    // am, a.m., a. m., pm, p.m., p. m. as in "9am", "09:00 PM", "9:00 p. m.".
    [GeneratedRegex(@"(?<![a-z])[ap]\.?\s?m\.?(?![a-z])", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex TwelveHourMarker();

    /// <summary>The instant <paramref name="text"/> means for a session on <paramref name="sessionDate"/> in <paramref name="zone"/> (UTC), or why it cannot be read.</summary>
    public static bool TryParse(string? text, DateOnly sessionDate, TimeZoneInfo zone, out DateTimeOffset at, [NotNullWhen(false)] out string? reason)
    {
        at = default;
        var value = (text ?? "").Trim();
        if (TwelveHourMarker().IsMatch(value)) { reason = TwelveHourReason; return false; }
        var match = Written().Match(value);
        if (!match.Success || !TryWallClock(match, sessionDate, out var wallClock) || !TryOffset(match.Groups["offset"].Value, out var offset))
        {
            reason = UnreadableReason;
            return false;
        }

        if (offset is { } explicitOffset)
        {
            at = new DateTimeOffset(wallClock, explicitOffset).ToUniversalTime();
            reason = OffDateReason(at, sessionDate, zone);
            return reason is null;
        }
        if (DateOnly.FromDateTime(wallClock) != sessionDate)
        {
            reason = $"{wallClock:yyyy-MM-dd} is not the session's date ({sessionDate:yyyy-MM-dd} in {zone.Id}).";
            return false;
        }
        if (zone.IsInvalidTime(wallClock))
        {
            reason = $"{wallClock:yyyy-MM-dd HH:mm} does not exist in {zone.Id} (the clocks moved forward): check the time.";
            return false;
        }
        if (zone.IsAmbiguousTime(wallClock))
        {
            var offsets = string.Join(" or ", zone.GetAmbiguousTimeOffsets(wallClock).Select(o => wallClock.ToString("yyyy-MM-dd'T'HH:mm", CultureInfo.InvariantCulture) + Offset(o)));
            reason = $"{wallClock:yyyy-MM-dd HH:mm} happened twice in {zone.Id} (the clocks moved back): write it with its offset, {offsets}.";
            return false;
        }
        at = new DateTimeOffset(wallClock, zone.GetUtcOffset(wallClock)).ToUniversalTime();
        reason = null;
        return true;
    }

    /// <summary>Why <paramref name="instant"/> is not on the session's local date, or null when it is.</summary>
    public static string? OffDateReason(DateTimeOffset instant, DateOnly sessionDate, TimeZoneInfo zone)
    {
        var local = TimeZoneInfo.ConvertTime(instant, zone);
        return DateOnly.FromDateTime(local.DateTime) == sessionDate ? null
            : $"That time is {Local(instant, zone)} in {zone.Id}, not on the session's date ({sessionDate:yyyy-MM-dd}).";
    }

    /// <summary>An instant as people in <paramref name="zone"/> read it, on the 24-hour clock (<c>2026-12-10 09:00</c>).</summary>
    public static string Local(DateTimeOffset instant, TimeZoneInfo zone) =>
        TimeZoneInfo.ConvertTime(instant, zone).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);

    static bool TryWallClock(Match match, DateOnly sessionDate, out DateTime wallClock)
    {
        wallClock = default;
        var date = sessionDate;
        if (match.Groups["date"].Success && !DateOnly.TryParseExact(match.Groups["date"].Value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out date))
            return false;
        var hour = int.Parse(match.Groups["hour"].Value, CultureInfo.InvariantCulture);
        var minute = int.Parse(match.Groups["minute"].Value, CultureInfo.InvariantCulture);
        var second = match.Groups["second"].Success ? int.Parse(match.Groups["second"].Value, CultureInfo.InvariantCulture) : 0;
        if (hour > 23 || minute > 59 || second > 59) return false;
        var ticks = match.Groups["fraction"].Success ? long.Parse(match.Groups["fraction"].Value.PadRight(7, '0'), CultureInfo.InvariantCulture) : 0;
        wallClock = date.ToDateTime(new TimeOnly(hour, minute, second), DateTimeKind.Unspecified).AddTicks(ticks);
        return true;
    }

    static bool TryOffset(string text, out TimeSpan? offset)
    {
        offset = null;
        if (text.Length == 0) return true;
        if (text is "Z" or "z") { offset = TimeSpan.Zero; return true; }
        var digits = text[1..].Replace(":", "", StringComparison.Ordinal);
        int hours = int.Parse(digits[..2], CultureInfo.InvariantCulture), minutes = int.Parse(digits[2..], CultureInfo.InvariantCulture);
        if (hours > 14 || minutes > 59) return false;
        var span = new TimeSpan(hours, minutes, 0);
        offset = text[0] == '-' ? -span : span;
        return true;
    }

    static string Offset(TimeSpan offset) => (offset < TimeSpan.Zero ? "-" : "+") + offset.Duration().ToString(@"hh\:mm", CultureInfo.InvariantCulture);
}
