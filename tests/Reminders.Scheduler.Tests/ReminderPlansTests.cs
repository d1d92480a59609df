using Reminders.Contracts;
using Reminders.Protocol;
using Reminders.Scheduler.Dispatch;
using Reminders.Scheduler.Reminders;

namespace Reminders.Scheduler.Tests;

/// <summary>
/// A CohortAttendanceClosed through the real Scheduler host plans one row per member × reminder, skipped with the reason
/// for those who may not receive them, once per officer, and publishes RemindersPlanned. The study clock reads
/// <see cref="ReminderPlansHost.StudyNow"/> (20 January 2027, 11:00 in Mexico City); each test uses its own cohort.
/// </summary>
public sealed class ReminderPlansTests(ReminderPlansHost host) : IClassFixture<ReminderPlansHost>
{
    static readonly TimeSpan Cdmx = ReminderPlansHost.Cdmx;
    /// <summary>Wednesday to Friday: the last training day is 15 January 2027.</summary>
    static readonly DateOnly[] TrainingDays = [new(2027, 1, 13), new(2027, 1, 14), new(2027, 1, 15)];

    static OfficerAttendanceTotal Attended(Guid officerId, int sessions = 3, bool walkIn = false) =>
        new(officerId, sessions * 180, 540, sessions, 3, walkIn);

    static readonly IReadOnlyDictionary<string, string> NoValues = new Dictionary<string, string>();

    async Task<(Guid Sector, Guid Cohort)> TreatmentCohortAsync(IReadOnlyList<DateOnly>? days = null, string role = StudyRoles.Officer)
    {
        var sector = await host.SectorAsync(StudyArms.Treatment);
        return (sector, await host.CohortAsync(sector, days ?? TrainingDays, role));
    }

    [Fact]
    public async Task An_eligible_treatment_officer_gets_six_planned_reminders_due_at_ten_in_Mexico_City()
    {
        var (sector, cohort) = await TreatmentCohortAsync();
        var officer = await host.OfficerAsync(sector);

        await host.CloseAsync(cohort, sector, [Attended(officer)]);
        var rows = await host.RemindersAsync(cohort, 6);

        Assert.All(rows, r =>
        {
            Assert.Equal(officer, r.OfficerId);
            Assert.Equal((PlannedSmsKinds.Reminder, SmsPurposes.Reminder), (r.Kind, r.Purpose));
            Assert.Equal((PlannedSmsStatuses.Planned, (string?)null, (DateTimeOffset?)null), (r.Status, r.Reason, r.ClosedAt));
            Assert.Equal((host.Protocol.Version, ReminderPlans.PlannedBy), (r.ProtocolVersion, r.PlannedBy));
            Assert.Equal(r.DueAt.AddDays(3), r.WindowEndsAt);
            // Day 93 after the last training day, local midnight.
            Assert.Equal(new DateTimeOffset(2027, 4, 18, 0, 0, 0, Cdmx), r.CutoffAt);
            Assert.InRange(r.PlannedAt, ReminderPlansHost.StudyNow, ReminderPlansHost.StudyNow.AddMinutes(5));
        });
        Assert.Equal([1, 2, 3, 4, 5, 6], rows.Select(r => r.ReminderNumber!.Value));
        Assert.Equal(
        [
            new DateTimeOffset(2027, 1, 22, 10, 0, 0, Cdmx), new DateTimeOffset(2027, 2, 5, 10, 0, 0, Cdmx), new DateTimeOffset(2027, 2, 19, 10, 0, 0, Cdmx),
            new DateTimeOffset(2027, 3, 5, 10, 0, 0, Cdmx), new DateTimeOffset(2027, 3, 19, 10, 0, 0, Cdmx), new DateTimeOffset(2027, 4, 2, 10, 0, 0, Cdmx),
        ], rows.Select(r => r.DueAt));
        Assert.Equal(host.Protocol.Reminders!.Schedule.Select(s => s.Template.Officer.Render(NoValues)), rows.Select(r => r.Body));
    }

