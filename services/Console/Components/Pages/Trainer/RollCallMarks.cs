using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace Reminders.Web.Components.Pages.Trainer;

/// <summary>What a trainer can mark for one officer; <see cref="Unmarked"/> follows "Todos presentes" when it is ticked.</summary>
public static class MarkStatus
{
    public const string Unmarked = "";
    public const string Present = "present";
    public const string Late = "late";
    public const string LeftEarly = "left_early";
    public const string LateAndLeftEarly = "late_left_early";
    public const string Absent = "absent";
    public const string Excused = "excused";
    public static readonly IReadOnlyList<string> Choices = [Present, Late, LeftEarly, LateAndLeftEarly, Absent, Excused];

    public static bool HasArrival(string? status) => status is Late or LateAndLeftEarly;

    public static bool HasDeparture(string? status) => status is LeftEarly or LateAndLeftEarly;
}

/// <summary>The roll-call form as posted: every mark at once, walk-ins added so far, and the reason for changing what was recorded.</summary>
public sealed class RollCallInput
{
    public bool AllPresent { get; set; }
    // The form binder leaves a list null when the post carries none of its fields.
    public List<OfficerMark> Marks { get; set => field = value ?? []; } = [];
    public List<Guid> WalkIns { get; set => field = value ?? []; } = [];
    public string? Badge { get; set; }
    public bool ConfirmControl { get; set; }
    public string? Reason { get; set; }
    /// <summary>The button pressed: save, find (a badge), add:{officerId} (a walk-in found).</summary>
    public string? Action { get; set; }
}

public sealed class OfficerMark
{
    public Guid OfficerId { get; set; }
    public string? Status { get; set; }
    /// <summary>The arrival time as written (HH:mm), for a late arrival.</summary>
    public string? Arrival { get; set; }
    /// <summary>The departure time as written (HH:mm), for an early leave.</summary>
    public string? Departure { get; set; }
}

/// <summary>A session's date, zone, start and end, and whether its end has passed (by the services' clock: the Scheduler says "held").</summary>
public sealed record SessionFrame(DateOnly Date, TimeZoneInfo Zone, DateTimeOffset StartsAt, DateTimeOffset EndsAt, bool Ended)
{
    public static SessionFrame For(Web.Services.ScheduledSession session)
    {
        var zone = TimeZoneInfo.TryFindSystemTimeZoneById(session.TimeZone, out var found) ? found
            : TimeZoneInfo.CreateCustomTimeZone(session.TimeZone, session.LocalStartsAt.Offset, session.TimeZone, session.TimeZone);
        return new(DateOnly.FromDateTime(session.LocalStartsAt.DateTime), zone, session.StartsAt, session.EndsAt, session.Ended);
    }

    public DateTimeOffset Local(DateTimeOffset instant) => TimeZoneInfo.ConvertTime(instant, Zone);

    public string LocalTime(DateTimeOffset instant) => Local(instant).ToString("HH:mm", CultureInfo.InvariantCulture);

    /// <summary>The instant a wall-clock time means on the session's date, or null in an hour the clocks skipped.</summary>
    public DateTimeOffset? At(TimeOnly time)
    {
        var wall = Date.ToDateTime(time);
        return Zone.IsInvalidTime(wall) ? null : new DateTimeOffset(TimeZoneInfo.ConvertTimeToUtc(wall, Zone), TimeSpan.Zero);
    }
}

/// <summary>An event in force, as Attendance holds it.</summary>
public sealed record RecordedMark(Guid EventId, Guid OfficerId, string Kind, DateTimeOffset At);

public static class EventKinds
{
    public const string CheckIn = "check_in";
    public const string CheckOut = "check_out";
    public const string Excused = "excused";
}

/// <summary>One thing to write: add an event, move one to another time, or remove one (the last two are corrections and need a reason).</summary>
public abstract record RollCallChange(Guid OfficerId, string Kind)
{
    public sealed record Add(Guid OfficerId, string Kind, DateTimeOffset At) : RollCallChange(OfficerId, Kind);
    public sealed record Move(Guid EventId, Guid OfficerId, string Kind, DateTimeOffset From, DateTimeOffset To) : RollCallChange(OfficerId, Kind);
    public sealed record Remove(Guid EventId, Guid OfficerId, string Kind, DateTimeOffset At) : RollCallChange(OfficerId, Kind);

    public bool IsCorrection => this is not Add;
}

/// <summary>Why a mark cannot be recorded as written; <see cref="Code"/> names the words the page shows.</summary>
public sealed record MarkProblem(Guid OfficerId, string Code);

/// <param name="CheckOutsPending">Some check-outs at the end were not written because the session has not ended yet.</param>
public sealed record RollCallPlan(IReadOnlyList<RollCallChange> Changes, IReadOnlyList<MarkProblem> Problems, bool CheckOutsPending)
{
    public bool NeedsReason => Changes.Any(c => c.IsCorrection);
}

