using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Reminders.Platform.Auth;
using Reminders.ProviderSimulator.Log;

namespace Reminders.EndToEnd.Tests;

/// <summary>Planning trainings in the one-process host: treatment sectors only, a dry run writes nothing, invitations reach officers.</summary>
public sealed class TrainingPlanTests(SeededLocalHostFixture seeded) : IClassFixture<SeededLocalHostFixture>
{
    readonly LocalHostFixture host = seeded.Host;

    HttpClient Manager()
    {
        var client = new HttpClient { BaseAddress = new Uri(host.Url) };
        client.DefaultRequestHeaders.Add("X-Api-Key", host.ApiKey(Roles.Manager));
        return client;
    }

    async Task<HttpResponseMessage> PlanAsync(object body) => await Manager().PostAsJsonAsync("/api/scheduler/plans", body);

    async Task EnsureResourcesAsync()
    {
        using var client = Manager();
        await client.PostAsJsonAsync("/api/scheduler/venues", new { name = "Academia de Policía, Aula 3", capacity = 30 });
        await client.PostAsJsonAsync("/api/scheduler/trainers", new { name = "Mtra. Ruiz" });
    }

    string[] Sectors(string arm) => seeded.Flow.ArmBySector.Where(p => p.Value == arm).Select(p => p.Key).Order().ToArray();

    [Fact]
    public async Task Planning_a_control_sector_is_refused_naming_it()
    {
        await EnsureResourcesAsync();
        var response = await PlanAsync(new { from = "2026-12-01", to = "2026-12-31", sectorCodes = Sectors("control") });
        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("sectorCodes", problem.GetProperty("field").GetString());
        Assert.Contains(Sectors("control")[0], problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task A_dry_run_shows_the_plan_and_writes_nothing_then_the_plan_is_recorded_and_every_officer_invited_once()
    {
        await EnsureResourcesAsync();
        var dry = await (await PlanAsync(new { from = "2026-12-01", to = "2026-12-31", dryRun = true })).Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(dry.GetProperty("cohorts").GetInt32() >= 2);
        Assert.Equal(0, (await host.QueryAsync<long>("scheduler", "SELECT COUNT(*) FROM cohorts"))[0]);

        var response = await PlanAsync(new { from = "2026-12-01", to = "2026-12-31" });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var plan = await response.Content.ReadFromJsonAsync<JsonElement>();
        var treatmentOfficers = seeded.Flow.Delivered.Count;
        Assert.Equal(treatmentOfficers, plan.GetProperty("officers").GetInt32());
        Assert.Equal(treatmentOfficers, plan.GetProperty("invitations").GetInt32());
        // Dec 1-3, 2026 are Tue-Thu: three consecutive working days; every session lasts the protocol's 3 or 4 hours.
        foreach (var cohort in plan.GetProperty("plan").EnumerateArray())
        {
            Assert.Contains(cohort.GetProperty("sectorCode").GetString(), Sectors("treatment"));
            Assert.Equal(3, cohort.GetProperty("sessions").GetArrayLength());
        }

        var log = host.App.Services.GetRequiredService<SimulatorLog>();
        for (var i = 0; i < 200 && log.Snapshot(null).Count(m => m.Body.StartsWith("Curso de Justicia Procedimental", StringComparison.Ordinal)) < treatmentOfficers; i++)
            await Task.Delay(50);
        var invitations = log.Snapshot(null).Where(m => m.Body.StartsWith("Curso de Justicia Procedimental", StringComparison.Ordinal)).ToList();
        Assert.Equal(treatmentOfficers, invitations.Count);
        Assert.Equal(treatmentOfficers, invitations.Select(m => m.To).Distinct().Count());
        Assert.All(invitations, m => Assert.Contains("Academia de Polic", m.Body));

        // The venue's plan as an iCalendar feed and as CSV: one event / row per session.
        using var client = Manager();
        var venues = await client.GetFromJsonAsync<JsonElement>("/api/scheduler/venues");
        var venueId = venues.EnumerateArray().First().GetProperty("venueId").GetGuid();
        var ics = await client.GetStringAsync($"/api/scheduler/venues/{venueId}/calendar.ics");
        var sessions = plan.GetProperty("sessions").GetInt32();
        Assert.StartsWith("BEGIN:VCALENDAR\r\n", ics);
        Assert.Equal(sessions, ics.Split("BEGIN:VEVENT").Length - 1);
        Assert.All(ics.Split("\r\n"), line => Assert.True(System.Text.Encoding.UTF8.GetByteCount(line) <= 75, line));
        Assert.Contains("DTSTART:20261201T150000Z", ics);
        var csv = await client.GetStringAsync($"/api/scheduler/venues/{venueId}/plan.csv");
        Assert.Equal(sessions + 1, csv.Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/api/scheduler/venues/{Guid.NewGuid()}/calendar.ics")).StatusCode);

        // Everyone is in a cohort now: planning again places nobody and sends nothing.
        var again = await (await PlanAsync(new { from = "2026-12-01", to = "2026-12-31" })).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(0, again.GetProperty("cohorts").GetInt32());
        Assert.Equal(0, again.GetProperty("invitations").GetInt32());
    }

    [Theory]
    [InlineData("""{"from":"2026-12-31","to":"2026-12-01"}""", "to")]
    [InlineData("""{"from":"1 Dec","to":"2026-12-31"}""", "from")]
    [InlineData("""{"from":"2026-12-01","to":"2028-12-31"}""", "to")]
    [InlineData("""{"from":"2026-12-01","to":"2026-12-31","sectorCodes":["NOPE-99"]}""", "sectorCodes")]
    public async Task A_bad_plan_request_is_400_naming_the_field(string body, string field)
    {
        using var client = Manager();
        var response = await client.PostAsync("/api/scheduler/plans", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(field, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("field").GetString());
    }
}
