using System.Collections.Concurrent;
using System.Collections.Frozen;

namespace Reminders.Protocol;

/// <summary>
/// The protocol's working days. A date is a working day when it is one of <c>calendar.weekdays</c>, not a holiday of
/// the <c>calendar.holidays</c> rule and not in <c>calendar.closedDates</c> — or when it is in <c>calendar.openDates</c>,
/// which wins over everything else.
/// </summary>
public sealed class WorkingDayCalendar
{
    // Far beyond any real gap; stops a calendar that closes everything from searching forever.
    const int MaxSearchDays = 3660;

    readonly CalendarRules _rules;
    readonly FrozenSet<DayOfWeek> _weekdays;
    readonly FrozenDictionary<DateOnly, CalendarDate> _closed;
    readonly FrozenSet<DateOnly> _open;
    readonly ConcurrentDictionary<int, FrozenDictionary<DateOnly, Holiday>> _holidaysByYear = new();

    public WorkingDayCalendar(CalendarRules rules)
    {
        _rules = rules;
        _weekdays = rules.Weekdays.ToFrozenSet();
        _closed = rules.ClosedDates.ToFrozenDictionary(d => d.Date);
        _open = rules.OpenDates.Select(d => d.Date).ToFrozenSet();
    }

    public WorkingDayCalendar(StudyProtocol protocol) : this(protocol.Calendar) { }

    public bool IsWorkingDay(DateOnly date) =>
        _open.Contains(date) || (_weekdays.Contains(date.DayOfWeek) && !_closed.ContainsKey(date) && !RuleHolidays(date.Year).ContainsKey(date));

    /// <summary>The first working day strictly after <paramref name="date"/>.</summary>
    public DateOnly NextWorkingDay(DateOnly date) => WorkingDayOnOrAfter(date.AddDays(1));

    /// <summary><paramref name="date"/> itself when it is a working day, else the next one.</summary>
    public DateOnly WorkingDayOnOrAfter(DateOnly date)
    {
        for (var i = 0; i < MaxSearchDays; i++, date = date.AddDays(1))
            if (IsWorkingDay(date)) return date;
        throw new InvalidOperationException($"No working day in the {MaxSearchDays} days from {date.AddDays(-MaxSearchDays):yyyy-MM-dd}.");
    }

    /// <summary>
    /// The first <paramref name="count"/> working days on or after <paramref name="from"/>: consecutive in the working
    /// calendar, so a weekend, holiday or closed date between two of them is skipped, never a reason to start later
    /// (from Thursday 2026-09-10, three days are Thu 10, Fri 11, Mon 14; from Tuesday 2026-09-15 they are Tue 15,
    /// Thu 17, Fri 18 around the 16 September holiday).
    /// </summary>
    public IReadOnlyList<DateOnly> ConsecutiveWorkingDays(DateOnly from, int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        var days = new DateOnly[count];
        days[0] = WorkingDayOnOrAfter(from);
        for (var i = 1; i < count; i++) days[i] = NextWorkingDay(days[i - 1]);
        return days;
    }

    /// <summary>The working days from <paramref name="from"/> to <paramref name="to"/>, both included.</summary>
    public IEnumerable<DateOnly> WorkingDaysBetween(DateOnly from, DateOnly to)
    {
        for (var date = from; date <= to; date = date.AddDays(1))
            if (IsWorkingDay(date)) yield return date;
    }

    /// <summary>
    /// The dates of <paramref name="year"/> this calendar closes other than by weekday: the holiday rule's dates and
    /// <c>closedDates</c> (named by their reason), minus <c>openDates</c>, in date order.
    /// </summary>
    public IReadOnlyList<Holiday> Holidays(int year) => RuleHolidays(year).Values
        .Concat(_rules.ClosedDates.Where(d => d.Date.Year == year).Select(d => new Holiday(d.Date, d.Reason ?? "calendar.closedDates")))
        .Where(h => !_open.Contains(h.Date))
        .DistinctBy(h => h.Date)
        .OrderBy(h => h.Date)
        .ToList();

    FrozenDictionary<DateOnly, Holiday> RuleHolidays(int year) => _holidaysByYear.GetOrAdd(year, y => _rules.Holidays switch
    {
        HolidayRule.MexicoFederal when y is >= MexicanFederalHolidays.FirstYear and <= 9998 => MexicanFederalHolidays.For(y).ToFrozenDictionary(h => h.Date),
        _ => FrozenDictionary<DateOnly, Holiday>.Empty,
    });
}
