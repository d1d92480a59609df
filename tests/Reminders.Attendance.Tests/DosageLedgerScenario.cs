using System.Net.Http.Json;
using Reminders.Attendance.Tests.Infrastructure;
using Reminders.Contracts;
using static Reminders.Attendance.Tests.Infrastructure.AttendanceHost;

namespace Reminders.Attendance.Tests;

/// <summary>
/// A small study whose true doses are known, fed to Attendance event by event in an awkward order. Sectors: T1 and T2
/// (treatment), C1 (control). Cohort CH (T1, three 09:00–12:00 sessions) is attended and closed; cohort CH2 (T2, three
/// 09:00–13:00 commander sessions) is still open.
/// <list type="bullet">
/// <item>A (T1): all sessions. Reminder 1's receipts arrive before the plan and out of order (delivered, a retried delivered,
/// accepted, a late sent) and it is acknowledged; 2 is delivered and acknowledged twice (the earlier reply wins) and its
/// acceptance is replayed; 3 undelivered; 4 failed at the provider; 5 refused by Messaging (quiet hours); 6 accepted only.
/// Logistics: an invitation delivered, a day-before undelivered; a manual SMS and a reply counted in neither.</item>
/// <item>B (T1): sessions 1–2. Reminders 1–2 delivered, then opts out (3–6 skipped opted_out; the skip of 6 arrives before
/// the plan), opts in, and opts out again.</item>
/// <item>T (T1, commander): all sessions, one late. Reminder 1 delivered; transferred to C1 (cross-arm): under the protocol's
/// default (transfers.crossArm: stop) 2–6 are skipped transferred_cross_arm, still owed.</item>
/// <item>W (C1, control): walks in to session 1 (contamination); the Scheduler planned 6 reminders skipped arm_mismatch.</item>
/// <item>D (T2, commander): member of the open cohort; withdrawn.</item>
/// <item>K (C1): nothing at all.</item>
/// </list>
/// </summary>
public sealed class DosageLedgerScenario
{
    public static readonly DateTimeOffset RandomizedAt = Local(2026, 10, 26, 10, 0);
    public static readonly DateTimeOffset ClosedAt = Local(2026, 11, 5, 10, 0);
    public const string StratumT1 = "zone=Centro;size=large";
    public const string StratumT2 = "zone=Norte;size=small";
    public const string StratumC1 = "zone=Centro;size=small";

    public Guid T1 { get; } = Guid.NewGuid();
    public Guid T2 { get; } = Guid.NewGuid();
    public Guid C1 { get; } = Guid.NewGuid();
    public Guid A { get; } = Guid.NewGuid();
    public Guid B { get; } = Guid.NewGuid();
    public Guid T { get; } = Guid.NewGuid();
    public Guid W { get; } = Guid.NewGuid();
    public Guid D { get; } = Guid.NewGuid();
    public Guid K { get; } = Guid.NewGuid();
    public Guid Cohort { get; } = Guid.NewGuid();
    public Guid OpenCohort { get; } = Guid.NewGuid();
    public Guid[] Sessions { get; } = [Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid()];

    /// <summary>Reminder k's SMS id per officer (index 0 = reminder 1).</summary>
    public Dictionary<Guid, Guid[]> Reminder { get; } = new();
    public Guid Invitation { get; } = Guid.NewGuid();
    public Guid DayBefore { get; } = Guid.NewGuid();
    public Guid Manual { get; } = Guid.NewGuid();
    public Guid ReplySms { get; } = Guid.NewGuid();

    public static DateTimeOffset Due(int k) => Local(2026, 11, 9, 10, 0).AddDays(7 * (k - 1));
    public static DateTimeOffset SessionStart(int day) => Local(2026, 11, 1 + day, 9, 0);
    public static DateTimeOffset OptedOutAt => Due(2).AddDays(1);
    public static DateTimeOffset OptedInAt => Due(3).AddDays(1);
    public static DateTimeOffset OptedOutAgainAt => Due(4).AddDays(1);
    public static DateTimeOffset WithdrawnAt => Local(2026, 11, 20, 12, 0);
    public static DateTimeOffset TransferredAt => Due(1).AddDays(2);

    /// <summary>Messaging's SMS events come as <see cref="SmsEventsBatch"/> messages, as its outbox relay sends them, not one by one.</summary>
    public bool BatchSmsEvents { get; init; }

    readonly List<SmsEvent> heldSmsEvents = [];

    /// <summary>The acceptance of A's reminder 2, kept to deliver it again.</summary>
    public Guid ReplayedMessageId { get; private set; }

    public DosageLedgerScenario()
    {
        foreach (var officer in new[] { A, B, T, W }) Reminder[officer] = Enumerable.Range(0, 6).Select(_ => Guid.NewGuid()).ToArray();
    }