    [Fact]
    public async Task An_officer_without_consent_has_every_reminder_skipped_as_no_consent_so_the_denominator_shows_them()
    {
        var (sector, cohort) = await TreatmentCohortAsync();
        var (refused, consenting) = (await host.OfficerAsync(sector), await host.OfficerAsync(sector));
        await host.ConsentAsync(refused, false);

        await host.CloseAsync(cohort, sector, [Attended(refused), Attended(consenting)]);
        var rows = await host.RemindersAsync(cohort, 12);

        Assert.All(rows.Where(r => r.OfficerId == refused), r => Assert.Equal((PlannedSmsStatuses.Skipped, SmsSkipReasons.NoConsent), (r.Status, r.Reason)));
        Assert.All(rows.Where(r => r.OfficerId == consenting), r => Assert.Equal(PlannedSmsStatuses.Planned, r.Status));
        Assert.Equal(6, rows.Count(r => r.OfficerId == refused));
    }

    [Fact]
    public async Task An_officer_randomized_to_control_who_moved_into_a_treatment_sector_is_skipped_as_arm_mismatch()
    {
        var (sector, cohort) = await TreatmentCohortAsync();
        var moved = await host.OfficerAsync(await host.SectorAsync(StudyArms.Control));
        await host.MoveAsync(moved, sector);

        await host.CloseAsync(cohort, sector, [Attended(moved)]);
        var rows = await host.RemindersAsync(cohort, 6);

        Assert.All(rows, r => Assert.Equal((PlannedSmsStatuses.Skipped, SmsSkipReasons.ArmMismatch), (r.Status, r.Reason)));
    }

    [Fact]
    public async Task An_officer_who_moved_to_a_control_sector_before_the_close_has_reminders_skipped_as_transferred_cross_arm()
    {
        var (sector, cohort) = await TreatmentCohortAsync();
        var moved = await host.OfficerAsync(sector);
        await host.MoveAsync(moved, await host.SectorAsync(StudyArms.Control));

        await host.CloseAsync(cohort, sector, [Attended(moved)]);
        var rows = await host.RemindersAsync(cohort, 6);

        Assert.All(rows, r => Assert.Equal((PlannedSmsStatuses.Skipped, SmsSkipReasons.TransferredCrossArm), (r.Status, r.Reason)));
    }

    [Fact]
    public async Task A_commanders_cohort_gets_the_commander_texts()
    {
        var (sector, cohort) = await TreatmentCohortAsync(role: StudyRoles.Commander);
        var commander = await host.OfficerAsync(sector, StudyRoles.Commander);

        await host.CloseAsync(cohort, sector, [Attended(commander)], StudyRoles.Commander);
        var rows = await host.RemindersAsync(cohort, 6);

        Assert.Equal(host.Protocol.Reminders!.Schedule.Select(s => s.Template.Commander.Render(NoValues)), rows.Select(r => r.Body));
        Assert.All(rows, r => Assert.Equal(PlannedSmsStatuses.Planned, r.Status));
    }

    [Fact]
    public async Task One_session_attended_is_enough_and_none_is_skipped_as_not_eligible()
    {
        var (sector, cohort) = await TreatmentCohortAsync();
        var (once, never) = (await host.OfficerAsync(sector), await host.OfficerAsync(sector));

        await host.CloseAsync(cohort, sector, [Attended(once, sessions: 1), Attended(never, sessions: 0)]);
        var rows = await host.RemindersAsync(cohort, 12);

        Assert.All(rows.Where(r => r.OfficerId == once), r => Assert.Equal(PlannedSmsStatuses.Planned, r.Status));
        Assert.All(rows.Where(r => r.OfficerId == never), r =>
        {
            Assert.Equal((PlannedSmsStatuses.Skipped, SmsSkipReasons.NotEligible), (r.Status, r.Reason));
            // Skipped rows are closed as soon as they are planned: nothing will pick them up.
            Assert.Equal(r.PlannedAt, r.ClosedAt);
        });
        Assert.Equal(6, rows.Count(r => r.OfficerId == never));
        Assert.Equal(1, await host.CountAsync("SELECT COUNT(*) FROM training_outcomes WHERE officer_id = @never AND eligible = 0", new { never }));
        Assert.Equal(1, await host.CountAsync("SELECT COUNT(*) FROM training_outcomes WHERE officer_id = @once AND eligible = 1", new { once }));
    }

