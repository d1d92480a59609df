using Reminders.Contracts;
using Reminders.Protocol;
using Reminders.Scheduler.Dispatch;

namespace Reminders.Scheduler.Training;

/// <summary>Where and when a session is, as an officer's SMS says it: <see cref="Zone"/> is the sector's, whose wall clock the SMS speaks.</summary>
public sealed record SessionSlot(Guid SessionId, DateOnly Date, DateTimeOffset StartsAt, string Venue, TimeZoneInfo Zone);

/// <summary>
/// Renders the protocol's four logistics SMS for one officer and times them: notices go out as soon as quiet hours
/// allow; the day-before reminder goes out at the protocol's time on the calendar day before the first session.
/// A notice about a session is pointless once it has started, so its window ends then.
/// </summary>
public sealed class LogisticsSms(StudyProtocol protocol)
{
    /// <summary>
    /// The invitation names the cohort's first session. It has no window: a plan recorded after the fact (trainings
    /// entered once held) still tells the officer what was recorded for them.
    /// </summary>
    public PlannedSms Invitation(Guid officerId, Guid cohortId, string role, SessionSlot first, int days, string by, DateTimeOffset now) =>
        Row(officerId, cohortId, first.SessionId, PlannedSmsKinds.Invitation, protocol.Logistics.Invitation.For(role), first, days, Soonest(now, first.Zone), null, by, now);

    /// <summary>Null when the day-before time has already passed (the invitation is then the only notice).</summary>
    public PlannedSms? DayBefore(Guid officerId, Guid cohortId, string role, SessionSlot first, int days, string by, DateTimeOffset now)
    {
        var due = QuietHours.AtLocal(first.Date.AddDays(-1), protocol.Logistics.DayBeforeSendAt, first.Zone);
        if (due <= now || first.StartsAt <= now) return null;
        return Row(officerId, cohortId, first.SessionId, PlannedSmsKinds.DayBefore, protocol.Logistics.DayBefore.For(role), first, days, due, first.StartsAt, by, now);
    }

    public PlannedSms ChangeNotice(Guid officerId, Guid cohortId, string role, SessionSlot moved, int days, string by, DateTimeOffset now) =>
        Row(officerId, cohortId, moved.SessionId, PlannedSmsKinds.ChangeNotice, protocol.Logistics.ChangeNotice.For(role), moved, days, Soonest(now, moved.Zone), moved.StartsAt, by, now);

    /// <summary><paramref name="cancelled"/> is the session as the officer last heard of it.</summary>
    public PlannedSms Cancellation(Guid officerId, Guid cohortId, string role, SessionSlot cancelled, int days, string by, DateTimeOffset now) =>
        Row(officerId, cohortId, cancelled.SessionId, PlannedSmsKinds.Cancellation, protocol.Logistics.Cancellation.For(role), cancelled, days, Soonest(now, cancelled.Zone), cancelled.StartsAt, by, now);

    DateTimeOffset Soonest(DateTimeOffset now, TimeZoneInfo zone) => protocol.QuietHours.NextAllowed(now, zone);

    PlannedSms Row(Guid officerId, Guid cohortId, Guid sessionId, string kind, SmsTemplate template, SessionSlot slot, int days,
        DateTimeOffset due, DateTimeOffset? windowEnds, string by, DateTimeOffset now) => new()
    {
        OfficerId = officerId,
        Purpose = SmsPurposes.Logistics,
        Kind = kind,
        CohortId = cohortId,
        SessionId = sessionId,
        Body = template.Render(new Dictionary<string, string>
        {
            [SmsPlaceholders.Fecha] = SmsPlaceholders.FormatFecha(slot.Date),
            [SmsPlaceholders.Hora] = SmsPlaceholders.FormatHora(TimeOnly.FromDateTime(TimeZoneInfo.ConvertTime(slot.StartsAt, slot.Zone).DateTime)),
            [SmsPlaceholders.Sede] = slot.Venue.Length <= SmsPlaceholders.MaxSedeLength ? slot.Venue : slot.Venue[..SmsPlaceholders.MaxSedeLength],
            [SmsPlaceholders.Dias] = SmsPlaceholders.FormatDias(days),
        }),
        DueAt = due,
        WindowEndsAt = windowEnds,
        ProtocolVersion = protocol.Version,
        PlannedBy = by,
        PlannedAt = now,
    };
}
