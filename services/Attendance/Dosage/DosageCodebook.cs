using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Reminders.Contracts;
using Reminders.Protocol;

namespace Reminders.Attendance.Dosage;

/// <summary>One officer's line of dosage.csv: the dose, and the snapshot it was read from (null when read live).</summary>
public sealed record DosageExportRow(DosageRow Dose, DosageSnapshotStamp? Snapshot = null, int? PostEndlineEvents = null);

/// <summary>Which frozen version a row comes from, and when it was frozen.</summary>
public sealed record DosageSnapshotStamp(int Version, DateTimeOffset FrozenAt);

/// <summary>One column of dosage.csv: what the codebook says about it and how its value is written.</summary>
public sealed record DosageColumn(
    string Name, string Type, string? Unit, string Definition, string Derivation,
    [property: JsonIgnore] Func<DosageExportRow, string?> Value)
{
    /// <summary>The values a <c>category</c> column can take (empty for other types).</summary>
    public IReadOnlyList<string> Values { get; init; } = [];
}

/// <summary>
/// The single definition of dosage.csv's columns: the CSV header and values, codebook.md and codebook.json are all
/// generated from <see cref="Columns"/>, so the file and its documentation cannot drift apart.
/// </summary>
public static class DosageCodebook
{
    public const string TypeUuid = "uuid", TypeString = "string", TypeCategory = "category", TypeInteger = "integer",
        TypeBoolean = "boolean (0/1)", TypeDateTime = "datetime";

    /// <summary>
    /// Why a planned reminder was not sent: the Scheduler's skip reasons (<see cref="SmsSkipReasons"/>, cancellations
    /// excluded: they were never owed) and the refusals of Messaging's guards (SendSmsConsumer), each its own column.
    /// </summary>
    public static readonly IReadOnlyList<string> SkipReasons =
    [
        SmsSkipReasons.OptedOut, SmsSkipReasons.Withdrawn, SmsSkipReasons.WrongNumber, SmsSkipReasons.Inactive,
        SmsSkipReasons.MissedWindow, SmsSkipReasons.AfterCutoff, SmsSkipReasons.NotEligible, SmsSkipReasons.ArmMismatch,
        SmsSkipReasons.NoConsent, SmsSkipReasons.TransferredCrossArm,
        "arm_unknown", "no_contact", "quiet_hours",
    ];

    /// <summary>Counted in <c>reminders_skipped_other</c>: a reason this codebook does not know yet.</summary>
    public const string OtherSkipReason = "other";

    static readonly Dictionary<string, string> SkipReasonMeanings = new()
    {
        [SmsSkipReasons.OptedOut] = "the officer had opted out of SMS",
        [SmsSkipReasons.Withdrawn] = "the officer had withdrawn from the study",
        [SmsSkipReasons.WrongNumber] = "the officer's number was marked wrong",
        [SmsSkipReasons.Inactive] = "the officer was no longer on the roster",
        [SmsSkipReasons.NoConsent] = "the roster says the officer did not consent to SMS",
        [SmsSkipReasons.TransferredCrossArm] = "the officer moved to a sector of the other arm and the protocol stops reminders then (transfers.crossArm: stop)",
        [SmsSkipReasons.MissedWindow] = "its sending window closed before it could be sent (system down, quiet hours, or held by quiet hours past its late window)",
        [SmsSkipReasons.AfterCutoff] = "it would have fallen on or after the cut-off before the endline",
        [SmsSkipReasons.NotEligible] = "the officer did not meet the protocol's eligibility rule (sessions attended)",
        [SmsSkipReasons.ArmMismatch] = "the officer's arm of randomization is not treatment, wherever they are now (e.g. randomized to control and moved into a treatment sector)",
        ["arm_unknown"] = "Messaging never learned the officer's arm, so it refused to send",
        ["no_contact"] = "Messaging had no phone number for the officer",
        ["quiet_hours"] = "Messaging refused it inside quiet hours (before quiet hours held SMS until the window opened; now such an SMS is sent then, or skipped as missed_window)",
        [OtherSkipReason] = "any reason not listed in another reminders_skipped_ column",
    };

    /// <summary>
    /// The export's time format: ISO 8601, always in UTC, written with an explicit +00:00 offset (the standard "s" format
    /// has a fast path; a custom pattern would be parsed again for each of an export's millions of times).
    /// </summary>
    public static string Time(DateTimeOffset? instant) =>
        instant is { } i ? string.Concat(i.UtcDateTime.ToString("s", CultureInfo.InvariantCulture), "+00:00") : "";

