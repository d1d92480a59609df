using Reminders.Web.Services;

namespace Reminders.Web.Components.Pages.Officers;

/// <summary>One line of an officer's support timeline: a moment and what happened (or will happen) then.</summary>
public abstract record TimelineEntry(DateTimeOffset? At)
{
    /// <summary>Not happened yet at <paramref name="now"/>: a session still to come, an SMS still due.</summary>
    public virtual bool IsUpcoming(DateTimeOffset now) => At is null || At > now;
}

public sealed record SessionEntry(TimelineSessionView Session) : TimelineEntry(Session.StartsAt)
{
    public override bool IsUpcoming(DateTimeOffset now) => Session.EndsAt > now;
}

public sealed record SmsEntry(TimelineSmsView Sms) : TimelineEntry(Sms.DueAt ?? Sms.AcceptedAt ?? Sms.History.FirstOrDefault()?.At)
{
    /// <summary>Pending is still to come whatever its due time says (a late send, quiet hours); anything else has happened.</summary>
    public override bool IsUpcoming(DateTimeOffset now) => Sms.Status == "pending" && Sms.History.Count == 0;
}

public sealed record StatusEntry(StatusChangeView Change) : TimelineEntry(Change.ChangedAt)
{
    public override bool IsUpcoming(DateTimeOffset now) => false;
}

/// <summary>
/// A transfer has the roster's date (<paramref name="On"/>) and the moment the import recorded it, where it sorts; with no
/// such moment, at the start of its day in the officer's zone.
/// </summary>
public sealed record TransferEntry(TransferView Transfer, DateOnly On, DateTimeOffset SortsAt) : TimelineEntry(SortsAt)
{
    public override bool IsUpcoming(DateTimeOffset now) => false;
}

/// <summary>
/// The support timeline: training sessions (Attendance), every SMS with its events (Attendance's ledger), status changes and
/// transfers with who and why (Enrollment), merged into one list in time order, past then upcoming.
/// </summary>
public static class OfficerTimeline
{
    /// <param name="planned">The Scheduler's SMS for the officer: training SMS it has not handed to Messaging yet (a day-before reminder still to
    /// come, one skipped) join the list; reminders already come with Attendance's dose, and cancelled rows were never meant to reach anyone.</param>
    public static IReadOnlyList<TimelineEntry> Build(OfficerDetailView officer, TimelineView? timeline, TimeZoneInfo zone,
        IReadOnlyList<OfficerPlannedSmsView>? planned = null)
    {
        var entries = new List<TimelineEntry>();
        if (timeline is not null)
        {
            entries.AddRange(timeline.Sessions.Select(s => new SessionEntry(s)));
            entries.AddRange(timeline.Sms.Select(s => new SmsEntry(s)));
        }
        var known = timeline?.Sms.Select(s => s.SmsId).ToHashSet() ?? [];
        entries.AddRange((planned ?? []).Where(p => p.Purpose == "logistics" && p.Status is "planned" or "skipped" && !known.Contains(p.SmsId))
            .Select(p => new SmsEntry(new TimelineSmsView(p.SmsId, p.Purpose, null, p.DueAt, p.Status == "planned" ? "pending" : "skipped", p.Reason,
                null, null, null, null, null, null, []))));
        entries.AddRange(officer.StatusHistory.Select(s => new StatusEntry(s)));
        foreach (var transfer in officer.Transfers)
        {
            if (!DateOnly.TryParseExact(transfer.TransferredOn, "yyyy-MM-dd", out var on)) continue;
            var midnight = on.ToDateTime(TimeOnly.MinValue);
            entries.Add(new TransferEntry(transfer, on, transfer.RecordedAt ?? new DateTimeOffset(midnight, zone.GetUtcOffset(midnight))));
        }
        // Undated entries (an SMS with no due time nor event yet) go last; equal times keep their sources' order.
        return entries.Select((e, i) => (e, i)).OrderBy(x => x.e.At is null).ThenBy(x => x.e.At).ThenBy(x => x.i).Select(x => x.e).ToList();
    }
}
