using System.Globalization;
using Reminders.Protocol;
using Reminders.Scheduler.Reminders;

namespace Reminders.Scheduler.Tests;

/// <summary>
/// The reminder schedule of one officer, pure: due times on the zone's wall clock, moved into the sending window,
/// late windows that never reach the next reminder or the cut-off, and the cut-off itself.
/// </summary>
public sealed class ReminderPlannerTests
{
    static readonly StudyProtocol Protocol = ProtocolLoader.LoadDefault();
    static readonly ReminderRules Rules = Protocol.Reminders!;
    static readonly SendingWindow Window = Protocol.QuietHours;
    static readonly TimeZoneInfo MexicoCity = TimeZoneInfo.FindSystemTimeZoneById("America/Mexico_City");
    static readonly TimeZoneInfo Tijuana = TimeZoneInfo.FindSystemTimeZoneById("America/Tijuana");
    static readonly TimeSpan Cdmx = TimeSpan.FromHours(-6);
    static readonly DateOnly LastDay = new(2027, 1, 15);

    static ReminderRules WithSendAt(TimeOnly sendAt, ReminderRules? rules = null)
    {
        rules ??= Rules;
        return rules with { Schedule = [.. rules.Schedule.Select(s => s with { SendAt = sendAt })] };
    }

    static TimeOnly LocalTime(DateTimeOffset instant, TimeZoneInfo zone) => TimeOnly.FromDateTime(TimeZoneInfo.ConvertTime(instant, zone).DateTime);

    [Fact]
    public void The_default_schedule_is_due_at_ten_in_Mexico_City_on_days_7_to_77_after_the_last_training_day()
    {
        var plan = ReminderPlanner.Plan(Rules, Window, MexicoCity, LastDay);

        Assert.Equal([1, 2, 3, 4, 5, 6], plan.Select(t => t.Number));
        Assert.Equal(
        [
            new DateTimeOffset(2027, 1, 22, 10, 0, 0, Cdmx), new DateTimeOffset(2027, 2, 5, 10, 0, 0, Cdmx), new DateTimeOffset(2027, 2, 19, 10, 0, 0, Cdmx),
            new DateTimeOffset(2027, 3, 5, 10, 0, 0, Cdmx), new DateTimeOffset(2027, 3, 19, 10, 0, 0, Cdmx), new DateTimeOffset(2027, 4, 2, 10, 0, 0, Cdmx),
        ], plan.Select(t => t.DueAt));
        Assert.All(plan, t => Assert.Equal(16, t.DueAt.UtcDateTime.Hour));
    }

    [Theory]
    [InlineData("2027-05-03")] // reminders May–July: the old summer-time months
    [InlineData("2027-09-01")] // reminders across the first Sunday of November
    [InlineData("2027-03-01")] // reminders across the first Sunday of April (Mexico's old switch) and the US one in March
    public void Mexico_City_keeps_UTC_minus_6_all_year(string lastDay)
    {
        var plan = ReminderPlanner.Plan(Rules, Window, MexicoCity, DateOnly.Parse(lastDay, CultureInfo.InvariantCulture));
        Assert.All(plan, t =>
        {
            Assert.Equal(Cdmx, MexicoCity.GetUtcOffset(t.DueAt));
            Assert.Equal(new TimeSpan(16, 0, 0), t.DueAt.UtcDateTime.TimeOfDay);
        });
    }

    [Fact]
    public void By_default_a_reminder_may_go_late_for_three_days()
    {
        var plan = ReminderPlanner.Plan(Rules, Window, MexicoCity, LastDay);
        Assert.All(plan, t => Assert.Equal(t.DueAt.AddDays(3), t.WindowEndsAt));
    }

