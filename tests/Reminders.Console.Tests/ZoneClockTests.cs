using System.Globalization;
using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Reminders.Web.Components.Pages.Trainer;
using Reminders.Web.Components.Shared;
using Reminders.Web.Services;

namespace Reminders.Console.Tests;

/// <summary>The console's one clock: every time on its zone's wall clock, 24-hour, with the zone named, dates in the reader's culture.</summary>
public sealed class ZoneClockTests : IDisposable
{
    static readonly CultureInfo Spanish = CultureInfo.GetCultureInfo("es-MX"), English = CultureInfo.GetCultureInfo("en");
    readonly BunitContext context = new();
    readonly (CultureInfo, CultureInfo) before = (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture);

    public ZoneClockTests()
    {
        CultureInfo.CurrentCulture = CultureInfo.CurrentUICulture = Spanish;
        context.Services.AddLocalization(o => o.ResourcesPath = "Resources");
    }

    public void Dispose()
    {
        (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture) = before;
        context.Dispose();
    }

    [Fact]
    public void Ten_in_the_morning_in_mexico_city_and_in_tijuana_in_june_are_one_hour_apart_in_utc()
    {
        var mexicoCity = context.Render<ZoneTime>(p => p.Add(x => x.At, new DateTimeOffset(2027, 6, 14, 16, 0, 0, TimeSpan.Zero)).Add(x => x.Zone, "America/Mexico_City").Add(x => x.ShowDate, false));
        var tijuana = context.Render<ZoneTime>(p => p.Add(x => x.At, new DateTimeOffset(2027, 6, 14, 17, 0, 0, TimeSpan.Zero)).Add(x => x.Zone, "America/Tijuana").Add(x => x.ShowDate, false));

        Assert.Equal("10:00, hora de Ciudad de México", mexicoCity.Find("time").TextContent);
        Assert.Equal("10:00, hora de Tijuana", tijuana.Find("time").TextContent);
        Assert.Equal("2027-06-14T10:00:00-07:00", tijuana.Find("time").GetAttribute("datetime"));
    }

    [Fact]
    public void A_moment_has_its_date_in_words_and_the_afternoon_on_the_24_hour_clock()
    {
        var at = new DateTimeOffset(2026, 12, 7, 21, 30, 0, TimeSpan.Zero);

        Assert.Equal("lunes 7 de diciembre de 2026, 15:30, hora de Ciudad de México", context.Render<ZoneTime>(p => p.Add(x => x.At, at).Add(x => x.Zone, "America/Mexico_City")).Find("time").TextContent);
        Assert.Equal("lun 7 dic 2026, 15:30, hora de Ciudad de México", ZoneClock.Moment(at, null, ZoneDate.Short));
        Assert.Equal("15:30", ZoneClock.Moment(at, "America/Mexico_City", ZoneDate.None, withZone: false));
        Assert.Equal("Monday, December 7, 2026, 15:30, Mexico City time", ZoneClock.Moment(at, "America/Mexico_City", culture: English));
        Assert.Equal("Mon, Dec 7, 2026, 15:30, Mexico City time", ZoneClock.Moment(at, "America/Mexico_City", ZoneDate.Short, culture: English));
    }

    [Fact]
    public void A_span_names_its_zone_once_and_an_end_after_midnight_says_it_is_the_next_day()
    {
        var start = new DateTimeOffset(2026, 6, 15, 16, 0, 0, TimeSpan.Zero);
        Assert.Equal("10:00–13:00, hora de Ciudad de México", ZoneClock.Hours(start, start.AddHours(3), "America/Mexico_City"));
        Assert.Equal("09:00–12:00, hora de Tijuana", ZoneClock.Hours(start, start.AddHours(3), "America/Tijuana"));

        var late = new DateTimeOffset(2026, 6, 16, 4, 0, 0, TimeSpan.Zero); // 22:00 in Mexico City
        Assert.Equal("22:00–01:00 del día siguiente, hora de Ciudad de México", ZoneClock.Hours(late, late.AddHours(3), "America/Mexico_City"));
        Assert.Equal("22:00–01:00 the next day, Mexico City time", ZoneClock.Hours(late, late.AddHours(3), "America/Mexico_City", culture: English));
        Assert.Equal("22:00–mié 17 jun 2026, 01:00, hora de Ciudad de México", ZoneClock.Hours(late, late.AddHours(27), "America/Mexico_City"));

        var rendered = context.Render<ZoneTime>(p => p.Add(x => x.At, late).Add(x => x.Until, late.AddHours(2)).Add(x => x.Zone, "America/Mexico_City").Add(x => x.Date, ZoneDate.Short));
        Assert.Equal("lun 15 jun 2026, 22:00–00:00 del día siguiente, hora de Ciudad de México", rendered.Find("time").TextContent);
    }