    public static string Integer(int value) => value.ToString(CultureInfo.InvariantCulture);
    public static string Integer(int? value) => value?.ToString(CultureInfo.InvariantCulture) ?? "";
    public static string Boolean(bool value) => value ? "1" : "0";
    public static string Boolean(bool? value) => value is { } v ? Boolean(v) : "";

    /// <summary>The columns of dosage.csv, in order, for a protocol of <paramref name="reminderCount"/> reminders.</summary>
    public static IReadOnlyList<DosageColumn> Columns(int reminderCount)
    {
        var columns = new List<DosageColumn>
        {
            new("officer_id", TypeUuid, null, "Pseudonymous officer identifier (the study's own id, never the badge number).",
                "Assigned by Enrollment when the officer was first imported; stable for the whole study.", r => r.Dose.OfficerId.ToString()),
            new("sector_id", TypeUuid, null, "The sector the officer was in when the sectors were randomized: the cluster of the analysis (pseudonymous id).",
                "The officer's sector at randomization (from Enrollment's enrollment and transfer events); the current sector before randomization.",
                r => r.Dose.SectorId?.ToString()),
            new("stratum", TypeString, null, "Randomization stratum of the sector the officer was randomized in, as \"column=value\" pairs joined by \";\" (empty string: one stratum).",
                "From the randomization record Enrollment published (SectorsRandomized); empty before randomization.", r => r.Dose.Stratum),
            new("arm", TypeCategory, null, "The officer's arm of randomization: the arm of the sector they were in when the sectors were randomized, or of the sector they joined when enrolled later (intention to treat; a later transfer does not change it).",
                "From Enrollment's OfficerArmsAssigned (the same arm every guard and plan uses); empty before randomization.", r => r.Dose.Arm) { Values = [StudyArms.Treatment, StudyArms.Control] },
            new("role", TypeCategory, null, "The officer's role.", "From the roster (Enrollment events).", r => r.Dose.Role) { Values = [.. StudyRoles.All] },
            new("training_minutes_planned", TypeInteger, "minutes", "Minutes of training the officer's cohort planned (sessions not cancelled).",
                "Sum over the officer's cohort's scheduled sessions of (end − start); 0 when no training was planned.", r => Integer(r.Dose.TrainingMinutesPlanned)),
            new("training_minutes_attended", TypeInteger, "minutes", "Minutes of training the officer attended.",
                "Per session, from check-in to check-out clipped to the session (a late arrival or early leave reduces it); corrections applied; summed over sessions of closed cohorts (walk-in sessions included).",
                r => Integer(r.Dose.TrainingMinutesAttended)),
            new("training_sessions_attended", TypeInteger, "sessions", "Training sessions the officer attended for at least one minute.",
                "Count of sessions with attended minutes > 0.", r => Integer(r.Dose.TrainingSessionsAttended)),
            new("reminders_planned", TypeInteger, "SMS", "Reminders the protocol planned for the officer (the denominator: skipped ones included, plan-change cancellations not).",
                "Count of the officer's planned reminder rows (Scheduler's RemindersPlanned and ReminderSkipped events).", r => Integer(r.Dose.RemindersPlanned)),
            new("reminders_sent", TypeInteger, "SMS", "Reminders the SMS provider accepted.",
                "Count of reminder SMS with an SmsAccepted event, or any later status proving acceptance.", r => Integer(r.Dose.RemindersSent)),
            new("reminders_delivered", TypeInteger, "SMS", "Reminders the carrier reported delivered to the handset.",
                "Count of reminder SMS whose latest status is delivered (status only moves forward; out-of-order receipts do not move it back).",
                r => Integer(r.Dose.RemindersDelivered)),
            new("reminders_failed", TypeInteger, "SMS", "Reminders that failed (refused by the provider or reported failed).",
                "Count of reminder SMS whose final status is failed.", r => Integer(r.Dose.RemindersFailed)),
            new("reminders_acknowledged", TypeInteger, "SMS", "Reminders the officer acknowledged by reply (OK, SI, RECIBIDO, 1...).",
                "Count of reminders with a ReminderAcknowledged event (one per reminder at most, however many replies).", r => Integer(r.Dose.RemindersAcknowledged)),
            new("reminders_skipped", TypeInteger, "SMS", "Planned reminders never sent, for any reason (see the reminders_skipped_<reason> columns).",
                "Count of reminders the Scheduler skipped or Messaging's guards refused.", r => Integer(r.Dose.RemindersSkipped)),
            new("first_reminder_delivered_at", TypeDateTime, null, "When the first delivered reminder was delivered.",
                "Minimum delivery time (the carrier's receipt time) over delivered reminders; empty when none.", r => Time(r.Dose.FirstReminderDeliveredAt)),
            new("last_reminder_delivered_at", TypeDateTime, null, "When the last delivered reminder was delivered.",
                "Maximum delivery time over delivered reminders; empty when none.", r => Time(r.Dose.LastReminderDeliveredAt)),
            new("sms_opted_out_at", TypeDateTime, null, "The first time the officer opted out of SMS (reply, manager, or the carrier); empty if never.",
                "From OfficerStatusChanged to sms_opted_out and carrier opt-out errors.", r => Time(r.Dose.SmsOptedOutAt)),
            new("withdrawn_at", TypeDateTime, null, "When the officer withdrew from the study; empty if never.",
                "From OfficerStatusChanged to withdrawn.", r => Time(r.Dose.WithdrawnAt)),
            new("cross_arm_transfer", TypeBoolean, null, "1 when the officer moved, after randomization, to a sector of the other arm.",
                "From OfficerTransferred events compared with the arms of randomization.", r => Boolean(r.Dose.CrossArmTransfer)),
            new("study_status", TypeCategory, null, "The officer's current study status.",
                "Latest OfficerStatusChanged from Enrollment (active when none).", r => r.Dose.StudyStatus)
                { Values = [OfficerStatuses.Active, OfficerStatuses.SmsOptedOut, OfficerStatuses.Withdrawn, OfficerStatuses.WrongNumber, OfficerStatuses.Inactive] },
            new("study_status_at", TypeDateTime, null, "When the current study status was set; empty when it never changed.",
                "Time of the latest OfficerStatusChanged.", r => Time(r.Dose.StudyStatusAt)),
            new("current_sector_id", TypeUuid, null, "The sector the officer is in now (differs from sector_id after a transfer).",
                "Latest sector from Enrollment's enrollment and transfer events.", r => r.Dose.CurrentSectorId?.ToString()),
            new("enrolled_after_randomization", TypeBoolean, null, "1 when the officer was not on the roster when the sectors were randomized and took the arm of the sector they joined.",
                "From Enrollment's OfficerArmsAssigned for an officer enrolled into (or first placed in) an already randomized sector.",
                r => Boolean(r.Dose.EnrolledAfterRandomization)),
            new("consent", TypeBoolean, null, "The roster's consent to SMS as it stands now (0: no SMS of any kind; every reminder owed is skipped as no_consent).",
                "From the roster (OfficerEnrolled, then OfficerConsentChanged on a re-import, effective from the change); 1 for officers imported before consent was carried.",
                r => Boolean(r.Dose.Consent)),
            new("consent_since", TypeDateTime, null, "When the current consent took effect: the enrollment, or the roster re-import that changed it (reminders skipped as no_consent are the ones due after it).",
                "ChangedAt of the latest OfficerConsentChanged, else the OfficerEnrolled time; empty for officers imported before consent was carried.",
                r => Time(r.Dose.ConsentSince)),
            new("walk_in", TypeBoolean, null, "1 when the officer attended a session of a cohort they were not a member of.",
                "From attendance records of officers outside the session's cohort.", r => Boolean(r.Dose.WalkIn)),
            new("contamination", TypeBoolean, null, "1 when a control-arm officer attended a treatment training.",
                "walk_in (or membership) of a control-arm officer in a training session.", r => Boolean(r.Dose.Contamination)),
            new("training_sessions_planned", TypeInteger, "sessions", "Sessions the officer's cohort planned (not cancelled).",
                "Count of the cohort's scheduled, not cancelled sessions.", r => Integer(r.Dose.TrainingSessionsPlanned)),
            new("training_completed", TypeBoolean, null, "1 when the officer met the protocol's completion rule (every planned session attended); empty when no training was planned.",
                "training_sessions_attended ≥ training_sessions_planned > 0; empty until every cohort of the officer is closed.", r => Boolean(r.Dose.TrainingCompleted)),
            new("training_attendance_closed", TypeBoolean, null, "1 when every cohort the officer belongs to has closed its attendance, so the training columns are final.",
                "All of the officer's cohorts have a closing record; training minutes attended count closed cohorts only.", r => Boolean(r.Dose.TrainingAttendanceClosed)),
            new("reminders_undelivered", TypeInteger, "SMS", "Reminders the carrier reported undelivered.",
                "Count of reminder SMS whose final status is undelivered.", r => Integer(r.Dose.RemindersUndelivered)),
            new("reminders_pending", TypeInteger, "SMS", "Planned reminders not skipped and not final yet (due later, or sent without a final receipt).",
                "reminders_planned − reminders_skipped − reminders with a final status.", r => Integer(r.Dose.RemindersPending)),
        };
        foreach (var reason in SkipReasons.Append(OtherSkipReason))
            columns.Add(new($"reminders_skipped_{reason}", TypeInteger, "SMS", $"Reminders skipped because {SkipReasonMeanings[reason]}.",
                $"Count of the officer's skipped reminders with reason {reason}; the reminders_skipped_ columns sum to reminders_skipped.",
                r => Integer(SkippedFor(r.Dose, reason))));
        for (var k = 1; k <= reminderCount; k++)
        {
            var number = k;
            columns.Add(new($"reminder_{k}_status", TypeCategory, null, $"What happened to reminder {k}; empty when it was never planned.",
                "Latest state of the reminder's SMS: pending (due later), skipped, cancelled, accepted (sent, no final receipt yet), delivered, undelivered or failed.",
                r => Reminder(r, number)?.Status) { Values = ["pending", "skipped", "cancelled", "accepted", "delivered", "undelivered", "failed"] });
            columns.Add(new($"reminder_{k}_skip_reason", TypeString, null, $"Why reminder {k} was skipped (one of the reminders_skipped_ reasons); empty unless skipped.",
                "From ReminderSkipped or SmsRefused.", r => Reminder(r, number)?.SkipReason));
            columns.Add(new($"reminder_{k}_due_at", TypeDateTime, null, $"When reminder {k} was due (inside quiet hours, in the officer's local time zone).",
                "The Scheduler's planned due time.", r => Time(Reminder(r, number)?.DueAt)));
            columns.Add(new($"reminder_{k}_sent_at", TypeDateTime, null, $"When the provider accepted reminder {k}.",
                "SmsAccepted's time.", r => Time(Reminder(r, number)?.SentAt)));
            columns.Add(new($"reminder_{k}_delivered_at", TypeDateTime, null, $"When reminder {k} was delivered.",
                "The carrier's delivered receipt time.", r => Time(Reminder(r, number)?.DeliveredAt)));
            columns.Add(new($"reminder_{k}_acknowledged_at", TypeDateTime, null, $"When the officer acknowledged reminder {k}.",
                "Time of the first acknowledging reply matched to this reminder.", r => Time(Reminder(r, number)?.AcknowledgedAt)));
        }
        columns.AddRange(
        [
            new("logistics_sent", TypeInteger, "SMS", "Training logistics SMS (invitation, day before, change and cancellation notices) the provider accepted; not reminders.",
                "Count of logistics SMS with SmsAccepted.", r => Integer(r.Dose.LogisticsSent)),
            new("logistics_delivered", TypeInteger, "SMS", "Logistics SMS delivered.", "Count of logistics SMS whose latest status is delivered.", r => Integer(r.Dose.LogisticsDelivered)),
            new("logistics_failed", TypeInteger, "SMS", "Logistics SMS failed or undelivered.", "Count of logistics SMS whose final status is failed or undelivered.", r => Integer(r.Dose.LogisticsFailed)),
            new("snapshot_version", TypeInteger, null, "The endline snapshot this row was read from; empty when the row is live (the officer was never frozen, or ?snapshot=live).",
                "Snapshots are numbered 1, 2, ... in the order taken; a frozen row is never changed afterwards.", r => Integer(r.Snapshot?.Version)),
            new("frozen_at", TypeDateTime, null, "The instant this row's values are as of; empty for live rows.",
                "The snapshot's as_of: the start of the cohort's endline day (study time zone), or the moment of a manager's freeze. Only facts dated at or before it count, by when they happened, however late they reached the ledger (a delivery receipt dated before it counts; a reminder sent after it does not).",
                r => Time(r.Snapshot?.FrozenAt)),
            new("post_endline_events", TypeInteger, "events", "For a frozen row: how many of the officer's ledger facts happened after frozen_at, so are not in this row; empty for live rows.",
                "Count of the officer's dated ledger facts with a time after frozen_at: each SMS event (provider acceptance, status receipt, failure, refusal; reminders and logistics) at its event time, each reminder acknowledgment at the reply's time, each reminder skip, each study-status change.",
                r => Integer(r.PostEndlineEvents)),
        ]);
        return columns;
    }

