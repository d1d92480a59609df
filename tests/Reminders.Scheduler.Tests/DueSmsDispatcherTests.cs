using Reminders.Contracts;
using Reminders.Scheduler.Dispatch;
using Reminders.Scheduler.Tests.Infrastructure;
using static Reminders.Scheduler.Tests.Infrastructure.SchedulerHost;

namespace Reminders.Scheduler.Tests;

/// <summary>
/// The dispatcher against the real host on SQLite: due rows become one SendSms each in the outbox, in the same transaction
/// that marks them dispatched; rows that can no longer be sent are skipped with the reason; quiet hours make rows wait.
/// Batches of 10, so a few dozen rows already take several batches.
/// </summary>
public sealed class DueSmsDispatcherTests : IAsyncLifetime
{
    SchedulerHost host = null!;
    SeededSector sector = null!;

    public async Task InitializeAsync()
    {
        host = Sqlite(settings: new Dictionary<string, string?> { [$"{DispatchOptions.Section}:BatchSize"] = "10" });
        sector = await host.SeedSectorAsync("N-01", StudyArms.Treatment, officers: 3);
    }

    Guid Officer(int i) => sector.Officers[i];

    [Fact]
    public async Task A_due_row_becomes_exactly_one_SendSms_with_the_rows_sms_id_and_the_row_is_marked_dispatched()
    {
        var row = host.Row(Officer(0), dueAt: host.Now);
        await host.AddPlannedSmsAsync(row);

        Assert.Equal(new DispatchRound(1, 0), await host.DispatchAsync());

        var sent = Assert.Single(await host.SentSmsAsync());
        Assert.Equal(QueueNames.SendSms, sent.Destination);
        Assert.Equal(new SendSms(row.SmsId, row.OfficerId, SmsPurposes.Logistics, row.Body, host.Now), sent.Command);
        var stored = await host.PlannedSmsByIdAsync(row.SmsId);
        Assert.Equal(PlannedSmsStatuses.Dispatched, stored.Status);
        Assert.Equal(host.Now, stored.DispatchedAt);
        Assert.Null(stored.Reason);
        Assert.False(stored.Late);
    }

    [Fact]
    public async Task A_row_not_yet_due_stays_planned_until_its_due_time()
    {
        var row = host.Row(Officer(0), dueAt: host.Now.AddMinutes(30));
        await host.AddPlannedSmsAsync(row);

        Assert.Equal(new DispatchRound(0, 0), await host.DispatchAsync());
        host.Clock.Advance(TimeSpan.FromMinutes(29));
        Assert.Equal(new DispatchRound(0, 0), await host.DispatchAsync());
        Assert.Equal(PlannedSmsStatuses.Planned, (await host.PlannedSmsByIdAsync(row.SmsId)).Status);
        Assert.Empty(await host.SentSmsAsync());

        host.Clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(new DispatchRound(1, 0), await host.DispatchAsync());
        Assert.Equal(row.SmsId, Assert.Single(await host.SentSmsAsync()).Command.SmsId);
    }

    [Fact]
    public async Task Outside_quiet_hours_due_rows_wait_and_go_out_when_the_window_opens_at_09_00()
    {
        host.Clock.SetUtcNow(Local(2026, 11, 2, 20, 0)); // the window is [09:00, 20:00)
        var rows = Enumerable.Range(0, 25).Select(i => host.Row(Officer(i % 3), dueAt: Local(2026, 11, 2, 19, 30).AddSeconds(i))).ToArray();
        await host.AddPlannedSmsAsync(rows);

        Assert.Equal(new DispatchRound(0, 0), await host.DispatchAsync());
        host.Clock.SetUtcNow(Local(2026, 11, 3, 8, 59));
        Assert.Equal(new DispatchRound(0, 0), await host.DispatchAsync());
        Assert.Empty(await host.SentSmsAsync());
        Assert.All(await host.PlannedSmsAsync(), p => Assert.Equal(PlannedSmsStatuses.Planned, p.Status));

        host.Clock.SetUtcNow(Local(2026, 11, 3, 9, 0));
        Assert.Equal(new DispatchRound(25, 0), await host.DispatchAsync());
        Assert.Equal(rows.Select(r => r.SmsId).Order(), (await host.SentSmsAsync()).Select(s => s.Command.SmsId).Order());
    }

