using System.Globalization;
using Microsoft.Extensions.Configuration;
using Reminders.Platform.Hosting;
using Reminders.Protocol;

namespace Reminders.Platform.Tests;

/// <summary>StudyClockOptions.InsideSendingHours with the default protocol: 09:00–20:00 in Mexico City (UTC−6 all year).</summary>
public sealed class StudyClockOptionsTests
{
    static readonly StudyProtocol Protocol = ProtocolLoader.LoadDefault();
    static readonly TimeSpan TwoHours = TimeSpan.FromHours(2);

    static DateTimeOffset T(string iso) => DateTimeOffset.Parse(iso, CultureInfo.InvariantCulture);

    static DateTimeOffset StudyStartFor(DateTimeOffset realNow, TimeSpan margin, StudyProtocol? protocol = null) =>
        DateTimeOffset.ParseExact(StudyClockOptions.InsideSendingHours(protocol ?? Protocol, realNow, margin)["Clock:StudyStart"]!, "O", CultureInfo.InvariantCulture);

    [Theory]
    [InlineData("2026-11-10T09:00:00-06:00")] // the window's start
    [InlineData("2026-11-10T10:15:00-06:00")]
    [InlineData("2026-11-10T18:00:00-06:00")] // exactly the margin left
    public void Inside_the_window_with_the_margin_left_the_clock_starts_at_the_real_time(string realNow)
    {
        Assert.Equal(T(realNow), StudyStartFor(T(realNow), TwoHours));
    }

    [Theory]
    [InlineData("2026-11-10T00:30:00-06:00", "2026-11-10T09:00:00-06:00")]
    [InlineData("2026-11-10T08:59:59-06:00", "2026-11-10T09:00:00-06:00")]
    [InlineData("2026-11-10T18:00:01-06:00", "2026-11-11T09:00:00-06:00")] // less than the margin left
    [InlineData("2026-11-10T19:59:00-06:00", "2026-11-11T09:00:00-06:00")]
    [InlineData("2026-11-10T20:00:00-06:00", "2026-11-11T09:00:00-06:00")] // the window's end is outside
    [InlineData("2026-11-10T23:30:00-06:00", "2026-11-11T09:00:00-06:00")]
    [InlineData("2026-12-31T21:00:00-06:00", "2027-01-01T09:00:00-06:00")]
    public void Otherwise_the_clock_starts_when_the_next_window_opens(string realNow, string expected)
    {
        var studyStart = StudyStartFor(T(realNow), TwoHours);

        Assert.Equal(T(expected), studyStart);
        Assert.Equal(TimeSpan.FromHours(-6), studyStart.Offset);
    }

    [Fact]
    public void A_real_time_given_in_UTC_is_judged_in_the_protocols_zone()
    {
        // 14:00Z is 08:00 in Mexico City: before the window, though 14:00 would be inside it.
        Assert.Equal(T("2026-11-10T09:00:00-06:00"), StudyStartFor(T("2026-11-10T14:00:00Z"), TwoHours));
        // 03:00Z is 21:00 the evening before.
        Assert.Equal(T("2026-11-11T09:00:00-06:00"), StudyStartFor(T("2026-11-11T03:00:00Z"), TwoHours));
    }

    [Fact]
    public void The_protocols_own_window_is_used()
    {
        var protocol = Protocol with { QuietHours = new SendingWindow(new TimeOnly(10, 0), new TimeOnly(18, 0)) };

        Assert.Equal(T("2026-11-10T10:00:00-06:00"), StudyStartFor(T("2026-11-10T09:30:00-06:00"), TwoHours, protocol));
        Assert.Equal(T("2026-11-11T10:00:00-06:00"), StudyStartFor(T("2026-11-10T16:30:00-06:00"), TwoHours, protocol));
    }

    [Fact]
    public void Over_a_whole_day_the_clock_never_starts_before_the_real_time_and_always_inside_the_window_with_the_margin_left()
    {
        var midnight = T("2026-11-10T00:00:00-06:00");
        for (var realNow = midnight; realNow < midnight.AddDays(1); realNow = realNow.AddMinutes(7))
        {
            var studyStart = StudyStartFor(realNow, TwoHours);

            Assert.True(studyStart >= realNow, $"{realNow:O} gave {studyStart:O}");
            Assert.True(Protocol.QuietHours.IsInside(studyStart, Protocol.TimeZone), $"{realNow:O} gave {studyStart:O}");
            Assert.True(Protocol.QuietHours.WindowEnd(studyStart, Protocol.TimeZone) - studyStart >= TwoHours, $"{realNow:O} gave {studyStart:O}");
            Assert.True(studyStart - realNow < TimeSpan.FromDays(1), $"{realNow:O} gave {studyStart:O}");
        }
    }

    [Fact]
    public void The_settings_are_the_clocks_two_instants_as_round_trip_strings()
    {
        var realNow = T("2026-11-10T23:30:00.1234567-06:00");

        var settings = StudyClockOptions.InsideSendingHours(Protocol, realNow, TwoHours);

        Assert.Equal(
            new Dictionary<string, string?>
            {
                ["Clock:StudyStart"] = "2026-11-11T09:00:00.0000000-06:00",
                ["Clock:RealStart"] = "2026-11-10T23:30:00.1234567-06:00",
            },
            settings);
    }

    [Fact]
    public void The_settings_bind_back_to_the_same_instants()
    {
        var realNow = T("2026-11-10T14:00:00.5Z");

        var options = new ConfigurationBuilder()
            .AddInMemoryCollection(StudyClockOptions.InsideSendingHours(Protocol, realNow, TwoHours))
            .Build()
            .GetSection(StudyClockOptions.Section)
            .Get<StudyClockOptions>()!;

        Assert.Equal(T("2026-11-10T09:00:00-06:00"), options.StudyStart);
        Assert.Equal(TimeSpan.FromHours(-6), options.StudyStart!.Value.Offset);
        Assert.Equal(realNow, options.RealStart);
        Assert.Equal(1, options.Speed);
    }
}
