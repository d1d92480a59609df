namespace Reminders.Attendance.Dosage;

/// <summary>
/// One officer's dose, as researchers analyse it: identity for analysis (pseudonymous), training, reminders with the
/// protocol's denominators, and logistics SMS counted apart. Read live from the ledger or from an endline snapshot.
/// </summary>
/// <remarks>Not sealed: the dosage API answers with this row plus the officer's SMS list.</remarks>
public record DosageRow
{
    public Guid OfficerId { get; init; }
    /// <summary>The sector the officer was in when the sectors were randomized (the cluster of the analysis); null before enrollment arrived.</summary>
    public Guid? SectorId { get; init; }
    /// <summary>The sector the officer is in now (differs from <see cref="SectorId"/> after a transfer).</summary>
    public Guid? CurrentSectorId { get; init; }
    /// <summary>The randomization stratum of the officer's sector of randomization ("zone=Centro;size=large"), null before.</summary>
    public string? Stratum { get; init; }
    /// <summary><c>treatment</c> or <c>control</c>: the arm of the sector the officer was randomized in; null before randomization.</summary>
    public string? Arm { get; init; }
    /// <summary>Not on the roster when the sectors were randomized: took the arm of the sector they joined.</summary>
    public bool EnrolledAfterRandomization { get; init; }
    /// <summary>The roster's consent to SMS, as it stands now (with none, no SMS of any kind: reminders skipped as no_consent).</summary>
    public bool Consent { get; init; } = true;
    /// <summary>When the current consent took effect: the enrollment, or the roster re-import that changed it.</summary>
    public DateTimeOffset? ConsentSince { get; init; }
    /// <summary><c>officer</c> or <c>commander</c>.</summary>
    public string? Role { get; init; }
    public string StudyStatus { get; init; } = "active";
    public DateTimeOffset? StudyStatusAt { get; init; }
    /// <summary>The first time the officer opted out of SMS (by reply, by a manager, or at the carrier).</summary>
    public DateTimeOffset? SmsOptedOutAt { get; init; }
    public DateTimeOffset? WithdrawnAt { get; init; }
    /// <summary>Moved to a sector of the other arm after randomization.</summary>
    public bool CrossArmTransfer { get; init; }
    /// <summary>Attended a session of a cohort they were not a member of.</summary>
    public bool WalkIn { get; init; }
    /// <summary>A control-arm officer who attended a treatment training.</summary>
    public bool Contamination { get; init; }

    /// <summary>Minutes of the sessions of the cohorts the officer is a member of (not walk-in ones): fixed at close, from the scheduled sessions before.</summary>
    public int TrainingMinutesPlanned { get; init; }
    /// <summary>Counted from closed cohorts only: a cohort's attendance is counted once it is closed (its totals are stored then).</summary>
    public int TrainingMinutesAttended { get; init; }
    public int TrainingSessionsPlanned { get; init; }
    public int TrainingSessionsAttended { get; init; }
    /// <summary>
    /// Met the protocol's completion rule (every planned session attended, walk-in sessions elsewhere included); null when no
    /// training was planned or some of the officer's cohorts are not closed yet.
    /// </summary>
    public bool? TrainingCompleted { get; init; }
    /// <summary>Every cohort the officer belongs to is closed: the training columns are final.</summary>
    public bool TrainingAttendanceClosed { get; init; }

    /// <summary>Reminder rows the protocol planned for the officer (skipped ones included, plan-change cancellations not).</summary>
    public int RemindersPlanned { get; init; }
    /// <summary>Accepted by the provider.</summary>
    public int RemindersSent { get; init; }
    public int RemindersDelivered { get; init; }
    public int RemindersFailed { get; init; }
    public int RemindersUndelivered { get; init; }
    public int RemindersAcknowledged { get; init; }
    /// <summary>Skipped by the Scheduler or refused by Messaging's guards, with <see cref="RemindersSkippedByReason"/>.</summary>
    public int RemindersSkipped { get; init; }
    /// <summary>Planned, not skipped, and not yet final (due later, or sent without a final receipt).</summary>
    public int RemindersPending { get; init; }
    public IReadOnlyDictionary<string, int> RemindersSkippedByReason { get; init; } = new Dictionary<string, int>();
    public DateTimeOffset? FirstReminderDeliveredAt { get; init; }
    public DateTimeOffset? LastReminderDeliveredAt { get; init; }
    /// <summary>Reminder k (1-based <see cref="ReminderDose.Number"/>), one entry per planned reminder.</summary>
    public IReadOnlyList<ReminderDose> Reminders { get; init; } = [];

    public int LogisticsSent { get; init; }
    public int LogisticsDelivered { get; init; }
    /// <summary>Logistics SMS that did not reach the phone: failed, undelivered or cancelled at the provider.</summary>
    public int LogisticsFailed { get; init; }
}

/// <summary>Reminder k of one officer: what happened to it and when.</summary>
public sealed record ReminderDose
{
    public int Number { get; init; }
    public Guid SmsId { get; init; }
    /// <summary>
    /// <c>pending</c>, <c>skipped</c>, <c>cancelled</c>, <c>accepted</c> (sent, no final receipt yet), <c>delivered</c>,
    /// <c>undelivered</c> or <c>failed</c>.
    /// </summary>
    public string Status { get; init; } = "pending";
    public string? SkipReason { get; init; }
    public DateTimeOffset? DueAt { get; init; }
    public DateTimeOffset? SentAt { get; init; }
    public DateTimeOffset? DeliveredAt { get; init; }
    public DateTimeOffset? AcknowledgedAt { get; init; }
}
