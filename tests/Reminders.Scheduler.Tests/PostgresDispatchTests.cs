using Reminders.Contracts;
using Reminders.Scheduler.Dispatch;
using Reminders.Scheduler.Tests.Infrastructure;
using Reminders.Testing;
using static Reminders.Scheduler.Tests.Infrastructure.SchedulerHost;

namespace Reminders.Scheduler.Tests;

/// <summary>
/// Two Scheduler hosts on one real PostgreSQL database (their own, dropped at the end), as when the service runs on
/// two machines: Quartz clustered in the service's schema on both, and the dispatchers of both claiming due rows with
/// FOR UPDATE SKIP LOCKED. Batches of 100, so 2,000 rows make many batches to fight over.
/// </summary>
public sealed class PostgresDispatchTests : IAsyncLifetime
{
    TestDatabase database = null!;
    SchedulerHost first = null!, second = null!;

    public async Task InitializeAsync()
    {
        database = await TestDatabase.CreateAsync("scheduler_dispatch");
        var settings = new Dictionary<string, string?> { [$"{DispatchOptions.Section}:BatchSize"] = "100" };
        first = Postgres(database.ConnectionString, settings: settings);
        second = Postgres(database.ConnectionString, settings: settings);
    }

    [Fact]
    public async Task Two_hosts_dispatching_2000_due_rows_at_once_send_every_row_exactly_once()
    {
        var sector = await first.SeedSectorAsync("N-01", StudyArms.Treatment, officers: 40);
        var rows = Enumerable.Range(0, 2000).Select(i => first.Row(sector.Officers[i % 40], first.Now.AddMilliseconds(-i))).ToArray();
        await first.AddPlannedSmsAsync(rows);

        // Four dispatch loops, two per host, released together; each host's Quartz job keeps firing beside them.
        var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var loops = new[] { first, second, first, second }.Select(host => Task.Run(async () =>
        {
            await go.Task;
            var (total, round) = (0, new DispatchRound(0, 0));
            do
            {
                round = await host.DispatchAsync();
                total += round.Dispatched;
            } while (round.Dispatched + round.Skipped > 0);
            return total;
        })).ToArray();
        go.SetResult();
        var dispatchedByLoop = await Task.WhenAll(loops);
        // A batch a Quartz job still holds commits soon after the loops find nothing left to claim.
        await EventuallyAsync("every row to be closed", async () =>
            await first.ScalarAsync<long>("SELECT COUNT(*) FROM planned_sms WHERE status = 'planned'") == 0, TimeSpan.FromSeconds(20));

        var sent = await first.SentSmsAsync();
        Assert.Empty(sent.GroupBy(s => s.Command.SmsId).Where(g => g.Count() > 1).Select(g => $"{g.Key} sent {g.Count()} times"));
        Assert.Equal(rows.Select(r => r.SmsId).Order(), sent.Select(s => s.Command.SmsId).Order());
        Assert.Equal(2000, await first.ScalarAsync<long>("SELECT COUNT(*) FROM planned_sms WHERE status = 'dispatched'"));
        Assert.True(dispatchedByLoop.Count(n => n > 0) >= 2, $"only one dispatcher got rows: {string.Join(", ", dispatchedByLoop)}");
    }

    [Fact]
    public async Task The_clustered_recurring_job_dispatches_a_due_row_without_anyone_calling_the_dispatcher()
    {
        var sector = await second.SeedSectorAsync("N-01", StudyArms.Treatment, officers: 1);
        var row = second.Row(sector.Officers[0], second.Now);
        await second.AddPlannedSmsAsync(row);

        await EventuallyAsync("the row to be dispatched", async () =>
            (await first.PlannedSmsByIdAsync(row.SmsId)).Status == PlannedSmsStatuses.Dispatched, TimeSpan.FromSeconds(20));

        Assert.Equal(row.SmsId, Assert.Single(await first.SentSmsAsync()).Command.SmsId);
    }

    public async Task DisposeAsync()
    {
        if (first is not null) await first.DisposeAsync();
        if (second is not null) await second.DisposeAsync();
        if (database is not null) await database.DisposeAsync();
    }
}