    [Theory]
    [InlineData(OfficerStatuses.SmsOptedOut, SmsSkipReasons.OptedOut)]
    [InlineData(OfficerStatuses.Withdrawn, SmsSkipReasons.Withdrawn)]
    [InlineData(OfficerStatuses.WrongNumber, SmsSkipReasons.WrongNumber)]
    [InlineData(OfficerStatuses.Inactive, SmsSkipReasons.Inactive)]
    public async Task An_officer_who_may_not_receive_SMS_gets_skipped_rows_with_the_reason(string status, string reason)
    {
        var (sector, cohort) = await TreatmentCohortAsync();
        var officer = await host.OfficerAsync(sector, status: status);

        await host.CloseAsync(cohort, sector, [Attended(officer)]);
        var rows = await host.RemindersAsync(cohort, 6);

        Assert.All(rows, r => Assert.Equal((PlannedSmsStatuses.Skipped, reason), (r.Status, r.Reason)));
        Assert.Equal([1, 2, 3, 4, 5, 6], rows.Select(r => r.ReminderNumber!.Value));
    }

    [Fact]
    public async Task Officers_of_a_control_or_unrandomized_sector_are_skipped_as_arm_mismatch()
    {
        var control = await host.SectorAsync(StudyArms.Control);
        var unrandomized = await host.SectorAsync(arm: null);
        var cohort = await host.CohortAsync(control, TrainingDays);
        // A cohort is one sector's; the officer whose sector was never randomized is here to test the missing arm.
        var (inControl, inNone) = (await host.OfficerAsync(control), await host.OfficerAsync(unrandomized));

        await host.CloseAsync(cohort, control, [Attended(inControl), Attended(inNone)]);
        var rows = await host.RemindersAsync(cohort, 12);

        Assert.All(rows, r => Assert.Equal((PlannedSmsStatuses.Skipped, SmsSkipReasons.ArmMismatch), (r.Status, r.Reason)));
    }

    [Fact]
    public async Task A_walk_in_gets_no_rows_from_the_cohort_they_visited_but_their_outcome_is_recorded()
    {
        var (sector, cohort) = await TreatmentCohortAsync();
        var (member, walkIn) = (await host.OfficerAsync(sector), await host.OfficerAsync(await host.SectorAsync()));

        var messageId = await host.CloseAsync(cohort, sector, [Attended(member), Attended(walkIn, walkIn: true)]);
        await host.WaitConsumedAsync(messageId);

        var rows = await host.RemindersAsync(cohort);
        Assert.Equal(6, rows.Count);
        Assert.All(rows, r => Assert.Equal(member, r.OfficerId));
        Assert.Equal(0, await host.CountAsync("SELECT COUNT(*) FROM planned_sms WHERE officer_id = @walkIn", new { walkIn }));
        Assert.Equal(1, await host.CountAsync("SELECT COUNT(*) FROM training_outcomes WHERE officer_id = @walkIn AND walk_in = 1 AND eligible = 0", new { walkIn }));
    }

