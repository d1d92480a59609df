using Reminders.Contracts;
using Reminders.Platform.Protocol;
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
