using Reminders.Contracts;
using Reminders.Protocol;
using Reminders.Scheduler.Dispatch;
using Reminders.Scheduler.Tests.Infrastructure;
using static Reminders.Scheduler.Tests.Infrastructure.SchedulerHost;

namespace Reminders.Scheduler.Tests;

/// <summary>
/// What the Scheduler does with pending rows when an officer's study facts change: a transfer within the arm keeps the
/// reminders, one across arms follows <c>transfers.crossArm</c>, consent withdrawn skips everything as no_consent, and an
/// officer randomized to control is never sent anything wherever they are now.
/// </summary>
public sealed class StudyIntegrityDispatchTests : IAsyncLifetime
{
    SchedulerHost host = null!;
    SeededSector treatment = null!;
    SeededSector otherTreatment = null!;
    SeededSector control = null!;

    public async Task InitializeAsync()
    {
        host = Sqlite();
        treatment = await host.SeedSectorAsync("T-01", StudyArms.Treatment, officers: 3);
        otherTreatment = await host.SeedSectorAsync("T-02", StudyArms.Treatment, officers: 1);
        control = await host.SeedSectorAsync("C-01", StudyArms.Control, officers: 1);
    }

    async Task<(PlannedSms Reminder, PlannedSms Logistics)> PendingAsync(Guid officerId)
    {
        var (reminder, logistics) = (host.Row(officerId, host.Now.AddHours(1), kind: PlannedSmsKinds.Reminder), host.Row(officerId, host.Now.AddHours(1)));
        await host.AddPlannedSmsAsync(reminder, logistics);
        return (reminder, logistics);
    }

    async Task<(string Status, string? Reason)> StateAsync(PlannedSms row)
    {
        var stored = await host.PlannedSmsByIdAsync(row.SmsId);
        return (stored.Status, stored.Reason);
    }

    async Task TransferAsync(Guid officerId, Guid from, Guid to, bool crossArm)
    {
        await host.PublishAsync(new OfficerTransferred(officerId, from, to, crossArm, DateOnly.FromDateTime(host.Now.UtcDateTime), host.Now));
        await EventuallyAsync("the transfer", async () => await host.ScalarAsync<string>("SELECT sector_id FROM officers WHERE officer_id = @officerId",
            new { officerId }) is { } sector && Guid.Parse(sector) == to);
    }

    [Fact]
    public async Task A_transfer_within_the_arm_keeps_the_reminders_and_cancels_only_the_old_trainings_logistics()
    {
        var officer = treatment.Officers[0];
        var (reminder, logistics) = await PendingAsync(officer);

        await TransferAsync(officer, treatment.SectorId, otherTreatment.SectorId, crossArm: false);

        Assert.Equal((PlannedSmsStatuses.Planned, (string?)null), await StateAsync(reminder));
        Assert.Equal((PlannedSmsStatuses.Cancelled, SmsSkipReasons.Transferred), await StateAsync(logistics));
        host.Clock.Advance(TimeSpan.FromHours(1));
        Assert.Equal(new DispatchRound(1, 0), await host.DispatchAsync());
        Assert.Equal(reminder.SmsId, Assert.Single(await host.SentSmsAsync()).Command.SmsId);
    }

    [Fact]
    public async Task A_transfer_across_arms_skips_the_reminders_as_transferred_cross_arm_by_default_so_they_stay_owed()
    {
        var officer = treatment.Officers[1];
        var (reminder, logistics) = await PendingAsync(officer);

        await TransferAsync(officer, treatment.SectorId, control.SectorId, crossArm: true);

        Assert.Equal((PlannedSmsStatuses.Skipped, SmsSkipReasons.TransferredCrossArm), await StateAsync(reminder));
        Assert.Equal((PlannedSmsStatuses.Cancelled, SmsSkipReasons.Transferred), await StateAsync(logistics));
    }

