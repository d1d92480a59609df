using System.Collections.Immutable;

namespace Reminders.Protocol.Tests;

public sealed class WorkingDayCalendarTests
{
    static readonly WorkingDayCalendar Default = new(ProtocolLoader.LoadDefault());
    static readonly ImmutableArray<DayOfWeek> MondayToFriday = [DayOfWeek.Monday, DayOfWeek.Tuesday, DayOfWeek.Wednesday, DayOfWeek.Thursday, DayOfWeek.Friday];

    static DateOnly D(string iso) => DateOnly.Parse(iso, System.Globalization.CultureInfo.InvariantCulture);

    static WorkingDayCalendar Calendar(HolidayRule holidays = HolidayRule.MexicoFederal, string[]? closed = null, string[]? open = null) => new(new CalendarRules(
        MondayToFriday, holidays,
        [.. (closed ?? []).Select(d => new CalendarDate(D(d), null))],
        [.. (open ?? []).Select(d => new CalendarDate(D(d), "apertura"))]));

    [Fact]
    public void Mexican_federal_holidays_2026()
    {
        Assert.Equal(
            ["2026-01-01", "2026-02-02", "2026-03-16", "2026-05-01", "2026-09-16", "2026-11-16", "2026-12-25"],
            MexicanFederalHolidays.For(2026).Select(h => h.Date.ToString("yyyy-MM-dd")));
    }

    [Fact]
    public void Mexican_federal_holidays_2027()
    {
        Assert.Equal(
            ["2027-01-01", "2027-02-01", "2027-03-15", "2027-05-01", "2027-09-16", "2027-11-15", "2027-12-25"],
            MexicanFederalHolidays.For(2027).Select(h => h.Date.ToString("yyyy-MM-dd")));
    }

    [Fact]
    public void Holidays_carry_their_names()
    {
        Assert.Equal(
            ["Año Nuevo", "Día de la Constitución", "Natalicio de Benito Juárez", "Día del Trabajo", "Día de la Independencia", "Día de la Revolución", "Navidad"],
            MexicanFederalHolidays.For(2026).Select(h => h.Name));
    }

    [Theory]
    [InlineData(2024, "2024-10-01")]
    [InlineData(2030, "2030-10-01")]
    [InlineData(2036, "2036-10-01")]
    [InlineData(2018, "2018-12-01")]
    [InlineData(2012, "2012-12-01")]
    public void The_change_of_federal_executive_is_a_holiday_every_six_years_on_1_October_since_2024(int year, string date)
    {
        var holiday = Assert.Single(MexicanFederalHolidays.For(year), h => h.Name == "Transmisión del Poder Ejecutivo Federal");
        Assert.Equal(D(date), holiday.Date);
        Assert.Equal(8, MexicanFederalHolidays.For(year).Length);
    }

    [Theory]
    [InlineData(2025)]
    [InlineData(2026)]
    [InlineData(2027)]
    [InlineData(2029)]
    public void Other_years_have_no_change_of_executive(int year)
    {
        Assert.Equal(7, MexicanFederalHolidays.For(year).Length);
        Assert.DoesNotContain(MexicanFederalHolidays.For(year), h => h.Date.Month == 10 || h.Date == new DateOnly(year, 12, 1));
    }

    [Fact]
    public void Before_the_2006_reform_the_holidays_were_fixed_dates()
    {
        Assert.Equal(["2005-01-01", "2005-02-05", "2005-03-21", "2005-05-01", "2005-09-16", "2005-11-20", "2005-12-25"],
            MexicanFederalHolidays.For(2005).Select(h => h.Date.ToString("yyyy-MM-dd")));
        // The Monday rule took effect in 2006 for February and November, in 2007 for March.
        Assert.Contains(MexicanFederalHolidays.For(2006), h => h.Date == D("2006-02-06"));
        Assert.Contains(MexicanFederalHolidays.For(2006), h => h.Date == D("2006-03-21"));
        Assert.Contains(MexicanFederalHolidays.For(2007), h => h.Date == D("2007-03-19"));
    }

    [Fact]
    public void Holidays_of_a_year_are_the_federal_ones_and_the_closed_dates_with_their_reasons()
    {
        Assert.Equal(
        [
            ("2026-01-01", "Año Nuevo"), ("2026-02-02", "Día de la Constitución"), ("2026-03-16", "Natalicio de Benito Juárez"),
            ("2026-04-02", "Jueves Santo"), ("2026-04-03", "Viernes Santo"), ("2026-05-01", "Día del Trabajo"),
            ("2026-09-16", "Día de la Independencia"), ("2026-11-16", "Día de la Revolución"), ("2026-12-25", "Navidad"),
        ], Default.Holidays(2026).Select(h => (h.Date.ToString("yyyy-MM-dd"), h.Name)));
        Assert.Equal(9, Default.Holidays(2027).Count);
    }

