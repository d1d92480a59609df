using System.Collections.Immutable;

namespace Reminders.Protocol;

/// <summary>
/// The study protocol in force: one versioned file (<c>study-protocol.json</c>) read by <see cref="ProtocolLoader"/>.
/// Whatever is planned from it records <see cref="Version"/> (and may record <see cref="Fingerprint"/>), so a later
/// protocol never rewrites what was planned or sent under an earlier one.
/// </summary>
public sealed record StudyProtocol
{
    /// <summary>The author's name for this version, e.g. "2026-11-v1"; recorded with every row planned from it.</summary>
    public required string Version { get; init; }
    /// <summary>The layout of the file (not its content); this build reads <see cref="ProtocolLoader.SchemaVersion"/>.</summary>
    public required int SchemaVersion { get; init; }
    public required string TimeZoneId { get; init; }
    public required TimeZoneInfo TimeZone { get; init; }

    /// <summary>A sector's own zone (an IANA id from Enrollment), or the protocol's when it has none or it is unknown here.</summary>
    public TimeZoneInfo ZoneOf(string? sectorTimeZone) =>
        string.IsNullOrEmpty(sectorTimeZone) || sectorTimeZone == TimeZoneId ? TimeZone
        : TimeZoneInfo.TryFindSystemTimeZoneById(sectorTimeZone, out var zone) ? zone : TimeZone;
    /// <summary>The file's <c>quietHours</c>: SMS may be sent only inside this daily window; the rest of the day is quiet.</summary>
    public required SendingWindow QuietHours { get; init; }
    public required ByRole<TrainingRules> Training { get; init; }
    public const int DefaultCohortReopenWindowDays = 7;
    /// <summary>
    /// The file's <c>training.reopenWindowDays</c>: for how many days after a cohort's attendance was closed a manager may
    /// reopen it to correct it (0: never).
    /// </summary>
    public int CohortReopenWindowDays { get; init; } = DefaultCohortReopenWindowDays;
    public required CalendarRules Calendar { get; init; }
    public required LogisticsTemplates Logistics { get; init; }
    /// <summary>Null while the file has no <c>reminders</c> section.</summary>
    public ReminderRules? Reminders { get; init; }
    public required KeywordRules Keywords { get; init; }
    /// <summary>What a transfer across arms does to the reminders still owed (<c>transfers</c>; default: stop them).</summary>
    public TransferRules Transfers { get; init; } = TransferRules.Default;

    /// <summary>Lowercase hex SHA-256 of the file's canonical JSON (see <see cref="ProtocolFingerprint"/>).</summary>
    public required string Fingerprint { get; init; }
    /// <summary>Where it was read from: a file path, or "embedded default".</summary>
    public string Source { get; init; } = "";
    /// <summary>What the loader would have the author look at, without refusing the file (costly templates, no-op overrides).</summary>
    public ImmutableArray<ProtocolIssue> Warnings { get; init; } = [];
    /// <summary>Every template's encoding and segment count with the longest values its placeholders can take.</summary>
    public ImmutableArray<TemplateMeasurement> TemplateMeasurements { get; init; } = [];
}

/// <summary>The two roles the protocol distinguishes, spelled as in the roster and the contracts.</summary>
public static class StudyRoles
{
    public const string Officer = "officer";
    public const string Commander = "commander";
    public static readonly ImmutableArray<string> All = [Officer, Commander];
}

/// <summary>One value per role.</summary>
public sealed record ByRole<T>(T Officer, T Commander)
{
    public T For(string role) => role switch
    {
        StudyRoles.Officer => Officer,
        StudyRoles.Commander => Commander,
        _ => throw new ArgumentException($"Unknown role \"{role}\"; the protocol knows {string.Join(", ", StudyRoles.All)}.", nameof(role)),
    };
}

/// <summary>A role's training: <see cref="Days"/> consecutive working days of <see cref="HoursPerDay"/> hours each.</summary>
public sealed record TrainingRules(int Days, int HoursPerDay, TimeOnly DefaultStart, Eligibility Eligibility)
{
    public TimeSpan SessionLength => TimeSpan.FromHours(HoursPerDay);
    public TimeOnly DefaultEnd => DefaultStart.Add(SessionLength);
    public int PlannedMinutes => Days * HoursPerDay * 60;
}

/// <summary>Who gets reminders after training.</summary>
public sealed record Eligibility(int MinSessionsAttended)
{
    public bool IsEligible(int sessionsAttended) => sessionsAttended >= MinSessionsAttended;
}

