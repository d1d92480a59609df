using System.Net.Http.Json;
using Reminders.Contracts;
using Reminders.Scheduler.Dispatch;
using Reminders.Scheduler.Tests.Infrastructure;
using static Reminders.Scheduler.Tests.Infrastructure.SchedulerHost;

namespace Reminders.Scheduler.Tests;

/// <summary>
/// What the delivery monitor and the console's home read from <c>GET /api/scheduler/dispatch</c>: the rows due now by zone,
/// each either going in the next round or deferred by quiet hours until the window opens there, and today's reminders.
/// The study clock stands on Monday 7 June 2027 at 08:30 in Tijuana (09:30 in Mexico City).
/// </summary>
public sealed class DispatchStatusTests : IAsyncLifetime
{
    static readonly TimeSpan Tijuana = TimeSpan.FromHours(-7);
    SchedulerHost host = null!;

    public async Task InitializeAsync() => host = Sqlite(new DateTimeOffset(2027, 6, 7, 8, 30, 0, Tijuana));

    [Fact]
    public async Task Rows_due_in_a_zone_still_in_quiet_hours_are_deferred_until_its_window_opens_and_todays_reminders_are_counted()
    {
        var cdmx = await host.SeedSectorAsync("CDMX-01", StudyArms.Treatment, officers: 2);
        var tijuana = await host.SeedSectorAsync("TIJ-01", StudyArms.Treatment, officers: 1, timeZone: "America/Tijuana");
        await host.AddPlannedSmsAsync(
            host.Row(cdmx.Officers[0], host.Now.AddMinutes(-1)),
            host.Row(tijuana.Officers[0], host.Now.AddMinutes(-2)),
            host.Row(cdmx.Officers[0], new DateTimeOffset(2027, 6, 7, 18, 0, 0, MexicoCity), kind: PlannedSmsKinds.Reminder),
            host.Row(cdmx.Officers[1], new DateTimeOffset(2027, 6, 8, 10, 0, 0, MexicoCity), kind: PlannedSmsKinds.Reminder));

        using var client = host.Client();
        var status = (await client.GetFromJsonAsync<DispatchApi.DispatchStatus>("/api/scheduler/dispatch"))!;

        Assert.Equal(2, status.Due);
        Assert.Collection(status.DueByZone!,
            mexicoCity =>
            {
                Assert.Equal(new DispatchApi.DueInZone("America/Mexico_City", 1, true, host.Now), mexicoCity);
            },
            baja =>
            {
                Assert.Equal("America/Tijuana", baja.Zone);
                Assert.Equal(1, baja.Due);
                Assert.False(baja.WindowOpen);
                Assert.Equal(new DateTimeOffset(2027, 6, 7, 9, 0, 0, Tijuana), baja.WindowOpensAt);
            });
        var today = status.RemindersToday!;
        Assert.Equal(("2027-06-07", "America/Mexico_City", 1L), (today.Date, today.Zone, today.Total));
        Assert.Equal(1, today.ByStatus["planned"]);
    }

    public async Task DisposeAsync() => await host.DisposeAsync();
}