    [Fact]
    public async Task Consent_withdrawn_on_the_roster_skips_every_pending_sms_as_no_consent_and_nothing_is_dispatched()
    {
        var officer = treatment.Officers[2];
        var (reminder, logistics) = await PendingAsync(officer);

        await host.PublishAsync(new OfficerConsentChanged(officer, Consent: false, host.Now));
        await EventuallyAsync("the consent change", async () => (await StateAsync(reminder)).Status != PlannedSmsStatuses.Planned);

        Assert.Equal((PlannedSmsStatuses.Skipped, SmsSkipReasons.NoConsent), await StateAsync(reminder));
        Assert.Equal((PlannedSmsStatuses.Skipped, SmsSkipReasons.NoConsent), await StateAsync(logistics));
        host.Clock.Advance(TimeSpan.FromHours(1));
        Assert.Equal(new DispatchRound(0, 0), await host.DispatchAsync());
    }

    [Fact]
    public async Task A_row_for_an_officer_randomized_to_control_and_now_in_a_treatment_sector_is_skipped_as_arm_mismatch()
    {
        var officer = control.Officers[0];
        await TransferAsync(officer, control.SectorId, otherTreatment.SectorId, crossArm: true);
        var row = host.Row(officer, host.Now);
        await host.AddPlannedSmsAsync(row);

        Assert.Equal(new DispatchRound(0, 1), await host.DispatchAsync());
        Assert.Equal((PlannedSmsStatuses.Skipped, SmsSkipReasons.ArmMismatch), await StateAsync(row));
        Assert.Empty(await host.SentSmsAsync());
    }

    public async Task DisposeAsync() => await host.DisposeAsync();
}

/// <summary>With <c>transfers.crossArm: continue</c>, an officer randomized to treatment keeps their reminders in a control sector.</summary>
public sealed class CrossArmContinueTests : IAsyncLifetime
{
    readonly string protocolFile = Path.Combine(Path.GetTempPath(), $"protocol-continue-{Guid.NewGuid():N}.json");
    SchedulerHost host = null!;

    public async Task InitializeAsync()
    {
        await File.WriteAllTextAsync(protocolFile, ProtocolLoader.DefaultJson().Replace("\"crossArm\": \"stop\"", "\"crossArm\": \"continue\""));
        host = Sqlite(settings: new Dictionary<string, string?> { [ProtocolLoader.PathKey] = protocolFile });
    }

    [Fact]
    public async Task A_transfer_across_arms_keeps_the_reminders_and_they_are_sent()
    {
        var treatment = await host.SeedSectorAsync("T-09", StudyArms.Treatment, officers: 1);
        var control = await host.SeedSectorAsync("C-09", StudyArms.Control, officers: 1);
        var officer = treatment.Officers[0];
        var reminder = host.Row(officer, host.Now.AddHours(1), kind: PlannedSmsKinds.Reminder);
        await host.AddPlannedSmsAsync(reminder);

        await host.PublishAsync(new OfficerTransferred(officer, treatment.SectorId, control.SectorId, CrossArm: true, DateOnly.FromDateTime(host.Now.UtcDateTime), host.Now));
        await EventuallyAsync("the transfer", async () => Guid.Parse(await host.ScalarAsync<string>("SELECT sector_id FROM officers WHERE officer_id = @officer", new { officer })) == control.SectorId);
        host.Clock.Advance(TimeSpan.FromHours(1));

        Assert.Equal(new DispatchRound(1, 0), await host.DispatchAsync());
        Assert.Equal(reminder.SmsId, Assert.Single(await host.SentSmsAsync()).Command.SmsId);
    }

    public async Task DisposeAsync()
    {
        await host.DisposeAsync();
        File.Delete(protocolFile);
    }
}

/// <summary>
/// Opting back in restores what is still owed, with the planned reminders themselves: after an opt-out (or a wrong
/// number, or consent withdrawn) and its way back, a reminder still ahead is planned at its original due time, one whose
/// late window is open goes now, and one whose window has passed is skipped missed_window. None is left cancelled.
/// </summary>
public sealed class OptingBackInTests : IAsyncLifetime
{
    SchedulerHost host = null!;
    SeededSector sector = null!;

    public async Task InitializeAsync()
    {
        host = Sqlite();
        sector = await host.SeedSectorAsync("R-01", StudyArms.Treatment, officers: 3);
    }