    [Fact]
    public void The_cutoff_is_local_midnight_seven_days_before_an_endline_100_days_after_the_last_training_day()
    {
        var plan = ReminderPlanner.Plan(Rules, Window, MexicoCity, LastDay);
        // Endline 2027-04-25 (day 100), cut-off day 2027-04-18 (day 93).
        Assert.All(plan, t => Assert.Equal(new DateTimeOffset(2027, 4, 18, 0, 0, 0, Cdmx), t.CutoffAt));
        Assert.DoesNotContain(plan, t => t.AfterCutoff);
    }

    [Fact]
    public void A_send_time_before_the_window_opens_moves_to_the_opening_on_the_same_day()
    {
        var plan = ReminderPlanner.Plan(Rules, new SendingWindow(new TimeOnly(11, 0), new TimeOnly(20, 0)), MexicoCity, LastDay);
        Assert.Equal(new DateTimeOffset(2027, 1, 22, 11, 0, 0, Cdmx), plan[0].DueAt);
        Assert.All(plan, t => Assert.Equal(new TimeOnly(11, 0), LocalTime(t.DueAt, MexicoCity)));
    }

    [Theory]
    [InlineData("21:30", "2027-01-23T09:00:00-06:00")] // after the window closed: the next morning
    [InlineData("03:00", "2027-01-22T09:00:00-06:00")] // before it opened: the same morning
    public void A_send_time_at_night_moves_to_the_morning(string sendAt, string expected)
    {
        var plan = ReminderPlanner.Plan(WithSendAt(TimeOnly.Parse(sendAt, CultureInfo.InvariantCulture)), Window, MexicoCity, LastDay);
        Assert.Equal(DateTimeOffset.Parse(expected, CultureInfo.InvariantCulture), plan[0].DueAt);
        Assert.All(plan, t => Assert.True(Window.IsInside(t.DueAt, MexicoCity)));
    }

    [Fact]
    public void Without_a_late_window_a_reminder_may_still_go_until_its_days_window_closes()
    {
        var plan = ReminderPlanner.Plan(Rules with { LateWindowDays = 0 }, Window, MexicoCity, LastDay);
        Assert.Equal(new DateTimeOffset(2027, 1, 22, 20, 0, 0, Cdmx), plan[0].WindowEndsAt);
        Assert.All(plan, t => Assert.Equal(t.DueAt.Date, t.WindowEndsAt.Date));
    }

    [Fact]
    public void A_late_window_longer_than_the_gap_ends_at_the_next_reminder_and_the_last_at_the_cutoff()
    {
        var plan = ReminderPlanner.Plan(Rules with { LateWindowDays = 30 }, Window, MexicoCity, LastDay);
        for (var i = 0; i < plan.Count - 1; i++)
            Assert.Equal(plan[i + 1].DueAt, plan[i].WindowEndsAt);
        // Day 77 + 30 passes the cut-off on day 93.
        Assert.Equal(plan[^1].CutoffAt, plan[^1].WindowEndsAt);
    }

    public static TheoryData<string, int, string> Schedules()
    {
        var data = new TheoryData<string, int, string>();
        foreach (var zone in new[] { "America/Mexico_City", "America/Tijuana" })
            foreach (var late in new[] { 0, 3, 13, 14, 15, 30 })
                foreach (var lastDay in new[] { "2026-11-20", "2027-01-15", "2027-02-26", "2027-08-27", "2027-12-10" })
                    data.Add(zone, late, lastDay);
        return data;
    }

