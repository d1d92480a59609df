using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Reminders.Contracts;
using Reminders.Scheduler.Tests.Infrastructure;
using static Reminders.Scheduler.Tests.Infrastructure.SchedulerHost;

namespace Reminders.Scheduler.Tests;

/// <summary>
/// What a spreadsheet and an API client read back: a venue's plan.csv gives each session's times on its sector's wall
/// clock with the offset (09:00 reads 09:00, not 15:00), and the Location of a one-off SMS is a route that answers.
/// The clock stands on Monday 7 June 2027, 10:00 in Mexico City.
/// </summary>
public sealed class PlanFeedAndMessageTests : IAsyncLifetime
{
    SchedulerHost host = null!;

    public Task InitializeAsync()
    {
        host = Sqlite(new DateTimeOffset(2027, 6, 7, 10, 0, 0, MexicoCity));
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await host.DisposeAsync();

    [Fact]
    public async Task Plan_csv_times_are_the_sectors_wall_clock_with_its_offset()
    {
        await host.SeedSectorAsync("CDMX-01", StudyArms.Treatment, officers: 2);
        await host.SeedSectorAsync("TIJ-01", StudyArms.Treatment, officers: 2, timeZone: "America/Tijuana");
        var venue = await host.AddVenueAsync("Academia", 30);
        await host.AddTrainerAsync("Instructora Paz");
        await host.AddTrainerAsync("Instructor Soto");
        var plan = await host.PlanAsync("2027-06-14", "2027-06-30");
        Assert.Equal(2, plan.Cohorts);

        using var client = host.Client();
        var csv = await client.GetStringAsync($"/api/scheduler/venues/{venue}/plan.csv");

        var lines = csv.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        var header = lines[0].Split(',');
        var rows = lines.Skip(1).Select(l => l.Split(',')).Select(cells => header.Zip(cells).ToDictionary(p => p.First, p => p.Second)).ToList();
        Assert.Equal(6, rows.Count);
        Assert.All(rows.Where(r => r["sector"] == "CDMX-01"), r =>
        {
            Assert.Equal($"{r["date"]}T09:00:00-06:00", r["starts_at"]);
            Assert.Equal($"{r["date"]}T12:00:00-06:00", r["ends_at"]);
        });
        // Tijuana keeps US daylight saving time: UTC−7 in June.
        Assert.All(rows.Where(r => r["sector"] == "TIJ-01"), r => Assert.Equal($"{r["date"]}T09:00:00-07:00", r["starts_at"]));
    }

    [Fact]
    public async Task The_location_of_a_one_off_sms_answers_with_the_message()
    {
        var sector = await host.SeedSectorAsync("N-01", StudyArms.Treatment, officers: 1);
        var officerId = sector.Officers[0];

        var response = await host.PostAsync("/api/scheduler/messages", new { officerId, body = "Prueba de mensaje" });

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var accepted = await response.Content.ReadFromJsonAsync<JsonElement>();
        var location = response.Headers.Location;
        Assert.NotNull(location);
        using var client = host.Client();
        var followed = await client.GetAsync(location);
        Assert.True(followed.StatusCode == HttpStatusCode.OK, $"GET {location}: {(int)followed.StatusCode}");
        var message = await followed.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(accepted.GetProperty("smsId").GetGuid(), message.GetProperty("smsId").GetGuid());
        Assert.Equal(officerId, message.GetProperty("officerId").GetGuid());
        Assert.Equal("Prueba de mensaje", message.GetProperty("body").GetString());
        Assert.Equal(ManagerName, message.GetProperty("requestedBy").GetString());
        Assert.Equal($"/api/messaging/sms/{accepted.GetProperty("smsId").GetGuid()}", message.GetProperty("delivery").GetString());

        var unknown = await client.GetAsync($"/api/scheduler/messages/{Guid.NewGuid()}");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await host.Client(TrainerKey).GetAsync(location)).StatusCode);
    }
}