    [Theory]
    [InlineData("2026-09-12")] // Saturday
    [InlineData("2026-09-13")] // Sunday
    [InlineData("2026-09-16")] // Independence Day, a Wednesday
    [InlineData("2026-11-16")] // third Monday of November
    [InlineData("2026-04-02")] // Holy Thursday, a closed date of the default file
    [InlineData("2027-03-26")] // Good Friday
    [InlineData("2027-02-01")]
    public void Weekends_holidays_and_closed_dates_are_not_working_days(string date)
    {
        Assert.False(Default.IsWorkingDay(D(date)));
    }

    [Theory]
    [InlineData("2026-09-14")]
    [InlineData("2026-09-15")]
    [InlineData("2026-09-17")]
    [InlineData("2026-11-20")] // the old fixed date of the Revolution holiday
    [InlineData("2026-12-01")] // the old date of the change of executive
    [InlineData("2026-10-01")]
    public void Ordinary_weekdays_are_working_days(string date)
    {
        Assert.True(Default.IsWorkingDay(D(date)));
    }

    [Fact]
    public void An_open_date_wins_over_a_holiday_a_closed_date_and_a_weekend()
    {
        var calendar = Calendar(closed: ["2026-09-15"], open: ["2026-09-16", "2026-09-19"]);

        Assert.True(calendar.IsWorkingDay(D("2026-09-16")));
        Assert.True(calendar.IsWorkingDay(D("2026-09-19")));
        Assert.False(calendar.IsWorkingDay(D("2026-09-15")));
        Assert.DoesNotContain(calendar.Holidays(2026), h => h.Date == D("2026-09-16"));
        Assert.Contains(calendar.Holidays(2026), h => h.Date == D("2026-09-15") && h.Name == "calendar.closedDates");
    }

    [Fact]
    public void Without_a_holiday_rule_only_weekdays_and_closed_dates_count()
    {
        var calendar = Calendar(HolidayRule.None, closed: ["2026-09-15"]);

        Assert.True(calendar.IsWorkingDay(D("2026-09-16")));
        Assert.False(calendar.IsWorkingDay(D("2026-09-15")));
        Assert.Equal([D("2026-09-15")], calendar.Holidays(2026).Select(h => h.Date));
    }

    [Theory]
    [InlineData("2026-09-11", "2026-09-14")] // Friday → Monday
    [InlineData("2026-09-15", "2026-09-17")] // over Independence Day
    [InlineData("2026-09-12", "2026-09-14")] // from a Saturday
    [InlineData("2026-04-01", "2026-04-06")] // over Holy Thursday, Good Friday and the weekend
    [InlineData("2026-12-24", "2026-12-28")] // over Christmas
    [InlineData("2026-12-31", "2027-01-04")] // over New Year into the next year
    public void The_next_working_day_is_strictly_after(string date, string next)
    {
        Assert.Equal(D(next), Default.NextWorkingDay(D(date)));
    }

    [Fact]
    public void The_working_day_on_or_after_a_working_day_is_that_day()
    {
        Assert.Equal(D("2026-09-15"), Default.WorkingDayOnOrAfter(D("2026-09-15")));
        Assert.Equal(D("2026-09-17"), Default.WorkingDayOnOrAfter(D("2026-09-16")));
    }

    [Theory]
    [InlineData("2026-09-10", "2026-09-10", "2026-09-11", "2026-09-14")] // Thu, Fri, Mon: across the weekend
    [InlineData("2026-09-15", "2026-09-15", "2026-09-17", "2026-09-18")] // Tue, Thu, Fri: the 16th is skipped
    [InlineData("2026-09-16", "2026-09-17", "2026-09-18", "2026-09-21")] // from the holiday itself
    [InlineData("2026-09-07", "2026-09-07", "2026-09-08", "2026-09-09")] // an ordinary week
    [InlineData("2026-03-31", "2026-03-31", "2026-04-01", "2026-04-06")] // Holy Week closes Thu and Fri
    [InlineData("2026-11-12", "2026-11-12", "2026-11-13", "2026-11-17")] // Thu, Fri, then the Revolution Monday is skipped
    public void Three_consecutive_working_days_skip_what_is_not_a_working_day(string from, string first, string second, string third)
    {
        Assert.Equal([D(first), D(second), D(third)], Default.ConsecutiveWorkingDays(D(from), 3));
    }

    [Fact]
    public void Consecutive_working_days_need_a_positive_count()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Default.ConsecutiveWorkingDays(D("2026-09-10"), 0));
    }

    [Fact]
    public void Working_days_between_two_dates_include_both_ends()
    {
        Assert.Equal([D("2026-09-14"), D("2026-09-15"), D("2026-09-17"), D("2026-09-18")],
            Default.WorkingDaysBetween(D("2026-09-13"), D("2026-09-18")));
    }

    [Fact]
    public void A_year_of_the_default_calendar_has_the_expected_number_of_working_days()
    {
        // 2026: 261 weekdays, minus 7 federal holidays on weekdays (none falls on a weekend) and Holy Thursday and Friday.
        Assert.Equal(261 - 7 - 2, Default.WorkingDaysBetween(D("2026-01-01"), D("2026-12-31")).Count());
    }
}
