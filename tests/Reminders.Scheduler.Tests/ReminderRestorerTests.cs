using System.Text.Json;
using Dapper;
using Reminders.Contracts;
using Microsoft.Extensions.DependencyInjection;
using Reminders.Platform.Data;
using Reminders.Protocol;
using Reminders.Scheduler.Dispatch;
using Reminders.Scheduler.Reminders;
using Reminders.Scheduler.Tests.Infrastructure;
using Reminders.Testing;

namespace Reminders.Scheduler.Tests;

/// <summary>
/// The one primitive that lifts skip reasons from an officer's reminders: each is planned again at its original due time
/// when that is still ahead, sent at once (late) when its late window is still open, or else skipped missed_window; the
/// dosage ledger is told with ReminderRestored or ReminderSkipped. Monday 2 November 2026, 10:00 in Mexico City; on
/// SQLite and on PostgreSQL.
/// </summary>
public sealed class ReminderRestorerTests : IAsyncLifetime
{
    TestDatabase? database;

    async Task<SchedulerHost> HostAsync(bool postgres)
    {
        if (!postgres) return SchedulerHost.Sqlite();
        database = await TestDatabase.CreateAsync("scheduler_restorer");
        return SchedulerHost.Postgres(database.ConnectionString, recurringDispatch: false);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (database is not null) await database.DisposeAsync();
    }

    static PlannedSms Skipped(SchedulerHost host, Guid officerId, int number, DateTimeOffset dueAt, DateTimeOffset windowEndsAt, string reason) =>
        host.Row(officerId, dueAt, windowEndsAt, cutoffAt: host.Now.AddDays(60), kind: PlannedSmsKinds.Reminder) with
        {
            ReminderNumber = number, Purpose = SmsPurposes.Reminder, Status = PlannedSmsStatuses.Skipped, Reason = reason, PlannedAt = host.Now.AddDays(-10),
        };

    static async Task<RestoredReminders> RestoreAsync(SchedulerHost host, IReadOnlyCollection<Guid> officers, params string[] reasons)
    {
        await using var work = await host.Database.BeginAsync();
        var result = await ReminderRestorer.RestoreAsync(work, officers, reasons.ToHashSet(), host.Services.GetRequiredService<StudyProtocol>(), host.Now, CancellationToken.None);
        await work.CommitAsync();
        return result;
    }

