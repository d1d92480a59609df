using System.Net;
using System.Net.Http.Json;
using Reminders.Contracts;
using Reminders.Scheduler.Training;

namespace Reminders.Scheduler.Tests.Infrastructure;

public sealed record RecordedCohort(SeededSector Sector, Guid CohortId, IReadOnlyList<Guid> SessionIds, Guid VenueId, Guid TrainerId);

/// <summary>
/// A recorded plan to change: treatment sector N-01's officers in one cohort, Mon 9 – Wed 11 November 2026 at 09:00,
/// in Sede Norte (30 places) with Instructora Paz, planned on Monday 2 November at 10:00.
/// </summary>
public static class TrainingScenario
{
    public const string Venue = "Sede Norte";

    public static async Task<RecordedCohort> PlanOneCohortAsync(SchedulerHost host, int officers = 2)
    {
        var sector = await host.SeedSectorAsync("N-01", StudyArms.Treatment, officers);
        var venueId = await host.AddVenueAsync(Venue, 30);
        var trainerId = await host.AddTrainerAsync("Instructora Paz");
        var plan = await host.PlanAsync("2026-11-09", "2026-11-30");
        var cohort = Assert.Single(plan.Plan);
        Assert.Equal(["2026-11-09", "2026-11-10", "2026-11-11"], cohort.Sessions.Select(s => s.Date));
        return new RecordedCohort(sector, cohort.CohortId, [.. cohort.Sessions.Select(s => s.SessionId)], venueId, trainerId);
    }

    /// <summary>
    /// Two treatment sectors' cohorts in Sede Norte (Av. Insurgentes Norte 100): N-01's with Instructora Paz (Mon 9 – Wed 11
    /// November 2026, 09:00), N-02's re-staffed to Mtro. Ruiz (the next three working days); both trainers have the ids the
    /// host's bound keys carry (<see cref="SchedulerHost.PazKey"/>, <see cref="SchedulerHost.RuizKey"/>).
    /// </summary>
    public static async Task<(RecordedCohort Paz, RecordedCohort Ruiz)> TwoTrainersAsync(SchedulerHost host)
    {
        var north = await host.SeedSectorAsync("N-01", StudyArms.Treatment, 2);
        var second = await host.SeedSectorAsync("N-02", StudyArms.Treatment, 2);
        var created = await host.PostAsync("/api/scheduler/venues", new { name = Venue, capacity = 30, address = "Av. Insurgentes Norte 100" });
        var venueId = (await created.Content.ReadFromJsonAsync<ResourcesApi.VenueView>())!.VenueId;
        await host.AddTrainerAsync("Instructora Paz", SchedulerHost.PazTrainerId);
        var plan = await host.PlanAsync("2026-11-09", "2026-11-30");
        var first = Assert.Single(plan.Plan, c => c.SectorCode == "N-01");
        var next = Assert.Single(plan.Plan, c => c.SectorCode == "N-02");
        Assert.Equal(["2026-11-09", "2026-11-10", "2026-11-11"], first.Sessions.Select(s => s.Date));
        await host.AddTrainerAsync("Mtro. Ruiz", SchedulerHost.RuizTrainerId);
        await ChangeAsync(host, $"/api/scheduler/cohorts/{next.CohortId}/staff", new { trainerId = SchedulerHost.RuizTrainerId, reason = "Reparto de grupos" });
        return (new RecordedCohort(north, first.CohortId, [.. first.Sessions.Select(s => s.SessionId)], venueId, SchedulerHost.PazTrainerId),
            new RecordedCohort(second, next.CohortId, [.. next.Sessions.Select(s => s.SessionId)], venueId, SchedulerHost.RuizTrainerId));
    }

    /// <summary>
    /// The usual state of a cohort some days before it starts: its two officers got their invitation (dispatched), and a
    /// third officer, enrolled late, was put in afterwards and has not been told yet (invitation pending). Every
    /// day-before reminder is pending. Returns the cohort, the two invited officers and the one not yet told.
    /// </summary>
    public static async Task<(RecordedCohort Cohort, Guid[] Invited, Guid NotYetTold)> InvitedAndNotYetToldAsync(SchedulerHost host)
    {
        var cohort = await PlanOneCohortAsync(host, officers: 2);
        Assert.Equal(2, (await host.DispatchAsync()).Dispatched);
        var late = await host.EnrollAsync(cohort.Sector.SectorId);
        var joined = await host.PostAsync($"/api/scheduler/cohorts/{cohort.CohortId}/members", new { officerId = late, reason = "Alta tardía en el padrón" });
        Assert.Equal(HttpStatusCode.OK, joined.StatusCode);
        return (cohort, [.. cohort.Sector.Officers], late);
    }

    public static async Task<ChangeResult> ChangeAsync(SchedulerHost host, string path, object body)
    {
        var response = await host.PostAsync(path, body);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<ChangeResult>())!;
    }

    /// <summary>A refused change: its status and the field the ProblemDetails names.</summary>
    public static async Task<(HttpStatusCode Status, string? Field)> RefusalAsync(SchedulerHost host, string path, object body, string? key = SchedulerHost.ManagerKey)
    {
        var response = await host.PostAsync(path, body, key);
        if (response.IsSuccessStatusCode) return (response.StatusCode, null);
        var text = await response.Content.ReadAsStringAsync();
        if (text.Length == 0) return (response.StatusCode, null);
        using var problem = System.Text.Json.JsonDocument.Parse(text);
        return (response.StatusCode, problem.RootElement.TryGetProperty("field", out var field) ? field.GetString() : null);
    }
}