    [Theory]
    [MemberData(nameof(Schedules))]
    public void Window_ends_never_pass_the_next_reminder_or_the_cutoff(string zoneId, int lateWindowDays, string lastDay)
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById(zoneId);
        var plan = ReminderPlanner.Plan(Rules with { LateWindowDays = lateWindowDays }, Window, zone, DateOnly.Parse(lastDay, CultureInfo.InvariantCulture));
        for (var i = 0; i < plan.Count; i++)
        {
            var t = plan[i];
            Assert.True(Window.IsInside(t.DueAt, zone), $"reminder {t.Number} due outside the window");
            Assert.True(t.WindowEndsAt > t.DueAt, $"reminder {t.Number} has an empty window");
            Assert.True(t.WindowEndsAt <= t.CutoffAt, $"reminder {t.Number} may go after the cut-off");
            if (i + 1 < plan.Count) Assert.True(t.WindowEndsAt <= plan[i + 1].DueAt, $"reminder {t.Number} may go after reminder {t.Number + 1} is due");
        }
    }

    [Fact]
    public void Tijuana_keeps_ten_oclock_local_across_the_March_2027_switch_to_daylight_time()
    {
        var plan = ReminderPlanner.Plan(Rules, Window, Tijuana, new DateOnly(2027, 2, 1));
        var (pst, pdt) = (TimeSpan.FromHours(-8), TimeSpan.FromHours(-7));
        // Daylight time starts on Sunday 14 March 2027.
        Assert.Equal(
        [
            new DateTimeOffset(2027, 2, 8, 10, 0, 0, pst), new DateTimeOffset(2027, 2, 22, 10, 0, 0, pst), new DateTimeOffset(2027, 3, 8, 10, 0, 0, pst),
            new DateTimeOffset(2027, 3, 22, 10, 0, 0, pdt), new DateTimeOffset(2027, 4, 5, 10, 0, 0, pdt), new DateTimeOffset(2027, 4, 19, 10, 0, 0, pdt),
        ], plan.Select(t => t.DueAt));
        Assert.All(plan, t => Assert.Equal(new TimeOnly(10, 0), LocalTime(t.DueAt, Tijuana)));
        Assert.Equal([18, 18, 18, 17, 17, 17], plan.Select(t => t.DueAt.UtcDateTime.Hour));
    }

    [Fact]
    public void Tijuana_keeps_ten_oclock_local_across_the_November_2027_switch_back_to_standard_time()
    {
        var plan = ReminderPlanner.Plan(Rules, Window, Tijuana, new DateOnly(2027, 9, 1));
        // Standard time resumes on Sunday 7 November 2027: only the last reminder (17 November) is on it.
        Assert.Equal([17, 17, 17, 17, 17, 18], plan.Select(t => t.DueAt.UtcDateTime.Hour));
        Assert.All(plan, t => Assert.Equal(new TimeOnly(10, 0), LocalTime(t.DueAt, Tijuana)));
        Assert.Equal(new DateTimeOffset(2027, 11, 17, 10, 0, 0, TimeSpan.FromHours(-8)), plan[^1].DueAt);
    }

    [Fact]
    public void The_cutoff_in_Tijuana_is_local_midnight_whatever_the_offset_that_day()
    {
        // Last day 2027-02-01: cut-off day 93 is 2027-05-05, on daylight time.
        var plan = ReminderPlanner.Plan(Rules, Window, Tijuana, new DateOnly(2027, 2, 1));
        Assert.All(plan, t => Assert.Equal(new DateTimeOffset(2027, 5, 5, 0, 0, 0, TimeSpan.FromHours(-7)), t.CutoffAt));
    }

    [Theory]
    // 02:30 does not exist on 14 March 2027 in Tijuana: the clock jumps from 02:00 PST to 03:00 PDT.
    [InlineData("2027-03-07", "02:30", "2027-03-14T03:00:00-07:00")]
    // 01:30 happens twice on 7 November 2027: the first one, still on daylight time.
    [InlineData("2027-10-31", "01:30", "2027-11-07T01:30:00-07:00")]
    public void A_send_time_on_a_switch_night_resolves_to_one_real_instant(string lastDay, string sendAt, string expected)
    {
        var window = new SendingWindow(new TimeOnly(1, 0), new TimeOnly(20, 0));
        var plan = ReminderPlanner.Plan(WithSendAt(TimeOnly.Parse(sendAt, CultureInfo.InvariantCulture)), window, Tijuana, DateOnly.Parse(lastDay, CultureInfo.InvariantCulture));
        Assert.Equal(DateTimeOffset.Parse(expected, CultureInfo.InvariantCulture), plan[0].DueAt);
    }

    [Fact]
    public void With_a_fixed_endline_the_reminders_from_the_cutoff_on_are_after_it()
    {
        // Endline 2027-03-28, cut-off 2027-03-21 00:00: reminder 6 (2 April) falls after it.
        var rules = Rules with { Endline = new Endline(null, new DateOnly(2027, 3, 28)) };
        var plan = ReminderPlanner.Plan(rules, Window, MexicoCity, LastDay);

        Assert.Equal([false, false, false, false, false, true], plan.Select(t => t.AfterCutoff));
        Assert.All(plan, t => Assert.Equal(new DateTimeOffset(2027, 3, 21, 0, 0, 0, Cdmx), t.CutoffAt));
        // Reminder 5 (19 March, 10:00) may go late only until the cut-off, not for three days.
        Assert.Equal(new DateTimeOffset(2027, 3, 21, 0, 0, 0, Cdmx), plan[4].WindowEndsAt);
    }

    [Fact]
    public void A_fixed_endline_date_gives_every_cohort_the_same_cutoff_and_later_cohorts_fewer_reminders()
    {
        var rules = Rules with { Endline = new Endline(null, new DateOnly(2027, 3, 28)) };
        var early = ReminderPlanner.Plan(rules, Window, MexicoCity, LastDay);
        var late = ReminderPlanner.Plan(rules, Window, MexicoCity, LastDay.AddMonths(1));

        Assert.Equal(early[0].CutoffAt, late[0].CutoffAt);
        Assert.Equal(1, early.Count(t => t.AfterCutoff));
        Assert.Equal(4, late.Count(t => t.AfterCutoff));
    }

    [Fact]
    public void An_endline_offset_moves_the_cutoff_with_the_last_training_day()
    {
        var early = ReminderPlanner.Plan(Rules, Window, MexicoCity, LastDay);
        var late = ReminderPlanner.Plan(Rules, Window, MexicoCity, LastDay.AddMonths(1));

        Assert.Equal(new DateTimeOffset(2027, 4, 18, 0, 0, 0, Cdmx), early[0].CutoffAt);
        Assert.Equal(new DateTimeOffset(2027, 5, 19, 0, 0, 0, Cdmx), late[0].CutoffAt);
        Assert.DoesNotContain(late, t => t.AfterCutoff);
    }

    [Fact]
    public void A_reminder_due_at_the_very_instant_of_the_cutoff_is_after_it()
    {
        // Cut-off day 2027-01-22 (endline 2027-01-29): reminder 1 is due that day at 00:00, the cut-off itself.
        var rules = WithSendAt(TimeOnly.MinValue, Rules with { Endline = new Endline(null, new DateOnly(2027, 1, 29)) });
        var plan = ReminderPlanner.Plan(rules, new SendingWindow(TimeOnly.MinValue, new TimeOnly(20, 0)), MexicoCity, LastDay);

        Assert.Equal(plan[0].CutoffAt, plan[0].DueAt);
        Assert.True(plan[0].AfterCutoff);
    }

    [Fact]
    public void A_night_send_time_moved_into_the_cutoff_day_is_after_the_cutoff()
    {
        // Reminder 1 at 21:30 on 22 January, the day before the cut-off day: the window moves it to 23 January, 09:00.
        var rules = WithSendAt(new TimeOnly(21, 30), Rules with { Endline = new Endline(null, new DateOnly(2027, 1, 30)) });
        var plan = ReminderPlanner.Plan(rules, Window, MexicoCity, LastDay);

        Assert.Equal(new DateTimeOffset(2027, 1, 23, 0, 0, 0, Cdmx), plan[0].CutoffAt);
        Assert.Equal(new DateTimeOffset(2027, 1, 23, 9, 0, 0, Cdmx), plan[0].DueAt);
        Assert.All(plan, t => Assert.True(t.AfterCutoff));
    }
}