    [Fact]
    public async Task Reminders_whose_late_window_has_passed_are_skipped_as_missed_window_and_a_late_one_still_open_is_planned()
    {
        // Last training day Monday 2 November 2026: reminders due 9 November … 18 January 2027, each open three days.
        var (sector, cohort) = await TreatmentCohortAsync([new(2026, 10, 29), new(2026, 10, 30), new(2026, 11, 2)]);
        var officer = await host.OfficerAsync(sector);

        await host.CloseAsync(cohort, sector, [Attended(officer)]);
        var rows = await host.RemindersAsync(cohort, 6);

        Assert.Equal(new DateTimeOffset(2026, 11, 9, 10, 0, 0, Cdmx), rows[0].DueAt);
        Assert.Equal([.. Enumerable.Repeat(SmsSkipReasons.MissedWindow, 5), null], rows.Select(r => r.Reason));
        Assert.Equal([.. Enumerable.Repeat(PlannedSmsStatuses.Skipped, 5), PlannedSmsStatuses.Planned], rows.Select(r => r.Status));
        // Reminder 6 was due on 18 January and may go until the 21st: planned although already due.
        Assert.Equal(new DateTimeOffset(2027, 1, 21, 10, 0, 0, Cdmx), rows[5].WindowEndsAt);
        Assert.True(rows[5].DueAt < ReminderPlansHost.StudyNow);
    }

    [Fact]
    public async Task A_cancelled_session_is_not_the_last_training_day()
    {
        var sector = await host.SectorAsync();
        var cohort = await host.CohortAsync(sector, TrainingDays, cancelled: [TrainingDays[2]]);
        var officer = await host.OfficerAsync(sector);

        await host.CloseAsync(cohort, sector, [Attended(officer, sessions: 2)]);
        var rows = await host.RemindersAsync(cohort, 6);

        // Last day held: Thursday 14 January.
        Assert.Equal(new DateTimeOffset(2027, 1, 21, 10, 0, 0, Cdmx), rows[0].DueAt);
        Assert.Equal(new DateTimeOffset(2027, 4, 17, 0, 0, 0, Cdmx), rows[0].CutoffAt);
    }

    [Fact]
    public async Task RemindersPlanned_carries_one_entry_per_row_skipped_ones_included()
    {
        var (sector, cohort) = await TreatmentCohortAsync();
        var eligible = await host.OfficerAsync(sector);
        var optedOut = await host.OfficerAsync(sector, status: OfficerStatuses.SmsOptedOut);
        var absent = await host.OfficerAsync(sector);

        await host.CloseAsync(cohort, sector, [Attended(eligible), Attended(optedOut), Attended(absent, sessions: 0)]);
        var rows = await host.RemindersAsync(cohort, 18);
        var planned = await host.PlannedEventAsync(cohort);

        Assert.Equal(host.Protocol.Version, planned.ProtocolVersion);
        Assert.Equal(rows[0].PlannedAt, planned.PlannedAt);
        Assert.Equal(
            rows.Select(r => (r.SmsId, r.OfficerId, r.ReminderNumber!.Value, r.DueAt, r.Status, r.Reason)).OrderBy(e => e.SmsId),
            planned.Reminders.Select(p => (p.SmsId, p.OfficerId, p.Number, p.DueAt, p.Status, p.Reason)).OrderBy(e => e.SmsId));
        Assert.Equal(6, planned.Reminders.Count(p => p.Reason == SmsSkipReasons.OptedOut));
        Assert.Equal(6, planned.Reminders.Count(p => p.Reason == SmsSkipReasons.NotEligible));
    }

    [Fact]
    public async Task A_second_closing_plans_only_the_officers_not_planned_before()
    {
        var (sector, cohort) = await TreatmentCohortAsync();
        var (first, added) = (await host.OfficerAsync(sector), await host.OfficerAsync(sector));

        await host.CloseAsync(cohort, sector, [Attended(first)]);
        var before = await host.RemindersAsync(cohort, 6);
        await host.PlannedEventAsync(cohort);
        var again = await host.CloseAsync(cohort, sector, [Attended(first), Attended(added)]);
        await host.WaitConsumedAsync(again);

        var rows = await host.RemindersAsync(cohort);
        Assert.Equal(12, rows.Count);
        Assert.Equal(before.Select(r => r.SmsId).Order(), rows.Where(r => r.OfficerId == first).Select(r => r.SmsId).Order());
        Assert.Equal(6, rows.Count(r => r.OfficerId == added && r.Status == PlannedSmsStatuses.Planned));
        await ReminderPlansHost.Eventually(() => Task.FromResult(host.PlannedEvents(cohort).Count == 2), "the second RemindersPlanned");
        Assert.All(host.PlannedEvents(cohort)[1].Reminders, p => Assert.Equal(added, p.OfficerId));
    }