/// <summary>A daily window in local wall-clock time, [Start, End): sending is allowed only inside it.</summary>
public sealed record SendingWindow(TimeOnly Start, TimeOnly End)
{
    public bool Contains(TimeOnly localTime) => localTime >= Start && localTime < End;
    public bool IsInside(DateTimeOffset instant, TimeZoneInfo zone) => Protocol.QuietHours.IsInside(instant, zone, Start, End);
    public DateTimeOffset NextAllowed(DateTimeOffset instant, TimeZoneInfo zone) => Protocol.QuietHours.NextAllowed(instant, zone, Start, End);
    public DateTimeOffset WindowEnd(DateTimeOffset instant, TimeZoneInfo zone) => Protocol.QuietHours.WindowEnd(instant, zone, Start, End);
    public override string ToString() => $"{Start:HH\\:mm}–{End:HH\\:mm}";
}

public enum HolidayRule { None, MexicoFederal }

/// <summary>A date the file names explicitly, with the author's reason when given.</summary>
public sealed record CalendarDate(DateOnly Date, string? Reason);

/// <summary>
/// Which days are working days: <see cref="Weekdays"/>, minus the <see cref="Holidays"/> rule's dates and
/// <see cref="ClosedDates"/>; an <see cref="OpenDates"/> entry is a working day whatever the rest says.
/// </summary>
public sealed record CalendarRules(
    ImmutableArray<DayOfWeek> Weekdays,
    HolidayRule Holidays,
    ImmutableArray<CalendarDate> ClosedDates,
    ImmutableArray<CalendarDate> OpenDates);

public sealed record LogisticsTemplates(
    ByRole<SmsTemplate> Invitation,
    ByRole<SmsTemplate> DayBefore,
    ByRole<SmsTemplate> ChangeNotice,
    ByRole<SmsTemplate> Cancellation)
{
    public static readonly TimeOnly DefaultDayBeforeSendAt = new(18, 0);
    /// <summary>Local time, on the calendar day before the first session, at which the day-before reminder is sent.</summary>
    public TimeOnly DayBeforeSendAt { get; init; } = DefaultDayBeforeSendAt;
}

/// <summary>
/// The reminders after training: each due <see cref="ReminderStep.OffsetDays"/> calendar days after the officer's last
/// training day at <see cref="ReminderStep.SendAt"/> local time; nothing is sent from the cut-off
/// (<see cref="CutoffDaysBeforeEndline"/> days before the endline) on.
/// </summary>
public sealed record ReminderRules(ImmutableArray<ReminderStep> Schedule, Endline Endline, int CutoffDaysBeforeEndline)
{
    public const int DefaultLateWindowDays = 3;
    /// <summary>
    /// How long after its due time a reminder held up (the system down, a provider outage) may still be sent late;
    /// never past the next reminder's due time or the cut-off. After it the reminder is skipped as missed_window.
    /// </summary>
    public int LateWindowDays { get; init; } = DefaultLateWindowDays;

    public DateOnly EndlineFor(DateOnly lastTrainingDay) => Endline.DateFor(lastTrainingDay);
    /// <summary>The first day on which no reminder may be sent any more.</summary>
    public DateOnly CutoffFor(DateOnly lastTrainingDay) => EndlineFor(lastTrainingDay).AddDays(-CutoffDaysBeforeEndline);
}

/// <summary>Reminder <see cref="Number"/> (1-based) of the schedule.</summary>
public sealed record ReminderStep(int Number, string Theme, int OffsetDays, TimeOnly SendAt, ByRole<SmsTemplate> Template)
{
    public DateOnly DueDate(DateOnly lastTrainingDay) => lastTrainingDay.AddDays(OffsetDays);
}

/// <summary>The endline survey: a fixed <see cref="Date"/>, or <see cref="OffsetDays"/> after the officer's last training day.</summary>
public sealed record Endline(int? OffsetDays, DateOnly? Date)
{
    public DateOnly DateFor(DateOnly lastTrainingDay) => Date ?? lastTrainingDay.AddDays(OffsetDays!.Value);
}

/// <summary>What happens to reminders still owed when an officer moves to a sector of the other arm.</summary>
public enum CrossArmTransfer
{
    /// <summary>They keep coming: the officer's arm of randomization still holds.</summary>
    Continue,
    /// <summary>They are skipped as transferred_cross_arm, and stay in the officer's denominator.</summary>
    Stop,
}

public sealed record TransferRules(CrossArmTransfer CrossArm)
{
    public static readonly TransferRules Default = new(CrossArmTransfer.Stop);
}
