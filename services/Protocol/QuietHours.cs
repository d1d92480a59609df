namespace Reminders.Protocol;

/// <summary>
/// The daily sending window [start, end) in a zone's local wall-clock time; outside it is quiet. Pure: no clock, no
/// state. Daylight saving is handled for zones that still have it (America/Tijuana follows the US dates):
/// a window edge that falls in a spring-forward gap opens at the first instant after the gap, and one that falls
/// twice in a fall-back hour means the first of the two instants.
/// </summary>
public static class QuietHours
{
    public static bool IsInside(DateTimeOffset instant, TimeZoneInfo zone, TimeOnly start, TimeOnly end)
    {
        Check(start, end);
        var local = TimeOnly.FromDateTime(TimeZoneInfo.ConvertTime(instant, zone).DateTime);
        return local >= start && local < end;
    }

    /// <summary><paramref name="instant"/> itself when it is inside the window, else the start of the next window.</summary>
    public static DateTimeOffset NextAllowed(DateTimeOffset instant, TimeZoneInfo zone, TimeOnly start, TimeOnly end)
    {
        Check(start, end);
        var local = TimeZoneInfo.ConvertTime(instant, zone);
        var date = DateOnly.FromDateTime(local.DateTime);
        var time = TimeOnly.FromDateTime(local.DateTime);
        if (time >= start && time < end) return instant;
        return FirstAfter(instant, time < start ? date : date.AddDays(1), start, zone);
    }

    /// <summary>
    /// When the window containing <paramref name="instant"/> closes — or, outside the window, when the next one closes.
    /// What an SMS may wait at the provider is at most this minus the time it is sent.
    /// </summary>
    public static DateTimeOffset WindowEnd(DateTimeOffset instant, TimeZoneInfo zone, TimeOnly start, TimeOnly end)
    {
        Check(start, end);
        var local = TimeZoneInfo.ConvertTime(instant, zone);
        var date = DateOnly.FromDateTime(local.DateTime);
        var time = TimeOnly.FromDateTime(local.DateTime);
        return FirstAfter(instant, time < end ? date : date.AddDays(1), end, zone);
    }

    /// <summary>
    /// The instant a wall clock in <paramref name="zone"/> shows <paramref name="time"/> on <paramref name="date"/>,
    /// with the zone's offset. A time skipped by a spring-forward gap gives the first instant after the gap; a time
    /// shown twice in a fall-back hour gives the first of the two.
    /// </summary>
    public static DateTimeOffset AtLocal(DateOnly date, TimeOnly time, TimeZoneInfo zone)
    {
        var wall = date.ToDateTime(time, DateTimeKind.Unspecified);
        if (zone.IsAmbiguousTime(wall))
        {
            // The larger offset is the earlier instant (still on daylight time).
            var offset = zone.GetAmbiguousTimeOffsets(wall).Max();
            return new DateTimeOffset(wall, offset);
        }
        // Gaps are whole minutes in every zone in use; the first valid minute is where the clock resumes.
        while (zone.IsInvalidTime(wall)) wall = wall.AddMinutes(1);
        return new DateTimeOffset(wall, zone.GetUtcOffset(wall));
    }

    // In a fall-back hour an instant on the second pass must not be sent back to the first pass of the same wall time.
    static DateTimeOffset FirstAfter(DateTimeOffset instant, DateOnly date, TimeOnly time, TimeZoneInfo zone)
    {
        var first = AtLocal(date, time, zone);
        var wall = date.ToDateTime(time, DateTimeKind.Unspecified);
        if (first > instant || !zone.IsAmbiguousTime(wall)) return first;
        return new DateTimeOffset(wall, zone.GetAmbiguousTimeOffsets(wall).Min());
    }

    static void Check(TimeOnly start, TimeOnly end)
    {
        if (start >= end) throw new ArgumentException($"The window's start ({start:HH\\:mm}) must be earlier than its end ({end:HH\\:mm}).", nameof(start));
    }
}