    [Fact]
    public async Task An_officer_planned_by_another_cohorts_closing_is_not_planned_twice()
    {
        var (sector, earlier) = await TreatmentCohortAsync();
        var later = await host.CohortAsync(sector, [new(2027, 1, 18), new(2027, 1, 19), new(2027, 1, 20)]);
        var officer = await host.OfficerAsync(sector);

        await host.CloseAsync(earlier, sector, [Attended(officer)]);
        await host.RemindersAsync(earlier, 6);
        var second = await host.CloseAsync(later, sector, [Attended(officer)]);
        await host.WaitConsumedAsync(second);

        Assert.Empty(await host.RemindersAsync(later));
        Assert.Equal(6, await host.CountAsync("SELECT COUNT(*) FROM planned_sms WHERE officer_id = @officer", new { officer }));
        Assert.Equal(1, await host.CountAsync("SELECT COUNT(*) FROM training_outcomes WHERE officer_id = @officer AND cohort_id = @later", new { officer, later }));
    }

    [Fact]
    public async Task A_redelivered_closing_is_handled_once()
    {
        var (sector, cohort) = await TreatmentCohortAsync();
        var officer = await host.OfficerAsync(sector);

        var messageId = await host.CloseAsync(cohort, sector, [Attended(officer)]);
        await host.CloseAsync(cohort, sector, [Attended(officer)], messageId: messageId);
        await host.WaitConsumedAsync(messageId, times: 2);

        Assert.Equal(6, (await host.RemindersAsync(cohort)).Count);
        Assert.Equal(1, await host.CountAsync(
            "SELECT COUNT(*) FROM inbox_messages WHERE message_id = @messageId AND consumer = 'CohortAttendanceClosedConsumer'", new { messageId }));
        await host.PlannedEventAsync(cohort);
        await ReminderPlansHost.Eventually(async () => await host.CountAsync("SELECT COUNT(*) FROM outbox_messages") == 0, "an empty outbox");
        Assert.Single(host.PlannedEvents(cohort));
    }

    [Fact]
    public async Task Closing_again_plans_the_newly_eligible_and_skips_the_pending_reminders_of_the_no_longer_eligible()
    {
        var (sector, cohort) = await TreatmentCohortAsync();
        var (corrected, absent) = (await host.OfficerAsync(sector), await host.OfficerAsync(sector));
        var first = await host.CloseAsync(cohort, sector, [Attended(corrected, sessions: 0), Attended(absent)], closedAt: ReminderPlansHost.StudyNow.AddMinutes(-30));
        await host.WaitConsumedAsync(first);
        var before = await host.RemindersAsync(cohort, 12);
        Assert.All(before.Where(r => r.OfficerId == corrected), r => Assert.Equal(SmsSkipReasons.NotEligible, r.Reason));

        // Reopened and corrected in Attendance: the first officer attended a session, the second none after all.
        var second = await host.CloseAsync(cohort, sector, [Attended(corrected, sessions: 1), Attended(absent, sessions: 0)], closedAt: ReminderPlansHost.StudyNow.AddMinutes(-10));
        await host.WaitConsumedAsync(second);

        var rows = await host.RemindersAsync(cohort);
        Assert.Equal(before.Select(r => r.SmsId).Order(), rows.Select(r => r.SmsId).Order());
        Assert.All(rows.Where(r => r.OfficerId == corrected), r => Assert.Equal((PlannedSmsStatuses.Planned, (string?)null), (r.Status, r.Reason)));
        Assert.All(rows.Where(r => r.OfficerId == absent), r => Assert.Equal((PlannedSmsStatuses.Skipped, SmsSkipReasons.NotEligible), (r.Status, r.Reason)));
        Assert.Equal(before.Where(r => r.OfficerId == corrected).Select(r => r.DueAt), rows.Where(r => r.OfficerId == corrected).Select(r => r.DueAt));
        Assert.Equal(1, await host.CountAsync("SELECT eligible FROM training_outcomes WHERE officer_id = @corrected AND cohort_id = @cohort", new { corrected, cohort }));
        Assert.Equal(0, await host.CountAsync("SELECT eligible FROM training_outcomes WHERE officer_id = @absent AND cohort_id = @cohort", new { absent, cohort }));

        // A closing older than the one applied (a late redelivery) changes nothing.
        var stale = await host.CloseAsync(cohort, sector, [Attended(corrected, sessions: 0), Attended(absent)], closedAt: ReminderPlansHost.StudyNow.AddMinutes(-20));
        await host.WaitConsumedAsync(stale);
        Assert.Equal(rows.Select(r => (r.SmsId, r.Status, r.Reason)), (await host.RemindersAsync(cohort)).Select(r => (r.SmsId, r.Status, r.Reason)));
        Assert.Equal(1, await host.CountAsync("SELECT eligible FROM training_outcomes WHERE officer_id = @corrected AND cohort_id = @cohort", new { corrected, cohort }));
    }
}

