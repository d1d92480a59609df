namespace Reminders.Attendance.Recording;

public enum AttendanceEventKind { CheckIn, CheckOut }

/// <summary>One check-in or check-out as a trainer recorded it (possibly twice, possibly out of order).</summary>
public sealed record AttendanceEvent(AttendanceEventKind Kind, DateTimeOffset At);

public static class AttendanceStatuses
{
    public const string Present = "present";
    public const string Late = "late";
    public const string LeftEarly = "left_early";
    public const string Absent = "absent";
    public const string Excused = "excused";
}

/// <summary>What one officer attended of one session.</summary>
public sealed record SessionAttendance(
    string Status, int MinutesAttended, int MinutesPlanned, bool Late, bool LeftEarly, bool MissingCheckOut, int IgnoredEvents);

/// <summary>
/// Minutes attended from check-ins and check-outs, whatever order and however often they were recorded: time only
/// counts inside the session (an early check-in counts from the start, a late check-out to the end), repeated events
/// count once, overlapping stays are merged, a stay without a check-out runs to the session's end (and is flagged),
/// and a check-out without a check-in before it is ignored. Late and left-early use a grace period.
/// </summary>
public static class AttendanceCalculator
{
    public static readonly TimeSpan DefaultGrace = TimeSpan.FromMinutes(10);

    public static SessionAttendance Compute(DateTimeOffset start, DateTimeOffset end, IEnumerable<AttendanceEvent> events, bool excused = false,
        TimeSpan? grace = null)
    {
        if (end <= start) throw new ArgumentException("A session ends after it starts.", nameof(end));
        var planned = (int)(end - start).TotalMinutes;
        var tolerance = grace ?? DefaultGrace;
        var all = events.ToList();
        // Same kind at the same instant recorded twice is one event; check-ins sort before check-outs at the same instant.
        var ordered = all.Distinct().OrderBy(e => e.At).ThenBy(e => e.Kind).ToList();
        var ignored = all.Count - ordered.Count;

        var stays = new List<(DateTimeOffset From, DateTimeOffset To)>();
        DateTimeOffset? openedAt = null;
        var missingCheckOut = false;
        foreach (var e in ordered)
        {
            if (e.Kind == AttendanceEventKind.CheckIn)
            {
                if (openedAt is null) openedAt = e.At;
                else ignored++;
            }
            else if (openedAt is { } from)
            {
                stays.Add((from, e.At));
                openedAt = null;
            }
            else ignored++;
        }
        if (openedAt is { } unclosed)
        {
            stays.Add((unclosed, DateTimeOffset.MaxValue));
            missingCheckOut = true;
        }

        if (excused) return new SessionAttendance(AttendanceStatuses.Excused, 0, planned, false, false, missingCheckOut, ignored);
        var clipped = stays.Select(s => (From: Max(s.From, start), To: Min(s.To, end))).Where(s => s.To > s.From).OrderBy(s => s.From).ToList();
        if (clipped.Count == 0) return new SessionAttendance(AttendanceStatuses.Absent, 0, planned, false, false, missingCheckOut, ignored);

        var minutes = 0.0;
        var (currentFrom, currentTo) = clipped[0];
        foreach (var (from, to) in clipped.Skip(1))
        {
            if (from <= currentTo) { currentTo = Max(currentTo, to); continue; }
            minutes += (currentTo - currentFrom).TotalMinutes;
            (currentFrom, currentTo) = (from, to);
        }
        minutes += (currentTo - currentFrom).TotalMinutes;

        var late = clipped[0].From > start + tolerance;
        var leftEarly = clipped.Max(s => s.To) < end - tolerance;
        var status = late ? AttendanceStatuses.Late : leftEarly ? AttendanceStatuses.LeftEarly : AttendanceStatuses.Present;
        return new SessionAttendance(status, (int)Math.Floor(minutes), planned, late, leftEarly, missingCheckOut, ignored);
    }

    /// <summary>From events as stored (kind check_in | check_out | excused): an excuse makes the session excused.</summary>
    public static SessionAttendance ComputeRecorded(DateTimeOffset start, DateTimeOffset end, IEnumerable<(string Kind, DateTimeOffset At)> recorded)
    {
        var events = recorded.ToList();
        return Compute(start, end,
            events.Where(e => e.Kind != "excused").Select(e => new AttendanceEvent(e.Kind == "check_in" ? AttendanceEventKind.CheckIn : AttendanceEventKind.CheckOut, e.At)),
            excused: events.Any(e => e.Kind == "excused"));
    }

    static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;
    static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;
}