    /// <summary>The number of reminders the protocol plans (0 when it has no reminders section).</summary>
    public static int ReminderCount(StudyProtocol protocol) => protocol.Reminders?.Schedule.Length ?? 0;

    static ReminderDose? Reminder(DosageExportRow row, int number)
    {
        foreach (var reminder in row.Dose.Reminders)
            if (reminder.Number == number) return reminder;
        return null;
    }

    static int SkippedFor(DosageRow dose, string reason) => reason == OtherSkipReason
        ? dose.RemindersSkippedByReason.Where(p => !SkipReasons.Contains(p.Key)).Sum(p => p.Value)
        : dose.RemindersSkippedByReason.GetValueOrDefault(reason);

    static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>The machine-readable codebook: the format and every column in order.</summary>
    public static string Json(IReadOnlyList<DosageColumn> columns, StudyProtocol protocol) => JsonSerializer.Serialize(new
    {
        file = "dosage.csv",
        protocolVersion = protocol.Version,
        format = new
        {
            encoding = "UTF-8 without BOM",
            delimiter = ",",
            lineEnding = "CRLF",
            quoting = "RFC 4180: a field holding a comma, semicolon, quote or line break is quoted; quotes doubled",
            header = true,
            missing = "empty field",
            boolean = "1 = true, 0 = false",
            datetime = "ISO 8601 in UTC with an explicit offset: yyyy-MM-ddTHH:mm:ss+00:00",
            integer = "plain digits, no thousands separators",
        },
        columns = columns.Select(c => new { name = c.Name, type = c.Type, unit = c.Unit, definition = c.Definition, derivation = c.Derivation, values = c.Values }),
    }, JsonOptions);