/// <summary>A protocol whose endline is a fixed date, 28 March 2027: the cut-off is 21 March, 00:00 in Mexico City.</summary>
public sealed class FixedEndlineHost() : ReminderPlansHost(json =>
{
    const string offset = "\"endline\": { \"offsetDays\": 100 }";
    if (!json.Contains(offset, StringComparison.Ordinal)) throw new InvalidOperationException("The default protocol no longer has " + offset);
    return json.Replace(offset, "\"endline\": { \"date\": \"2027-03-28\" }", StringComparison.Ordinal);
});

/// <summary>Reminders planned under a protocol with a fixed endline date.</summary>
public sealed class ReminderPlansAfterCutoffTests(FixedEndlineHost host) : IClassFixture<FixedEndlineHost>
{
    static readonly DateTimeOffset Cutoff = new(2027, 3, 21, 0, 0, 0, ReminderPlansHost.Cdmx);

    [Fact]
    public async Task Reminders_due_from_the_fixed_cutoff_on_are_skipped_as_after_cutoff()
    {
        var sector = await host.SectorAsync();
        var cohort = await host.CohortAsync(sector, [new(2027, 1, 13), new(2027, 1, 14), new(2027, 1, 15)]);
        var officer = await host.OfficerAsync(sector);

        await host.CloseAsync(cohort, sector, [new OfficerAttendanceTotal(officer, 540, 540, 3, 3, false)]);
        var rows = await host.RemindersAsync(cohort, 6);

        Assert.Equal([null, null, null, null, null, SmsSkipReasons.AfterCutoff], rows.Select(r => r.Reason));
        Assert.All(rows, r => Assert.Equal(Cutoff, r.CutoffAt));
        // Reminder 5 (19 March) may go late only until the cut-off.
        Assert.Equal(Cutoff, rows[4].WindowEndsAt);
    }

    [Fact]
    public async Task A_later_cohort_has_more_reminders_after_the_same_cutoff()
    {
        var sector = await host.SectorAsync();
        var cohort = await host.CohortAsync(sector, [new(2027, 2, 11), new(2027, 2, 12), new(2027, 2, 15)]);
        var officer = await host.OfficerAsync(sector);

        await host.CloseAsync(cohort, sector, [new OfficerAttendanceTotal(officer, 540, 540, 3, 3, false)]);
        var rows = await host.RemindersAsync(cohort, 6);

        // Due 22 February, 8 March, then 22 March onwards: from the cut-off on.
        Assert.Equal([null, null, .. Enumerable.Repeat(SmsSkipReasons.AfterCutoff, 4)], rows.Select(r => r.Reason));
        Assert.All(rows, r => Assert.Equal(Cutoff, r.CutoffAt));
    }
}