    [Fact]
    public void Tijuana_keeps_daylight_saving_time_and_mexico_city_does_not()
    {
        // 14 March 2027, 09:00 UTC: 01:00 in Tijuana (PST); three hours later the clocks there have sprung forward to 05:00.
        var night = new DateTimeOffset(2027, 3, 14, 9, 0, 0, TimeSpan.Zero);
        Assert.Equal("01:00–05:00, hora de Tijuana", ZoneClock.Hours(night, night.AddHours(3), "America/Tijuana"));
        Assert.Equal("03:00–06:00, hora de Ciudad de México", ZoneClock.Hours(night, night.AddHours(3), "America/Mexico_City"));

        var noon = new DateTimeOffset(2027, 1, 11, 18, 0, 0, TimeSpan.Zero);
        Assert.Equal(("12:00", "10:00"), (ZoneClock.Time(noon, "America/Mexico_City"), ZoneClock.Time(noon, "America/Tijuana")));
        Assert.Equal(("12:00", "11:00"), (ZoneClock.Time(noon.AddMonths(6), "America/Mexico_City"), ZoneClock.Time(noon.AddMonths(6), "America/Tijuana")));
    }

    [Fact]
    public void A_zone_without_a_name_of_its_own_shows_its_city_and_no_zone_means_mexico_city()
    {
        Assert.Equal(("Ciudad de México", "Bogota", "Port of Spain"), (ZoneClock.City(null), ZoneClock.City("America/Bogota"), ZoneClock.City("America/Port_of_Spain")));
        Assert.Equal("hora de Ciudad de México", ZoneClock.ZoneName(" "));
        Assert.Equal("Mexico City time", ZoneClock.ZoneName("America/Mexico_City", English));
        Assert.Equal("lunes 15 de junio de 2026", ZoneClock.Day("2026-06-15"));
        Assert.Equal("not a date", ZoneClock.Day("not a date"));
        Assert.Equal(DayOfWeek.Monday, ZoneClock.CalendarCulture().DateTimeFormat.FirstDayOfWeek);
        Assert.Equal(("06:00", "20:00"), (ZoneClock.QuarterHours[0], ZoneClock.QuarterHours[^1]));
    }

    [Theory]
    [InlineData("es-MX", "America/Mexico_City", "Jueves 3 de diciembre de 2026", "09:00–12:00, hora de Ciudad de México")]
    [InlineData("en", "America/Mexico_City", "Thursday, December 3, 2026", "09:00–12:00, Mexico City time")]
    [InlineData("es-MX", "America/Tijuana", "Jueves 3 de diciembre de 2026", "09:00–12:00, hora de Tijuana")]
    public void A_trainers_session_shows_its_day_and_hours_on_its_own_zones_clock(string culture, string zone, string day, string hours)
    {
        CultureInfo.CurrentCulture = CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo(culture);
        var offset = TimeZoneInfo.FindSystemTimeZoneById(zone).GetUtcOffset(new DateTime(2026, 12, 3, 12, 0, 0, DateTimeKind.Utc));
        var (starts, ends) = (new DateTimeOffset(2026, 12, 3, 9, 0, 0, offset), new DateTimeOffset(2026, 12, 3, 12, 0, 0, offset));
        var session = new ScheduledSession { TimeZone = zone, StartsAt = starts, EndsAt = ends, LocalStartsAt = starts, LocalEndsAt = ends };

        var rendered = context.Render<SessionSummary>(p => p.Add(c => c.Session, session));

        Assert.Equal(day, rendered.Find(".when-date").TextContent);
        Assert.Equal(hours, rendered.Find(".when-time").TextContent);
    }
}