    public async Task FeedAsync(AttendanceHost host)
    {
        await DeliverAsync(host, new SectorsRandomized(Guid.CreateVersion7(RandomizedAt), 7,
            [new SectorArm(T1, StudyArms.Treatment, StratumT1), new SectorArm(T2, StudyArms.Treatment, StratumT2), new SectorArm(C1, StudyArms.Control, StratumC1)],
            RandomizedAt));
        foreach (var (officer, sector, role) in new[] { (A, T1, "officer"), (B, T1, "officer"), (T, T1, "commander"), (W, C1, "officer"), (D, T2, "commander"), (K, C1, "officer") })
            await DeliverAsync(host, new OfficerEnrolled(officer, sector, role, RandomizedAt.AddDays(-10)));

        // Training: cohort CH with three sessions, attended and closed; cohort CH2 still open.
        for (var day = 1; day <= 3; day++)
        {
            await DeliverAsync(host, new TrainingSessionScheduled(Sessions[day - 1], Cohort, T1, "officer", day, DateOnly.FromDateTime(SessionStart(day).DateTime),
                SessionStart(day), SessionStart(day).AddHours(3), "Sede Centro", Guid.NewGuid(), "v-test", RandomizedAt));
            await DeliverAsync(host, new TrainingSessionScheduled(Guid.NewGuid(), OpenCohort, T2, "commander", day, DateOnly.FromDateTime(SessionStart(day + 7).DateTime),
                SessionStart(day + 7), SessionStart(day + 7).AddHours(4), "Sede Norte", Guid.NewGuid(), "v-test", RandomizedAt));
        }
        await DeliverAsync(host, new CohortMembersChanged(Cohort, T1, "officer", [A, B, T], RandomizedAt));
        await DeliverAsync(host, new CohortMembersChanged(OpenCohort, T2, "commander", [D], RandomizedAt));

        await AttendAsync(host, A, 1, 0, 180); await AttendAsync(host, A, 2, 0, 180); await AttendAsync(host, A, 3, 0, 180);
        await AttendAsync(host, B, 1, 0, 180); await AttendAsync(host, B, 2, 0, 180);
        await AttendAsync(host, T, 1, 30, 180); await AttendAsync(host, T, 2, 0, 180); await AttendAsync(host, T, 3, 0, 180);
        await AttendAsync(host, W, 1, 0, 180);
        var close = await host.PostAsync($"/api/attendance/cohorts/{Cohort}/close", new { }, ManagerKey);
        Assert.True(close.IsSuccessStatusCode, await close.Content.ReadAsStringAsync());

        // A's reminder 1: receipts before the plan, out of order, one retried.
        var a = Reminder[A];
        await DeliverAsync(host, Status(A, a[0], "delivered", Due(1).AddMinutes(2)));
        await DeliverAsync(host, Status(A, a[0], "delivered", Due(1).AddMinutes(2)));
        await DeliverAsync(host, Accepted(A, a[0], Due(1).AddSeconds(5)));
        await DeliverAsync(host, Status(A, a[0], "sent", Due(1).AddMinutes(1)));
        // B's last skip arrives before the plan too.
        await DeliverAsync(host, new ReminderSkipped(Reminder[B][5], B, 6, SmsSkipReasons.OptedOut, Due(6)));

        await DeliverAsync(host, new RemindersPlanned(Cohort, "v-test",
            new[] { A, B, T }.SelectMany(o => Enumerable.Range(1, 6).Select(k => new PlannedReminder(Reminder[o][k - 1], o, k, Due(k), "planned", null)))
                .Concat(Enumerable.Range(1, 6).Select(k => new PlannedReminder(Reminder[W][k - 1], W, k, Due(k), "skipped", SmsSkipReasons.ArmMismatch)))
                .ToList(), ClosedAt));

        await DeliverAsync(host, new ReminderAcknowledged(a[0], A, "OK", Due(1).AddHours(1)));
        ReplayedMessageId = await DeliverAsync(host, Accepted(A, a[1], Due(2).AddSeconds(5)));
        await DeliverAsync(host, Status(A, a[1], "delivered", Due(2).AddMinutes(1)));
        await DeliverAsync(host, new ReminderAcknowledged(a[1], A, "SI", Due(2).AddHours(3)));
        await DeliverAsync(host, new ReminderAcknowledged(a[1], A, "RECIBIDO", Due(2).AddHours(2)));
        await DeliverAsync(host, Accepted(A, a[1], Due(2).AddSeconds(5)), ReplayedMessageId);
        await DeliverAsync(host, Accepted(A, a[2], Due(3).AddSeconds(5)));
        await DeliverAsync(host, Status(A, a[2], "undelivered", Due(3).AddMinutes(1), 30003));
        await DeliverAsync(host, new SmsFailed(a[3], A, SmsPurposes.Reminder, 21211, "invalid number", Due(4)));
        await DeliverAsync(host, new SmsRefused(a[4], A, SmsPurposes.Reminder, "quiet_hours", Due(5)));
        await DeliverAsync(host, Accepted(A, a[5], Due(6).AddSeconds(5)));
        await DeliverAsync(host, Accepted(A, Invitation, RandomizedAt.AddDays(1), SmsPurposes.Logistics));
        await DeliverAsync(host, Status(A, Invitation, "delivered", RandomizedAt.AddDays(1).AddMinutes(1), purpose: SmsPurposes.Logistics));
        await DeliverAsync(host, Accepted(A, DayBefore, SessionStart(1).AddHours(-15), SmsPurposes.Logistics));
        await DeliverAsync(host, Status(A, DayBefore, "undelivered", SessionStart(1).AddHours(-14), 30005, SmsPurposes.Logistics));
        await DeliverAsync(host, Accepted(A, Manual, Due(1).AddDays(3), SmsPurposes.Manual));
        await DeliverAsync(host, Status(A, Manual, "delivered", Due(1).AddDays(3).AddMinutes(1), purpose: SmsPurposes.Manual));
        await DeliverAsync(host, Accepted(A, ReplySms, Due(1).AddDays(4), SmsPurposes.Reply));

        // B: two reminders delivered, then opts out, in, and out again.
        var b = Reminder[B];
        for (var k = 1; k <= 2; k++)
        {
            await DeliverAsync(host, Accepted(B, b[k - 1], Due(k).AddSeconds(5)));
            await DeliverAsync(host, Status(B, b[k - 1], "delivered", Due(k).AddMinutes(1)));
        }
        await DeliverAsync(host, new OfficerStatusChanged(B, OfficerStatuses.SmsOptedOut, OfficerStatuses.Active, "keyword", OptedOutAt));
        for (var k = 3; k <= 5; k++) await DeliverAsync(host, new ReminderSkipped(b[k - 1], B, k, SmsSkipReasons.OptedOut, Due(k)));
        await DeliverAsync(host, new OfficerStatusChanged(B, OfficerStatuses.Active, OfficerStatuses.SmsOptedOut, "keyword", OptedInAt));
        await DeliverAsync(host, new OfficerStatusChanged(B, OfficerStatuses.SmsOptedOut, OfficerStatuses.Active, "keyword", OptedOutAgainAt));

        // T: one reminder delivered, then moved to a control sector: the rest are skipped, and stay in the denominator.
        var t = Reminder[T];
        await DeliverAsync(host, Accepted(T, t[0], Due(1).AddSeconds(5)));
        await DeliverAsync(host, Status(T, t[0], "delivered", Due(1).AddMinutes(3)));
        await DeliverAsync(host, new OfficerTransferred(T, T1, C1, true, DateOnly.FromDateTime(TransferredAt.DateTime), TransferredAt));
        for (var k = 2; k <= 6; k++) await DeliverAsync(host, new ReminderSkipped(t[k - 1], T, k, SmsSkipReasons.TransferredCrossArm, TransferredAt));

        await DeliverAsync(host, new OfficerStatusChanged(D, OfficerStatuses.Withdrawn, OfficerStatuses.Active, "manager", WithdrawnAt));
        await DeliverBatchAsync(host);
    }