    static async Task<IReadOnlyList<T>> PublishedAsync<T>(SchedulerHost host)
    {
        await using var connection = await host.Database.OpenAsync();
        var bodies = await connection.QueryAsync<string>("SELECT body FROM outbox_messages WHERE message_type = @type ORDER BY id", new { type = typeof(T).FullName });
        return bodies.Select(b => JsonSerializer.Deserialize<T>(b, OutboxJson.Options)!).ToList();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_lifted_reminder_is_planned_at_its_due_time_sent_late_in_its_window_or_skipped_missed_window(bool postgres)
    {
        await using var host = await HostAsync(postgres);
        var sector = await host.SeedSectorAsync("R-01", StudyArms.Treatment, officers: 2);
        var (officer, other) = (sector.Officers[0], sector.Officers[1]);
        var now = host.Now;
        PlannedSms passed = Skipped(host, officer, 1, now.AddDays(-5), now.AddDays(-2), SmsSkipReasons.OptedOut),
            windowOpen = Skipped(host, officer, 2, now.AddDays(-1), now.AddDays(2), SmsSkipReasons.OptedOut),
            ahead = Skipped(host, officer, 3, now.AddDays(10), now.AddDays(13), SmsSkipReasons.OptedOut),
            otherReason = Skipped(host, officer, 4, now.AddDays(20), now.AddDays(23), SmsSkipReasons.AfterCutoff),
            otherOfficer = Skipped(host, other, 3, now.AddDays(10), now.AddDays(13), SmsSkipReasons.OptedOut);
        await host.AddPlannedSmsAsync(passed, windowOpen, ahead, otherReason, otherOfficer);

        var result = await RestoreAsync(host, [officer], SmsSkipReasons.OptedOut, SmsSkipReasons.WrongNumber);

        Assert.Equal(new RestoredReminders(Planned: 1, DueNow: 1, MissedWindow: 1, StillSkipped: 0), result);
        var rows = (await host.PlannedSmsAsync()).ToDictionary(r => r.SmsId);
        Assert.Equal((PlannedSmsStatuses.Skipped, SmsSkipReasons.MissedWindow), (rows[passed.SmsId].Status, rows[passed.SmsId].Reason));
        foreach (var restored in new[] { windowOpen, ahead })
            Assert.Equal((PlannedSmsStatuses.Planned, (string?)null, restored.DueAt), (rows[restored.SmsId].Status, rows[restored.SmsId].Reason, rows[restored.SmsId].DueAt));
        Assert.Equal((PlannedSmsStatuses.Skipped, SmsSkipReasons.AfterCutoff), (rows[otherReason.SmsId].Status, rows[otherReason.SmsId].Reason));
        Assert.Equal((PlannedSmsStatuses.Skipped, SmsSkipReasons.OptedOut), (rows[otherOfficer.SmsId].Status, rows[otherOfficer.SmsId].Reason));
        Assert.DoesNotContain(rows.Values, r => r.Status == PlannedSmsStatuses.Cancelled);

        // The ledger hears of each: restored at the original due time, or skipped with the new reason.
        Assert.Equal([(windowOpen.SmsId, 2, windowOpen.DueAt, SmsSkipReasons.OptedOut, now), (ahead.SmsId, 3, ahead.DueAt, SmsSkipReasons.OptedOut, now)],
            (await PublishedAsync<ReminderRestored>(host)).Select(e => (e.SmsId, e.Number, e.DueAt, e.LiftedReason, e.RestoredAt)).OrderBy(e => e.Number));
        Assert.Equal((passed.SmsId, 1, SmsSkipReasons.MissedWindow, now),
            Assert.Single(await PublishedAsync<ReminderSkipped>(host)) is var s ? (s.SmsId, s.Number, s.Reason, s.SkippedAt) : default);

        // The one still inside its window goes at once, marked late; the one ahead waits for its due time.
        Assert.Equal(1, (await host.DispatchAsync()).Dispatched);
        var sent = await host.PlannedSmsByIdAsync(windowOpen.SmsId);
        Assert.Equal((PlannedSmsStatuses.Dispatched, true), (sent.Status, sent.Late));
        Assert.Equal(windowOpen.SmsId, Assert.Single(await host.SentSmsAsync()).Command.SmsId);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_reminder_whose_officer_is_still_blocked_is_skipped_with_the_reason_that_holds_now(bool postgres)
    {
        await using var host = await HostAsync(postgres);
        var sector = await host.SeedSectorAsync("R-02", StudyArms.Treatment, officers: 1);
        var officer = sector.Officers[0];
        await host.ChangeStatusAsync(officer, OfficerStatuses.SmsOptedOut);
        var notEligible = Skipped(host, officer, 1, host.Now.AddDays(10), host.Now.AddDays(13), SmsSkipReasons.NotEligible);
        var optedOut = Skipped(host, officer, 2, host.Now.AddDays(20), host.Now.AddDays(23), SmsSkipReasons.OptedOut);
        await host.AddPlannedSmsAsync(notEligible, optedOut);

        var result = await RestoreAsync(host, [officer], SmsSkipReasons.NotEligible, SmsSkipReasons.OptedOut);

        Assert.Equal(new RestoredReminders(0, 0, 0, StillSkipped: 2), result);
        Assert.All(await host.PlannedSmsAsync(), r => Assert.Equal((PlannedSmsStatuses.Skipped, SmsSkipReasons.OptedOut), (r.Status, r.Reason)));
        // Only the row whose reason changed is news to the ledger.
        Assert.Equal((notEligible.SmsId, SmsSkipReasons.OptedOut), Assert.Single(await PublishedAsync<ReminderSkipped>(host)) is var s ? (s.SmsId, s.Reason) : default);
        Assert.Empty(await PublishedAsync<ReminderRestored>(host));
    }
}
