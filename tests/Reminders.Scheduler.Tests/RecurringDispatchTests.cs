using Reminders.Contracts;
using Reminders.Scheduler.Dispatch;
using Reminders.Scheduler.Tests.Infrastructure;
using static Reminders.Scheduler.Tests.Infrastructure.SchedulerHost;

namespace Reminders.Scheduler.Tests;

/// <summary>The Quartz job as configured (every 200 ms here): nobody calls the dispatcher, planned SMS still go out when due.</summary>
public sealed class RecurringDispatchTests : IAsyncLifetime
{
    SchedulerHost host = null!;

    public Task InitializeAsync()
    {
        host = Sqlite(recurringDispatch: true, settings: new Dictionary<string, string?> { [$"{DispatchOptions.Section}:IntervalMilliseconds"] = "200" });
        return Task.CompletedTask;
    }

    [Fact]
    public async Task The_recurring_job_sends_new_invitations_within_seconds_and_the_day_before_reminders_once_their_time_comes()
    {
        var sector = await host.SeedSectorAsync("N-01", StudyArms.Treatment, officers: 3);
        await host.AddVenueAsync("Sede Norte", 30);
        await host.AddTrainerAsync("Instructora Paz");
        var plan = await host.PlanAsync("2026-11-09", "2026-11-20");
        Assert.Equal(3, plan.Invitations);

        await EventuallyAsync("the invitations to be dispatched", async () =>
            (await host.PlannedSmsAsync()).Count(p => p.Status == PlannedSmsStatuses.Dispatched) == 3, TimeSpan.FromSeconds(10));
        var invitations = await host.SentSmsAsync();
        Assert.Equal(sector.Officers.Order(), invitations.Select(s => s.Command.OfficerId).Order());
        Assert.All(invitations, s => Assert.StartsWith("Curso de Justicia Procedimental", s.Command.Body));

        host.Clock.SetUtcNow(Local(2026, 11, 8, 18, 0));
        await EventuallyAsync("the day-before reminders to be dispatched", async () =>
            (await host.PlannedSmsAsync()).All(p => p.Status == PlannedSmsStatuses.Dispatched), TimeSpan.FromSeconds(10));
        Assert.Equal(6, (await host.SentSmsAsync()).Count);
    }

    public async Task DisposeAsync() => await host.DisposeAsync();
}
