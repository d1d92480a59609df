using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Reminders.Contracts;
using Reminders.Platform.Data;
using Reminders.Scheduler.Tests.Infrastructure;
using static Reminders.Scheduler.Tests.Infrastructure.SchedulerHost;

namespace Reminders.Scheduler.Tests;

/// <summary>
/// A plan that plans nothing, or leaves sectors out, says why for each sector (a code the console translates and a
/// sentence), and an id shown by a dry run is answered 404 saying dry runs are not recorded. The clock stands on Monday
/// 2 November 2026; the windows are in the weeks after.
/// </summary>
public sealed class PlanExplanationTests : IAsyncLifetime
{
    SchedulerHost host = null!;

    public Task InitializeAsync()
    {
        host = Sqlite();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await host.DisposeAsync();

    async Task<JsonElement> PlanAsync(string from, string to, bool dryRun = false, params string[] sectorCodes)
    {
        var response = await host.PostAsync("/api/scheduler/plans", new { from, to, dryRun, sectorCodes });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"plan: {(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body).RootElement;
    }

    static Dictionary<string, (string Code, string Reason)> BySector(JsonElement plan, string list) =>
        plan.GetProperty(list).EnumerateArray().ToDictionary(s => s.GetProperty("sectorCode").GetString()!,
            s => (s.GetProperty("code").GetString()!, s.GetProperty("reason").GetString()!));

    static string Why(JsonElement plan) => plan.GetProperty("why").GetString() ?? "";

    [Fact]
    public async Task Before_any_sector_is_randomized_the_plan_says_to_randomize_first()
    {
        var plan = await PlanAsync("2026-11-09", "2026-11-20", dryRun: true);

        Assert.Equal(0, plan.GetProperty("cohorts").GetInt32());
        Assert.Contains("randomize", Why(plan));
    }

    [Fact]
    public async Task A_sector_whose_officers_are_all_in_cohorts_is_skipped_as_already_planned_and_one_without_officers_as_such()
    {
        await host.SeedSectorAsync("N-01", StudyArms.Treatment, officers: 3);
        await host.SeedSectorAsync("N-02", StudyArms.Treatment, officers: 0);
        await host.SeedSectorAsync("C-01", StudyArms.Control, officers: 2);
        await host.AddVenueAsync("Sede Norte", 30);
        await host.AddTrainerAsync("Instructora Paz");
        Assert.Equal(1, (await PlanAsync("2026-11-09", "2026-11-20")).GetProperty("cohorts").GetInt32());

        var again = await PlanAsync("2026-11-09", "2026-11-20");

        Assert.Equal(0, again.GetProperty("cohorts").GetInt32());
        var skipped = BySector(again, "skipped");
        Assert.Equal(["N-01", "N-02"], skipped.Keys.Order());
        Assert.Equal("already_planned", skipped["N-01"].Code);
        Assert.Contains("3", skipped["N-01"].Reason);
        Assert.Equal("no_officers", skipped["N-02"].Code);
        Assert.Contains("Nothing was planned", Why(again));
        Assert.Contains("already planned", Why(again));
    }

    [Fact]
    public async Task No_trainer_no_venue_and_no_working_days_are_each_named_with_a_code()
    {
        await host.SeedSectorAsync("N-01", StudyArms.Treatment, officers: 3);
        var noResources = BySector(await PlanAsync("2026-11-09", "2026-11-20", dryRun: true), "unplaced");
        Assert.Equal("no_venue", noResources["N-01"].Code);

        await host.AddVenueAsync("Sede Norte", 30);
        var noTrainer = BySector(await PlanAsync("2026-11-09", "2026-11-20", dryRun: true), "unplaced");
        Assert.Equal(("no_trainer", "No trainer is available."), noTrainer["N-01"]);

        await host.AddTrainerAsync("Instructora Paz");
        // Saturday 14 and Sunday 15 November: no working day at all.
        var weekend = await PlanAsync("2026-11-14", "2026-11-15", dryRun: true);
        Assert.Equal("no_working_days", BySector(weekend, "unplaced")["N-01"].Code);
        Assert.Contains("no 3 consecutive working days", Why(weekend));
    }

    [Fact]
    public async Task Busy_venues_and_busy_trainers_are_told_apart()
    {
        await host.SeedSectorAsync("N-01", StudyArms.Treatment, officers: 3);
        await host.SeedSectorAsync("N-02", StudyArms.Treatment, officers: 3);
        await host.AddVenueAsync("Sede Norte", 30);
        await host.AddTrainerAsync("Instructora Paz");
        await host.AddTrainerAsync("Instructor Soto");
        // Monday 9 to Wednesday 11 November: room for one cohort only.
        var oneVenue = await PlanAsync("2026-11-09", "2026-11-11", dryRun: true);
        Assert.Equal("venues_booked", BySector(oneVenue, "unplaced")["N-02"].Code);

        var twoVenues = Sqlite();
        try
        {
            await twoVenues.SeedSectorAsync("N-01", StudyArms.Treatment, officers: 3);
            await twoVenues.SeedSectorAsync("N-02", StudyArms.Treatment, officers: 3);
            await twoVenues.AddVenueAsync("Sede Norte", 30);
            await twoVenues.AddVenueAsync("Sede Sur", 30);
            await twoVenues.AddTrainerAsync("Instructora Paz");
            var response = await twoVenues.PostAsync("/api/scheduler/plans", new { from = "2026-11-09", to = "2026-11-11", dryRun = true });
            var plan = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
            Assert.Equal("trainers_booked", BySector(plan, "unplaced")["N-02"].Code);
        }
        finally { await twoVenues.DisposeAsync(); }
    }

    [Fact]
    public async Task A_dry_runs_cohort_and_session_ids_answer_404_saying_dry_runs_are_not_recorded()
    {
        await host.SeedSectorAsync("N-01", StudyArms.Treatment, officers: 3);
        await host.AddVenueAsync("Sede Norte", 30);
        await host.AddTrainerAsync("Instructora Paz");
        var cohort = (await PlanAsync("2026-11-09", "2026-11-20", dryRun: true)).GetProperty("plan")[0];
        var cohortId = cohort.GetProperty("cohortId").GetGuid();
        var sessionId = cohort.GetProperty("sessions")[0].GetProperty("sessionId").GetGuid();
        Assert.True(DryRunIds.Is(cohortId) && DryRunIds.Is(sessionId), "a dry run's ids are marked as such");

        using var client = host.Client();
        var detail = await client.GetAsync($"/api/scheduler/cohorts/{cohortId}");
        var move = await client.PostAsJsonAsync($"/api/scheduler/cohorts/{cohortId}/move", new { start = "2026-11-16", reason = "sede ocupada" });
        var cancel = await client.PostAsJsonAsync($"/api/scheduler/sessions/{sessionId}/cancel", new { reason = "sede ocupada" });

        foreach (var (response, id) in new[] { (detail, cohortId), (move, cohortId), (cancel, sessionId) })
        {
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.NotFound, text);
            var problem = JsonDocument.Parse(text).RootElement;
            Assert.Contains("dry run", problem.GetProperty("detail").GetString());
            Assert.Contains(id.ToString(), problem.GetProperty("detail").GetString());
            Assert.True(problem.GetProperty("fromDryRun").GetBoolean());
        }
    }

    [Fact]
    public async Task A_recorded_plans_ids_are_not_taken_for_a_dry_runs_and_an_unknown_id_is_not_said_to_be_one()
    {
        await host.SeedSectorAsync("N-01", StudyArms.Treatment, officers: 3);
        await host.AddVenueAsync("Sede Norte", 30);
        await host.AddTrainerAsync("Instructora Paz");
        var cohortId = (await PlanAsync("2026-11-09", "2026-11-20")).GetProperty("plan")[0].GetProperty("cohortId").GetGuid();
        Assert.False(DryRunIds.Is(cohortId));

        using var client = host.Client();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/api/scheduler/cohorts/{cohortId}")).StatusCode);
        var unknown = await client.GetAsync($"/api/scheduler/cohorts/{Guid.CreateVersion7()}");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.DoesNotContain("dry run", await unknown.Content.ReadAsStringAsync());
    }
}
