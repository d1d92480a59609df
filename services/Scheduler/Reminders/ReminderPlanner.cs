using Reminders.Protocol;

namespace Reminders.Scheduler.Reminders;

/// <summary>When reminder <see cref="Number"/> is due, how late it may still go, and from when nothing more is sent.</summary>
public sealed record ReminderTiming(int Number, DateTimeOffset DueAt, DateTimeOffset WindowEndsAt, DateTimeOffset CutoffAt)
{
    /// <summary>Due at or after the cut-off: planned as skipped (after_cutoff), never sent.</summary>
    public bool AfterCutoff => DueAt >= CutoffAt;
}

/// <summary>
/// The reminder schedule of one officer, pure: each reminder is due its offset in calendar days after the last
/// training day, at its send time on the wall clock of <paramref name="zone"/> (daylight saving included), moved
/// forward into the sending window when it falls outside. It may go late until the earliest of the protocol's late
/// window (calendar days on the zone's clock), the next reminder's due time and the cut-off.
/// </summary>
public static class ReminderPlanner
{
    public static IReadOnlyList<ReminderTiming> Plan(ReminderRules rules, SendingWindow window, TimeZoneInfo zone, DateOnly lastTrainingDay)
    {
        var cutoff = QuietHours.AtLocal(rules.CutoffFor(lastTrainingDay), TimeOnly.MinValue, zone);
        var due = rules.Schedule
            .Select(step => window.NextAllowed(QuietHours.AtLocal(step.DueDate(lastTrainingDay), step.SendAt, zone), zone))
            .ToList();
        return rules.Schedule.Select((step, i) =>
        {
            // At least the rest of its own day's sending window, however short the protocol's late window.
            var windowEnd = Min(Max(SameWallTimeDaysLater(due[i], rules.LateWindowDays, zone), window.WindowEnd(due[i], zone)), cutoff);
            if (i + 1 < due.Count) windowEnd = Min(windowEnd, due[i + 1]);
            return new ReminderTiming(step.Number, due[i], windowEnd, cutoff);
        }).ToList();
    }

    /// <summary>Calendar days on the zone's wall clock, not 24-hour blocks: "three days later" keeps the hour across a DST change.</summary>
    static DateTimeOffset SameWallTimeDaysLater(DateTimeOffset instant, int days, TimeZoneInfo zone)
    {
        var local = TimeZoneInfo.ConvertTime(instant, zone).DateTime;
        return QuietHours.AtLocal(DateOnly.FromDateTime(local).AddDays(days), TimeOnly.FromDateTime(local), zone);
    }

    static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a <= b ? a : b;
    static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a >= b ? a : b;
}