    [Fact]
    public async Task Nothing_is_dispatched_in_the_last_five_minutes_of_the_sending_window()
    {
        host.Clock.SetUtcNow(Local(2026, 11, 2, 19, 54));
        var (early, late) = (host.Row(Officer(0), dueAt: Local(2026, 11, 2, 19, 50)), host.Row(Officer(1), dueAt: Local(2026, 11, 2, 19, 55)));
        await host.AddPlannedSmsAsync(early);
        Assert.Equal(new DispatchRound(1, 0), await host.DispatchAsync());

        host.Clock.SetUtcNow(Local(2026, 11, 2, 19, 55));
        await host.AddPlannedSmsAsync(late);
        Assert.Equal(new DispatchRound(0, 0), await host.DispatchAsync());

        host.Clock.SetUtcNow(Local(2026, 11, 3, 9, 0));
        Assert.Equal(new DispatchRound(1, 0), await host.DispatchAsync());
        Assert.Equal(new[] { early.SmsId, late.SmsId }, (await host.SentSmsAsync()).Select(s => s.Command.SmsId));
    }

    [Fact]
    public async Task A_row_past_its_window_end_is_skipped_as_missed_window_and_never_sent()
    {
        var row = host.Row(Officer(0), dueAt: host.Now.AddHours(-2), windowEndsAt: host.Now.AddMinutes(-1));
        await host.AddPlannedSmsAsync(row);

        Assert.Equal(new DispatchRound(0, 1), await host.DispatchAsync());
        Assert.Equal(new DispatchRound(0, 0), await host.DispatchAsync());

        var stored = await host.PlannedSmsByIdAsync(row.SmsId);
        Assert.Equal((PlannedSmsStatuses.Skipped, SmsSkipReasons.MissedWindow), (stored.Status, stored.Reason));
        Assert.Null(stored.DispatchedAt);
        Assert.Empty(await host.SentSmsAsync());
    }

    [Fact]
    public async Task A_row_held_by_quiet_hours_past_its_window_end_is_skipped_as_missed_window_when_they_end()
    {
        // A change notice about a session that starts at 08:00, due just after the window closed.
        host.Clock.SetUtcNow(Local(2026, 11, 2, 20, 30));
        var row = host.Row(Officer(0), dueAt: Local(2026, 11, 2, 20, 10), windowEndsAt: Local(2026, 11, 3, 8, 0), kind: PlannedSmsKinds.ChangeNotice);
        await host.AddPlannedSmsAsync(row);
        Assert.Equal(new DispatchRound(0, 0), await host.DispatchAsync());

        host.Clock.SetUtcNow(Local(2026, 11, 3, 9, 0));
        Assert.Equal(new DispatchRound(0, 1), await host.DispatchAsync());
        Assert.Equal(SmsSkipReasons.MissedWindow, (await host.PlannedSmsByIdAsync(row.SmsId)).Reason);
        Assert.Empty(await host.SentSmsAsync());
    }

    [Fact]
    public async Task A_row_due_after_its_cutoff_is_skipped_as_after_cutoff()
    {
        var row = host.Row(Officer(0), dueAt: host.Now.AddMinutes(-5), cutoffAt: host.Now, kind: PlannedSmsKinds.Reminder);
        await host.AddPlannedSmsAsync(row);

        Assert.Equal(new DispatchRound(0, 1), await host.DispatchAsync());
        var stored = await host.PlannedSmsByIdAsync(row.SmsId);
        Assert.Equal((PlannedSmsStatuses.Skipped, SmsSkipReasons.AfterCutoff), (stored.Status, stored.Reason));
        Assert.Empty(await host.SentSmsAsync());
    }

    [Theory]
    [InlineData(OfficerStatuses.SmsOptedOut, SmsSkipReasons.OptedOut)]
    [InlineData(OfficerStatuses.Withdrawn, SmsSkipReasons.Withdrawn)]
    public async Task A_status_change_closes_the_officers_pending_rows_as_skipped_with_the_reason_and_leaves_sent_ones_and_others_alone(string status, string reason)
    {
        var sentBefore = host.Row(Officer(0), dueAt: host.Now);
        await host.AddPlannedSmsAsync(sentBefore);
        await host.DispatchAsync();
        var (soon, tomorrow, colleague) = (host.Row(Officer(0), host.Now.AddHours(1)), host.Row(Officer(0), host.Now.AddDays(1)), host.Row(Officer(1), host.Now.AddHours(1)));
        await host.AddPlannedSmsAsync(soon, tomorrow, colleague);

        await host.ChangeStatusAsync(Officer(0), status);

        foreach (var closed in new[] { soon, tomorrow })
        {
            var stored = await host.PlannedSmsByIdAsync(closed.SmsId);
            Assert.Equal((PlannedSmsStatuses.Skipped, reason), (stored.Status, stored.Reason));
        }
        Assert.Equal(PlannedSmsStatuses.Dispatched, (await host.PlannedSmsByIdAsync(sentBefore.SmsId)).Status);
        Assert.Equal(PlannedSmsStatuses.Planned, (await host.PlannedSmsByIdAsync(colleague.SmsId)).Status);

        host.Clock.Advance(TimeSpan.FromDays(1));
        Assert.Equal(new DispatchRound(1, 0), await host.DispatchAsync());
        Assert.Equal(new[] { sentBefore.SmsId, colleague.SmsId }, (await host.SentSmsAsync()).Select(s => s.Command.SmsId));
    }

