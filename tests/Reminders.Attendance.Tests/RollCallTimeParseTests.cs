using Reminders.Attendance.Recording;

namespace Reminders.Attendance.Tests;

/// <summary>The one reading of a roll-call time, shared by the CSV and JSON paths: what it accepts, what it refuses and why.</summary>
public sealed class RollCallTimeParseTests
{
    static readonly TimeZoneInfo MexicoCity = TimeZoneInfo.FindSystemTimeZoneById("America/Mexico_City");
    static readonly TimeZoneInfo Tijuana = TimeZoneInfo.FindSystemTimeZoneById("America/Tijuana");
    static readonly DateOnly Day = new(2026, 12, 10);

    static DateTimeOffset Utc(int day, int hour, int minute, int second = 0) => new(2026, 12, day, hour, minute, second, TimeSpan.Zero);

    [Theory]
    [InlineData("09:00", 15, 0, 0)]
    [InlineData("9:05", 15, 5, 0)]
    [InlineData(" 12:00 ", 18, 0, 0)]
    [InlineData("09:00:30", 15, 0, 30)]
    [InlineData("00:00", 6, 0, 0)]
    [InlineData("23:59", 5, 59, 0)]
    [InlineData("2026-12-10T09:00", 15, 0, 0)]
    [InlineData("2026-12-10 09:00", 15, 0, 0)]
    [InlineData("2026-12-10T09:00:00.000", 15, 0, 0)]
    [InlineData("2026-12-10t09:00", 15, 0, 0)]
    [InlineData("2026-12-10T09:00-06:00", 15, 0, 0)]
    [InlineData("2026-12-10T15:00Z", 15, 0, 0)]
    [InlineData("2026-12-10T15:00:00.0000000+00:00", 15, 0, 0)]
    [InlineData("2026-12-10T10:00-05:00", 15, 0, 0)]
    public void A_time_without_date_or_offset_is_the_sessions_wall_clock_and_an_offset_is_taken_as_written(string text, int hour, int minute, int second)
    {
        Assert.True(RollCallTime.TryParse(text, Day, MexicoCity, out var at, out var reason), reason);
        var expected = hour < 6 ? Utc(11, hour, minute, second) : Utc(10, hour, minute, second);
        Assert.Equal(expected, at);
        Assert.Equal(TimeSpan.Zero, at.Offset);
    }

    [Theory]
    [InlineData("9am", "24-hour")]
    [InlineData("9 AM", "24-hour")]
    [InlineData("09:00 PM", "24-hour")]
    [InlineData("9:00 p. m.", "24-hour")]
    [InlineData("9:00 a.m.", "24-hour")]
    [InlineData("2026-12-10 09:00 pm", "24-hour")]
    [InlineData("2026-12-11T09:00", "not the session's date (2026-12-10")]
    [InlineData("2026-12-09 23:59", "not the session's date")]
    [InlineData("2026-12-10T03:00Z", "2026-12-09 21:00")]
    [InlineData("2026-12-10T05:59Z", "2026-12-09 23:59")]
    [InlineData("2026-12-11T06:30Z", "2026-12-11 00:30")]
    [InlineData("2026-12-11T00:30-06:00", "2026-12-11 00:30")]
    [InlineData("24:00", "HH:mm")]
    [InlineData("9:60", "HH:mm")]
    [InlineData("nueve", "HH:mm")]
    [InlineData("0900", "HH:mm")]
    [InlineData("09.00", "HH:mm")]
    [InlineData("10/12/2026 09:00", "HH:mm")]
    [InlineData("2026-13-10T09:00", "HH:mm")]
    [InlineData("2026-12-10T09:00+25:00", "HH:mm")]
    [InlineData("", "HH:mm")]
    public void Anything_ambiguous_or_on_another_day_is_refused_with_a_reason(string text, string reasonPart)
    {
        Assert.False(RollCallTime.TryParse(text, Day, MexicoCity, out _, out var reason));
        Assert.Contains(reasonPart, reason);
    }

    [Fact]
    public void In_a_zone_with_daylight_saving_the_offset_follows_the_date_and_a_skipped_or_repeated_hour_is_refused()
    {
        Assert.True(RollCallTime.TryParse("09:00", new DateOnly(2026, 7, 1), Tijuana, out var summer, out _));
        Assert.Equal(new DateTimeOffset(2026, 7, 1, 16, 0, 0, TimeSpan.Zero), summer);
        Assert.True(RollCallTime.TryParse("09:00", new DateOnly(2026, 12, 1), Tijuana, out var winter, out _));
        Assert.Equal(new DateTimeOffset(2026, 12, 1, 17, 0, 0, TimeSpan.Zero), winter);

        // 8 March 2026: 02:00 became 03:00; 1 November 2026: 01:00–02:00 happened twice.
        Assert.False(RollCallTime.TryParse("02:30", new DateOnly(2026, 3, 8), Tijuana, out _, out var skipped));
        Assert.Contains("does not exist", skipped);
        Assert.False(RollCallTime.TryParse("2026-11-01 01:30", new DateOnly(2026, 11, 1), Tijuana, out _, out var twice));
        Assert.Contains("twice", twice);
        Assert.True(RollCallTime.TryParse("2026-11-01T01:30-07:00", new DateOnly(2026, 11, 1), Tijuana, out var first, out _));
        Assert.Equal(new DateTimeOffset(2026, 11, 1, 8, 30, 0, TimeSpan.Zero), first);
    }
}