    /// <summary>The human-readable codebook, for the data appendix.</summary>
    public static string Markdown(IReadOnlyList<DosageColumn> columns, StudyProtocol protocol)
    {
        var md = new StringBuilder();
        md.Append($"""
            # dosage.csv — codebook

            One row per officer of both arms: the dose of training and SMS reminders each received. Pseudonymous: no
            name, phone or badge number appears in the file. Protocol version {protocol.Version}: {ReminderCount(protocol)} reminders per officer.

            ## Format

            - UTF-8 without BOM, comma-separated, CRLF line ends, one header row; quoting as RFC 4180 (a field holding a
              comma, semicolon, quote or line break is quoted, quotes doubled).
            - Missing values are empty fields.
            - Booleans are `1` (true) and `0` (false), so Stata, R and pandas read them as numbers.
            - Times are ISO 8601 in UTC with an explicit offset, `2027-03-01T16:00:00+00:00` (Mexico City is UTC−6).
            - Integers are plain digits, no thousands separators.
            - Reading it: Stata `import delimited using dosage.csv, varnames(1) encoding(utf-8) stringcols(1 2)`;
              R `read.csv("dosage.csv", na.strings = "")`; pandas `pd.read_csv("dosage.csv")`.

            ## Rows and snapshots

            By default each officer's row comes from the first snapshot that froze them: their endline (their cohort's
            endline from the protocol, or a manager's freeze for officers with no cohort, such as the control arm). A later
            snapshot does not move an officer's endline. Officers never frozen come from the live ledger (`snapshot_version`
            empty). `?snapshot=N` exports snapshot N only, `?snapshot=latest` the newest snapshot, `?snapshot=live` the live
            ledger for everyone. A frozen row holds the ledger as of `frozen_at` (its endline instant): each fact counts by
            when it happened, not when it arrived. Facts dated before the endline can arrive late (carrier receipts, an
            outage), so a snapshot settles for `Attendance:Endline:SettleHours` (default 72) after its instant, reading the
            ledger as of that instant, and is then written for good (`sealedAt` in the snapshot list); a written row never
            changes. What happened after `frozen_at` is counted in `post_endline_events`.

            ## Columns


            """);
        md.Append("| # | column | type | unit | definition | derivation |\r\n|---|---|---|---|---|---|\r\n");
        for (var i = 0; i < columns.Count; i++)
        {
            var c = columns[i];
            var definition = c.Values.Count > 0 ? $"{c.Definition} Values: {string.Join(", ", c.Values.Select(v => $"`{v}`"))}." : c.Definition;
            md.Append($"| {i + 1} | `{c.Name}` | {c.Type} | {c.Unit ?? ""} | {Cell(definition)} | {Cell(c.Derivation)} |\r\n");
        }
        return md.ToString().ReplaceLineEndings("\n");
    }

    static string Cell(string text) => text.Replace("|", "\\|");
}
