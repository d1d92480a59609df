namespace Reminders.Protocol.Tests;

public sealed class QuietHoursTests
{
    static readonly TimeZoneInfo MexicoCity = TimeZoneInfo.FindSystemTimeZoneById("America/Mexico_City");
    static readonly TimeZoneInfo Tijuana = TimeZoneInfo.FindSystemTimeZoneById("America/Tijuana");
    static readonly TimeOnly Nine = new(9, 0);
    static readonly TimeOnly Eight_pm = new(20, 0);

    static DateTimeOffset T(string iso) => DateTimeOffset.Parse(iso, System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public void Mexico_City_has_kept_UTC_minus_6_all_year_since_2022()
    {
        Assert.Equal(TimeSpan.FromHours(-6), MexicoCity.GetUtcOffset(T("2026-01-15T12:00:00Z")));
        Assert.Equal(TimeSpan.FromHours(-6), MexicoCity.GetUtcOffset(T("2026-07-15T12:00:00Z")));
        Assert.False(MexicoCity.IsInvalidTime(new DateTime(2026, 4, 5, 2, 30, 0)));
    }

    [Theory]
    [InlineData("2026-09-10T10:00:00-06:00")]
    [InlineData("2026-09-10T09:00:00-06:00")] // the start is inside
    [InlineData("2026-09-10T19:59:59-06:00")]
    [InlineData("2026-09-10T16:00:00Z")]      // 10:00 in Mexico City, given in UTC
    public void Inside_the_window_the_instant_itself_is_allowed(string instant)
    {
        Assert.True(QuietHours.IsInside(T(instant), MexicoCity, Nine, Eight_pm));
        Assert.Equal(T(instant), QuietHours.NextAllowed(T(instant), MexicoCity, Nine, Eight_pm));
    }

    [Theory]
    [InlineData("2026-09-10T02:00:00-06:00", "2026-09-10T09:00:00-06:00")] // night: the same morning
    [InlineData("2026-09-10T08:59:59-06:00", "2026-09-10T09:00:00-06:00")]
    [InlineData("2026-09-10T20:00:00-06:00", "2026-09-11T09:00:00-06:00")] // the end is outside: the next morning
    [InlineData("2026-09-10T23:30:00-06:00", "2026-09-11T09:00:00-06:00")]
    [InlineData("2026-09-11T03:00:00Z", "2026-09-11T09:00:00-06:00")]      // 21:00 the day before, given in UTC
    [InlineData("2026-04-04T21:00:00-06:00", "2026-04-05T09:00:00-06:00")] // the old first-Sunday-of-April change no longer happens
    [InlineData("2026-12-31T22:00:00-06:00", "2027-01-01T09:00:00-06:00")] // across the year
    public void Outside_the_window_the_next_start_is_allowed(string instant, string expected)
    {
        var next = QuietHours.NextAllowed(T(instant), MexicoCity, Nine, Eight_pm);

        Assert.Equal(T(expected), next);
        Assert.Equal(TimeSpan.FromHours(-6), next.Offset);
        Assert.False(QuietHours.IsInside(T(instant), MexicoCity, Nine, Eight_pm));
    }

    [Fact]
    public void Tijuana_springs_forward_the_night_before_the_window_opens()
    {
        // 2026-03-08 02:00 PST becomes 03:00 PDT: from 21:00 the evening before, the window opens 11 hours later, not 12.
        var evening = T("2026-03-07T21:00:00-08:00");

        var next = QuietHours.NextAllowed(evening, Tijuana, Nine, Eight_pm);

        Assert.Equal(T("2026-03-08T09:00:00-07:00"), next);
        Assert.Equal(T("2026-03-08T16:00:00Z"), next);
        Assert.Equal(TimeSpan.FromHours(11), next - evening);
    }

    [Fact]
    public void Tijuana_falls_back_the_night_before_the_window_opens()
    {
        // 2026-11-01 02:00 PDT becomes 01:00 PST: the night is 13 hours long.
        var evening = T("2026-10-31T21:00:00-07:00");

        var next = QuietHours.NextAllowed(evening, Tijuana, Nine, Eight_pm);

        Assert.Equal(T("2026-11-01T09:00:00-08:00"), next);
        Assert.Equal(T("2026-11-01T17:00:00Z"), next);
        Assert.Equal(TimeSpan.FromHours(13), next - evening);
    }

    [Fact]
    public void A_window_opening_inside_the_spring_forward_gap_opens_when_the_clock_resumes()
    {
        var next = QuietHours.NextAllowed(T("2026-03-08T01:00:00-08:00"), Tijuana, new TimeOnly(2, 30), Eight_pm);

        Assert.Equal(T("2026-03-08T03:00:00-07:00"), next);
    }

    [Fact]
    public void A_window_opening_in_the_repeated_hour_opens_the_first_time_the_clock_shows_it()
    {
        var start = new TimeOnly(1, 30);

        Assert.Equal(T("2026-11-01T01:30:00-07:00"), QuietHours.NextAllowed(T("2026-11-01T00:30:00-07:00"), Tijuana, start, Eight_pm));
        // Already past the first 01:30 (now 01:15 on the second pass): inside by the wall clock? No, 01:15 < 01:30,
        // and the next time the clock shows 01:30 is 15 minutes away, not in the past.
        Assert.Equal(T("2026-11-01T01:30:00-08:00"), QuietHours.NextAllowed(T("2026-11-01T01:15:00-08:00"), Tijuana, start, Eight_pm));
    }

    [Theory]
    [InlineData("2026-09-10T10:00:00-06:00", "2026-09-10T20:00:00-06:00")] // inside: today's end
    [InlineData("2026-09-10T07:00:00-06:00", "2026-09-10T20:00:00-06:00")] // before: the coming window's end
    [InlineData("2026-09-10T20:00:00-06:00", "2026-09-11T20:00:00-06:00")] // after: tomorrow's
    public void The_window_end_is_when_sending_must_have_happened(string instant, string expected)
    {
        Assert.Equal(T(expected), QuietHours.WindowEnd(T(instant), MexicoCity, Nine, Eight_pm));
    }

    [Fact]
    public void The_window_end_follows_the_clock_across_daylight_saving()
    {
        Assert.Equal(T("2026-03-07T20:00:00-08:00"), QuietHours.WindowEnd(T("2026-03-07T10:00:00-08:00"), Tijuana, Nine, Eight_pm));
        Assert.Equal(T("2026-03-08T20:00:00-07:00"), QuietHours.WindowEnd(T("2026-03-08T10:00:00-07:00"), Tijuana, Nine, Eight_pm));
        Assert.Equal(T("2026-11-01T20:00:00-08:00"), QuietHours.WindowEnd(T("2026-10-31T22:00:00-07:00"), Tijuana, Nine, Eight_pm));
    }

    [Fact]
    public void A_wall_clock_time_resolves_to_one_instant_even_around_transitions()
    {
        Assert.Equal(T("2026-03-08T03:00:00-07:00"), QuietHours.AtLocal(new DateOnly(2026, 3, 8), new TimeOnly(2, 15), Tijuana));
        Assert.Equal(T("2026-11-01T01:30:00-07:00"), QuietHours.AtLocal(new DateOnly(2026, 11, 1), new TimeOnly(1, 30), Tijuana));
        Assert.Equal(T("2026-11-01T10:00:00-06:00"), QuietHours.AtLocal(new DateOnly(2026, 11, 1), new TimeOnly(10, 0), MexicoCity));
    }

    [Fact]
    public void A_window_must_start_before_it_ends()
    {
        Assert.Throws<ArgumentException>(() => QuietHours.NextAllowed(T("2026-09-10T10:00:00Z"), MexicoCity, Eight_pm, Nine));
    }

    [Fact]
    public void The_protocols_window_answers_in_any_zone()
    {
        var protocol = ProtocolLoader.LoadDefault();

        Assert.Equal(T("2026-09-11T09:00:00-06:00"), protocol.QuietHours.NextAllowed(T("2026-09-10T22:00:00-06:00"), protocol.TimeZone));
        Assert.Equal(T("2026-03-08T09:00:00-07:00"), protocol.QuietHours.NextAllowed(T("2026-03-07T22:00:00-08:00"), Tijuana));
        Assert.True(protocol.QuietHours.IsInside(T("2026-09-10T19:00:00-06:00"), protocol.TimeZone));
        Assert.Equal(T("2026-09-10T20:00:00-06:00"), protocol.QuietHours.WindowEnd(T("2026-09-10T19:00:00-06:00"), protocol.TimeZone));
    }
}