    /// <summary>
    /// Delivers one event; with <see cref="BatchSmsEvents"/>, Messaging's SMS events are held and delivered together as one
    /// <see cref="SmsEventsBatch"/> when any other event comes (as the outbox relay groups them), each with its own message id.
    /// </summary>
    async Task<Guid> DeliverAsync<T>(AttendanceHost host, T message, Guid? messageId = null) where T : class
    {
        if (BatchSmsEvents && message is SmsAccepted or SmsStatusChanged or SmsFailed)
        {
            var id = messageId ?? Guid.NewGuid();
            heldSmsEvents.Add(message switch
            {
                SmsAccepted accepted => new SmsEvent(id, Accepted: accepted),
                SmsStatusChanged changed => new SmsEvent(id, StatusChanged: changed),
                _ => new SmsEvent(id, Failed: message as SmsFailed),
            });
            return id;
        }
        await DeliverBatchAsync(host);
        return await host.DeliverAsync(message, messageId);
    }

    async Task DeliverBatchAsync(AttendanceHost host)
    {
        if (heldSmsEvents.Count == 0) return;
        await host.DeliverAsync(new SmsEventsBatch([.. heldSmsEvents]));
        heldSmsEvents.Clear();
    }

    static SmsAccepted Accepted(Guid officer, Guid sms, DateTimeOffset at, string purpose = SmsPurposes.Reminder) =>
        new(sms, officer, purpose, $"SM{sms:N}", 1, at);

    static SmsStatusChanged Status(Guid officer, Guid sms, string status, DateTimeOffset at, int? errorCode = null, string purpose = SmsPurposes.Reminder) =>
        new(sms, officer, purpose, status, errorCode, at);

    async Task AttendAsync(AttendanceHost host, Guid officer, int day, int lateMinutes, int leaveAfterMinutes)
    {
        var start = SessionStart(day);
        foreach (var (kind, at) in new[] { ("check_in", start.AddMinutes(lateMinutes)), ("check_out", start.AddMinutes(leaveAfterMinutes)) })
        {
            var response = await host.PostAsync($"/api/attendance/sessions/{Sessions[day - 1]}/events", new { officerId = officer, kind, at }, TrainerKey);
            Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        }
    }
}