/// <summary>
/// The roll call as the difference between what the trainer marked and what Attendance already holds: only what is missing is
/// added, and what differs is corrected (which needs a reason). Posting the same form twice changes nothing the second time, so a
/// retry over a weak network is harmless. A check-out at the end of a session still under way waits until it has ended.
/// </summary>
public static partial class RollCallMarks
{
    /// <summary>
    /// What the form shows for an officer from what is recorded: a check-in after the start is a late arrival, a check-out before
    /// the end an early leave; unmarked when the session has no roll call yet.
    /// </summary>
    public static OfficerMark FromRecord(Guid officerId, IReadOnlyList<RecordedMark> mine, bool sessionHasRecords, SessionFrame frame)
    {
        if (mine.Any(e => e.Kind == EventKinds.Excused)) return new OfficerMark { OfficerId = officerId, Status = MarkStatus.Excused };
        var checkIn = mine.Where(e => e.Kind == EventKinds.CheckIn).OrderBy(e => e.At).FirstOrDefault();
        var checkOut = mine.Where(e => e.Kind == EventKinds.CheckOut).OrderBy(e => e.At).LastOrDefault();
        if (checkIn is null && checkOut is null)
            return new OfficerMark { OfficerId = officerId, Status = sessionHasRecords ? MarkStatus.Absent : MarkStatus.Unmarked };
        var arrival = checkIn is not null && !NoLaterThan(checkIn.At, frame.StartsAt) ? frame.LocalTime(checkIn.At) : null;
        var departure = checkOut is not null && !NoEarlierThan(checkOut.At, frame.EndsAt) ? frame.LocalTime(checkOut.At) : null;
        var status = (arrival, departure) switch
        {
            (not null, not null) => MarkStatus.LateAndLeftEarly,
            (not null, null) => MarkStatus.Late,
            (null, not null) => MarkStatus.LeftEarly,
            _ => MarkStatus.Present,
        };
        return new OfficerMark { OfficerId = officerId, Status = status, Arrival = arrival, Departure = departure };
    }

    /// <summary>The changes that make Attendance say what the marks say, or the problems that stop the whole roll call.</summary>
    public static RollCallPlan Plan(SessionFrame frame, IReadOnlyList<Guid> officers, IReadOnlyList<OfficerMark> marks, bool allPresent,
        IReadOnlyList<RecordedMark> recorded)
    {
        var byOfficer = marks.GroupBy(m => m.OfficerId).ToDictionary(g => g.Key, g => g.Last());
        var events = recorded.ToLookup(e => e.OfficerId);
        var changes = new List<RollCallChange>();
        var problems = new List<MarkProblem>();
        var pending = false;
        foreach (var officerId in officers)
        {
            var mark = byOfficer.GetValueOrDefault(officerId) ?? new OfficerMark { OfficerId = officerId };
            var wanted = Wanted(frame, mark, allPresent, problems);
            if (wanted is null) continue;
            var (checkIn, checkOut, excused) = wanted.Value;
            var mine = events[officerId].ToList();
            if (checkOut == frame.EndsAt && !frame.Ended && !mine.Any(e => e.Kind == EventKinds.CheckOut && NoEarlierThan(e.At, frame.EndsAt)))
            {
                // The end has not come, and Attendance refuses a time from the future: the check-out at the end waits.
                checkOut = null;
                pending = true;
            }
            Reconcile(officerId, EventKinds.CheckIn, checkIn, mine, changes, recorded => checkIn == frame.StartsAt && NoLaterThan(recorded, frame.StartsAt));
            Reconcile(officerId, EventKinds.CheckOut, checkOut, mine, changes, recorded => checkOut == frame.EndsAt && NoEarlierThan(recorded, frame.EndsAt));
            Reconcile(officerId, EventKinds.Excused, excused ? frame.StartsAt : null, mine, changes, _ => true);
        }
        return new RollCallPlan(problems.Count > 0 ? [] : changes, problems, pending);
    }

    /// <summary>
    /// The check-in, check-out and excuse a mark asks for; null (with a problem added) when it cannot be read. Only the time fields
    /// the status uses are read: a time left in a field the status hides is not taken.
    /// </summary>
    static (DateTimeOffset? CheckIn, DateTimeOffset? CheckOut, bool Excused)? Wanted(SessionFrame frame, OfficerMark mark, bool allPresent, List<MarkProblem> problems)
    {
        var status = string.IsNullOrWhiteSpace(mark.Status) ? (allPresent ? MarkStatus.Present : MarkStatus.Unmarked) : mark.Status.Trim();
        switch (status)
        {
            case MarkStatus.Absent: return (null, null, false);
            case MarkStatus.Excused: return (null, null, true);
            case MarkStatus.Present: return (frame.StartsAt, frame.EndsAt, false);
            case MarkStatus.Late or MarkStatus.LeftEarly or MarkStatus.LateAndLeftEarly: break;
            default:
                problems.Add(new MarkProblem(mark.OfficerId, "unmarked"));
                return null;
        }
        var before = problems.Count;
        var arrival = MarkStatus.HasArrival(status) ? Time(frame, mark.OfficerId, mark.Arrival, "arrival", problems) : frame.StartsAt;
        var departure = MarkStatus.HasDeparture(status) ? Time(frame, mark.OfficerId, mark.Departure, "departure", problems) : frame.EndsAt;
        if (problems.Count > before) return null;
        if (MarkStatus.HasArrival(status) && !(arrival > frame.StartsAt && arrival < frame.EndsAt)) problems.Add(new MarkProblem(mark.OfficerId, "arrival_not_late"));
        if (MarkStatus.HasDeparture(status) && !(departure < frame.EndsAt && departure > frame.StartsAt)) problems.Add(new MarkProblem(mark.OfficerId, "departure_not_early"));
        if (problems.Count == before && departure <= arrival) problems.Add(new MarkProblem(mark.OfficerId, "departure_before_arrival"));
        return problems.Count > before ? null : (arrival, departure, false);
    }