    /// <summary>Three reminders: one whose window has passed, one due an hour ago whose late window is open, one due tomorrow.</summary>
    async Task<PlannedSms[]> RemindersAsync(Guid officerId)
    {
        PlannedSms Reminder(int number, DateTimeOffset due, DateTimeOffset windowEnds) =>
            host.Row(officerId, due, windowEnds, cutoffAt: host.Now.AddDays(60), kind: PlannedSmsKinds.Reminder) with { ReminderNumber = number };
        var rows = new[]
        {
            Reminder(1, host.Now.AddDays(-5), host.Now.AddDays(-2)),
            Reminder(2, host.Now.AddHours(-1), host.Now.AddDays(2)),
            Reminder(3, host.Now.AddDays(1), host.Now.AddDays(4)),
        };
        await host.AddPlannedSmsAsync(rows);
        return rows;
    }

    async Task<(string Status, string? Reason, DateTimeOffset DueAt)> StateAsync(PlannedSms row)
    {
        var stored = await host.PlannedSmsByIdAsync(row.SmsId);
        return (stored.Status, stored.Reason, stored.DueAt);
    }

    async Task ChangeAsync(Guid officerId, string status, string previous)
    {
        await host.PublishAsync(new OfficerStatusChanged(officerId, status, previous, "keyword", host.Now));
        await EventuallyAsync($"status {status}", async () => await host.ScalarAsync<string?>("SELECT status FROM officer_statuses WHERE officer_id = @officerId", new { officerId }) == status);
    }

    [Theory]
    [InlineData(OfficerStatuses.SmsOptedOut)]
    [InlineData(OfficerStatuses.WrongNumber)]
    public async Task Back_to_active_restores_each_reminder_by_its_window(string status)
    {
        var officer = status == OfficerStatuses.SmsOptedOut ? sector.Officers[0] : sector.Officers[1];
        var rows = await RemindersAsync(officer);
        await ChangeAsync(officer, status, OfficerStatuses.Active);
        await EventuallyAsync("the reminders skipped", async () => (await StateAsync(rows[2])).Status == PlannedSmsStatuses.Skipped);

        await ChangeAsync(officer, OfficerStatuses.Active, status);
        await EventuallyAsync("the reminders restored", async () => (await StateAsync(rows[2])).Status == PlannedSmsStatuses.Planned);

        var (missed, late, ahead) = (await StateAsync(rows[0]), await StateAsync(rows[1]), await StateAsync(rows[2]));
        Assert.Equal((PlannedSmsStatuses.Skipped, SmsSkipReasons.MissedWindow), (missed.Status, missed.Reason));
        Assert.Equal((PlannedSmsStatuses.Planned, (string?)null), (late.Status, late.Reason));
        Assert.Equal((PlannedSmsStatuses.Planned, (string?)null, rows[2].DueAt), ahead);
        Assert.Equal(new DispatchRound(1, 0), await host.DispatchAsync());
        Assert.Equal(rows[1].SmsId, Assert.Single(await host.SentSmsAsync()).Command.SmsId);
    }

    [Fact]
    public async Task Consent_given_again_on_the_roster_restores_the_reminders_still_owed()
    {
        var officer = sector.Officers[2];
        var rows = await RemindersAsync(officer);
        await host.PublishAsync(new OfficerConsentChanged(officer, false, host.Now));
        await EventuallyAsync("the reminders skipped", async () => (await StateAsync(rows[2])).Status == PlannedSmsStatuses.Skipped);

        await host.PublishAsync(new OfficerConsentChanged(officer, true, host.Now.AddSeconds(1)));
        await EventuallyAsync("the reminders restored", async () => (await StateAsync(rows[2])).Status == PlannedSmsStatuses.Planned);

        var missed = await StateAsync(rows[0]);
        Assert.Equal((PlannedSmsStatuses.Skipped, SmsSkipReasons.MissedWindow), (missed.Status, missed.Reason));
        Assert.Equal(PlannedSmsStatuses.Planned, (await StateAsync(rows[1])).Status);
    }

    public async Task DisposeAsync() => await host.DisposeAsync();
}