    [Theory]
    [InlineData(OfficerStatuses.SmsOptedOut, SmsSkipReasons.OptedOut)]
    [InlineData(OfficerStatuses.Withdrawn, SmsSkipReasons.Withdrawn)]
    [InlineData(OfficerStatuses.WrongNumber, SmsSkipReasons.WrongNumber)]
    [InlineData(OfficerStatuses.Inactive, SmsSkipReasons.Inactive)]
    public async Task The_dispatcher_skips_a_due_row_of_an_officer_no_longer_active_with_the_reason(string status, string reason)
    {
        // The status arrived first; a row planned afterwards (or by a planner that raced the event) is caught at send time.
        await host.ChangeStatusAsync(Officer(0), status);
        var row = host.Row(Officer(0), dueAt: host.Now);
        await host.AddPlannedSmsAsync(row);

        Assert.Equal(new DispatchRound(0, 1), await host.DispatchAsync());
        var stored = await host.PlannedSmsByIdAsync(row.SmsId);
        Assert.Equal((PlannedSmsStatuses.Skipped, reason), (stored.Status, stored.Reason));
        Assert.Empty(await host.SentSmsAsync());
    }

    [Fact]
    public async Task A_row_for_an_officer_outside_the_treatment_arm_is_skipped_as_arm_mismatch()
    {
        var control = await host.SeedSectorAsync("C-01", StudyArms.Control, officers: 1);
        var unrandomizedSector = Guid.NewGuid();
        await host.PublishAsync(new SectorRegistered(unrandomizedSector, "U-01", "Sector sin sorteo", host.Now));
        var unrandomized = await host.EnrollAsync(unrandomizedSector);
        var rows = new[] { host.Row(control.Officers[0], host.Now), host.Row(unrandomized, host.Now), host.Row(Officer(0), host.Now) };
        await host.AddPlannedSmsAsync(rows);

        Assert.Equal(new DispatchRound(1, 2), await host.DispatchAsync());

        Assert.Equal(SmsSkipReasons.ArmMismatch, (await host.PlannedSmsByIdAsync(rows[0].SmsId)).Reason);
        Assert.Equal(SmsSkipReasons.ArmMismatch, (await host.PlannedSmsByIdAsync(rows[1].SmsId)).Reason);
        Assert.Equal(Officer(0), Assert.Single(await host.SentSmsAsync()).Command.OfficerId);
    }

    [Fact]
    public async Task A_row_sent_more_than_15_minutes_after_it_was_due_is_marked_late()
    {
        var (onTime, fifteen, sixteen, hours) = (host.Row(Officer(0), host.Now), host.Row(Officer(0), host.Now.AddMinutes(-15)),
            host.Row(Officer(1), host.Now.AddMinutes(-16)), host.Row(Officer(2), host.Now.AddHours(-3)));
        await host.AddPlannedSmsAsync(onTime, fifteen, sixteen, hours);

        Assert.Equal(new DispatchRound(4, 0), await host.DispatchAsync());

        Assert.False((await host.PlannedSmsByIdAsync(onTime.SmsId)).Late);
        Assert.False((await host.PlannedSmsByIdAsync(fifteen.SmsId)).Late);
        Assert.True((await host.PlannedSmsByIdAsync(sixteen.SmsId)).Late);
        Assert.True((await host.PlannedSmsByIdAsync(hours.SmsId)).Late);
    }