    static DateTimeOffset? Time(SessionFrame frame, Guid officerId, string? text, string field, List<MarkProblem> problems)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            problems.Add(new MarkProblem(officerId, field + "_missing"));
            return null;
        }
        if (!TryReadTime(text, out var time, out var twelveHour))
        {
            problems.Add(new MarkProblem(officerId, field + (twelveHour ? "_twelve_hour" : "_unreadable")));
            return null;
        }
        if (frame.At(time) is { } at) return at;
        problems.Add(new MarkProblem(officerId, field + "_skipped_hour"));
        return null;
    }

    /// <summary>
    /// One kind of event for one officer: keep what matches, add what is missing, correct or remove what differs. A time matches
    /// to the minute, or by <paramref name="alsoMatches"/> (a check-in before the start counts from the start, as Attendance counts it).
    /// </summary>
    static void Reconcile(Guid officerId, string kind, DateTimeOffset? wanted, List<RecordedMark> mine, List<RollCallChange> changes,
        Func<DateTimeOffset, bool> alsoMatches)
    {
        var recorded = mine.Where(e => e.Kind == kind).OrderBy(e => e.At).ToList();
        if (wanted is not { } at)
        {
            changes.AddRange(recorded.Select(e => new RollCallChange.Remove(e.EventId, officerId, kind, e.At)));
            return;
        }
        if (recorded.Count == 0)
        {
            changes.Add(new RollCallChange.Add(officerId, kind, at));
            return;
        }
        var kept = recorded.FirstOrDefault(e => SameMinute(e.At, at) || alsoMatches(e.At));
        if (kept is null)
        {
            kept = recorded[0];
            changes.Add(new RollCallChange.Move(kept.EventId, officerId, kind, kept.At, at));
        }
        changes.AddRange(recorded.Where(e => e != kept).Select(e => new RollCallChange.Remove(e.EventId, officerId, kind, e.At)));
    }

    static bool NoLaterThan(DateTimeOffset a, DateTimeOffset b) => a.UtcTicks / TimeSpan.TicksPerMinute <= b.UtcTicks / TimeSpan.TicksPerMinute;

    static bool NoEarlierThan(DateTimeOffset a, DateTimeOffset b) => a.UtcTicks / TimeSpan.TicksPerMinute >= b.UtcTicks / TimeSpan.TicksPerMinute;

    static bool SameMinute(DateTimeOffset a, DateTimeOffset b) => a.UtcTicks / TimeSpan.TicksPerMinute == b.UtcTicks / TimeSpan.TicksPerMinute;

    // 9:40, 09:40, 9.40, 9h40, 9 40, 940, 0940 (24-hour clock); "a. m."/"p. m." are refused, not guessed.
    [GeneratedRegex(@"^(?<hour>[0-9]{1,2})\s*(?:[:.hH]|\s)\s*(?<minute>[0-9]{2})$|^(?<hour>[0-9]{1,2})(?<minute>[0-9]{2})$", RegexOptions.CultureInvariant)]
    private static partial Regex WrittenTime();

    [GeneratedRegex(@"[ap]\.?\s?m\.?", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex TwelveHourMarker();

    /// <summary>A time as a trainer types it on a phone, on the 24-hour clock.</summary>
    public static bool TryReadTime(string? text, out TimeOnly time, out bool twelveHour)
    {
        time = default;
        var value = (text ?? "").Trim();
        twelveHour = TwelveHourMarker().IsMatch(value);
        if (twelveHour) return false;
        var match = WrittenTime().Match(value);
        if (!match.Success) return false;
        var hour = int.Parse(match.Groups["hour"].Value, CultureInfo.InvariantCulture);
        var minute = int.Parse(match.Groups["minute"].Value, CultureInfo.InvariantCulture);
        if (hour > 23 || minute > 59) return false;
        time = new TimeOnly(hour, minute);
        return true;
    }

    /// <summary>
    /// An added event's id, the same for the same addition however often it is posted (a retry after a lost answer is recorded once);
    /// <paramref name="generation"/> (how many such events the officer ever had) makes an event added again after a removal a new one.
    /// </summary>
    public static Guid EventId(Guid sessionId, RollCallChange.Add add, int generation) =>
        new(SHA256.HashData(Encoding.UTF8.GetBytes($"console-roll-call:{sessionId}:{add.OfficerId}:{add.Kind}:{add.At.UtcTicks}:{generation}")).AsSpan(0, 16));
}