    [Fact]
    public async Task Dispatching_again_or_concurrently_never_sends_a_row_twice()
    {
        var rows = Enumerable.Range(0, 60).Select(i => host.Row(Officer(i % 3), host.Now.AddSeconds(-i))).ToArray();
        await host.AddPlannedSmsAsync(rows);

        var rounds = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(host.DispatchAsync)));
        Assert.Equal(60, rounds.Sum(r => r.Dispatched));
        Assert.Equal(new DispatchRound(0, 0), await host.DispatchAsync());

        var sent = await host.SentSmsAsync();
        Assert.Equal(60, sent.Count);
        Assert.Equal(rows.Select(r => r.SmsId).Order(), sent.Select(s => s.Command.SmsId).Order());
        Assert.All(await host.PlannedSmsAsync(), p => Assert.Equal(PlannedSmsStatuses.Dispatched, p.Status));
    }

    [Fact]
    public async Task A_transferred_officer_has_pending_rows_cancelled_as_transferred()
    {
        var row = host.Row(Officer(0), host.Now.AddHours(1));
        await host.AddPlannedSmsAsync(row);

        await host.PublishAsync(new OfficerTransferred(Officer(0), sector.SectorId, Guid.NewGuid(), CrossArm: true, new DateOnly(2026, 11, 2), host.Now));
        await EventuallyAsync("the transfer to close the row", async () => (await host.PlannedSmsByIdAsync(row.SmsId)).Status != PlannedSmsStatuses.Planned);

        var stored = await host.PlannedSmsByIdAsync(row.SmsId);
        Assert.Equal((PlannedSmsStatuses.Cancelled, SmsSkipReasons.Transferred), (stored.Status, stored.Reason));
        host.Clock.Advance(TimeSpan.FromHours(1));
        Assert.Equal(new DispatchRound(0, 0), await host.DispatchAsync());
    }

    [Theory]
    [InlineData(2, 1, 1)]
    [InlineData(1, 2, 1)]
    [InlineData(2, null, 2)]
    [InlineData(null, 3, 3)]
    public async Task The_SendSms_carries_the_end_of_the_rows_late_window_the_earlier_of_window_end_and_cutoff(int? windowHours, int? cutoffHours, int sendByHours)
    {
        var row = host.Row(Officer(0), dueAt: host.Now, windowEndsAt: host.Now.AddHours(windowHours ?? 0), cutoffAt: host.Now.AddHours(cutoffHours ?? 0));
        row = row with { WindowEndsAt = windowHours is null ? null : row.WindowEndsAt, CutoffAt = cutoffHours is null ? null : row.CutoffAt };
        await host.AddPlannedSmsAsync(row);

        Assert.Equal(new DispatchRound(1, 0), await host.DispatchAsync());

        Assert.Equal(host.Now.AddHours(sendByHours), Assert.Single(await host.SentSmsAsync()).Command.SendBy);
    }

    [Fact]
    public async Task A_dispatched_row_Messaging_held_past_its_late_window_is_skipped_missed_window_and_other_refusals_leave_it_dispatched()
    {
        var (missed, refused) = (host.Row(Officer(0), host.Now, windowEndsAt: host.Now.AddHours(1)), host.Row(Officer(1), host.Now));
        await host.AddPlannedSmsAsync(missed, refused);
        Assert.Equal(new DispatchRound(2, 0), await host.DispatchAsync());

        await host.PublishAsync(new SmsRefused(refused.SmsId, refused.OfficerId, SmsPurposes.Logistics, SmsSkipReasons.OptedOut, host.Now));
        await host.PublishAsync(new SmsRefused(missed.SmsId, missed.OfficerId, SmsPurposes.Logistics, SmsSkipReasons.MissedWindow, host.Now.AddHours(15)));
        await EventuallyAsync("the missed window to close the row", async () => (await host.PlannedSmsByIdAsync(missed.SmsId)).Status != PlannedSmsStatuses.Dispatched);

        var stored = await host.PlannedSmsByIdAsync(missed.SmsId);
        Assert.Equal((PlannedSmsStatuses.Skipped, SmsSkipReasons.MissedWindow), (stored.Status, stored.Reason));
        Assert.Equal(host.Now.AddHours(15), await host.ScalarAsync<DateTimeOffset>("SELECT closed_at FROM planned_sms WHERE sms_id = @SmsId", missed));
        // An opt-out is the officer's state, which the Scheduler learns from Enrollment: the row stays as dispatched.
        Assert.Equal((PlannedSmsStatuses.Dispatched, null), ((await host.PlannedSmsByIdAsync(refused.SmsId)).Status, (await host.PlannedSmsByIdAsync(refused.SmsId)).Reason));
    }

    public async Task DisposeAsync() => await host.DisposeAsync();
}
