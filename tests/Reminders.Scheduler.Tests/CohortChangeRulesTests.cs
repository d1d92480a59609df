using System.Net;
using System.Net.Http.Json;
using Reminders.Scheduler.Tests.Infrastructure;
using static Reminders.Scheduler.Tests.Infrastructure.SchedulerHost;
using static Reminders.Scheduler.Tests.Infrastructure.TrainingScenario;

namespace Reminders.Scheduler.Tests;

/// <summary>What every cohort change has in common: a reason, an author, a time, a 404 for unknown ids, managers only.</summary>
public sealed class CohortChangeRulesTests : IAsyncLifetime
{
    SchedulerHost host = null!;
    RecordedCohort cohort = null!;

    public async Task InitializeAsync()
    {
        host = Sqlite();
        cohort = await PlanOneCohortAsync(host);
    }

    /// <summary>Every change endpoint with a valid body apart from the reason.</summary>
    IEnumerable<(string Path, Dictionary<string, object?> Body)> Changes(Guid cohortId, Guid sessionId, Guid officerId) =>
    [
        ($"/api/scheduler/cohorts/{cohortId}/move", new() { ["start"] = "2026-11-23" }),
        ($"/api/scheduler/cohorts/{cohortId}/staff", new() { ["trainerId"] = cohort.TrainerId }),
        ($"/api/scheduler/cohorts/{cohortId}/cancel", new()),
        ($"/api/scheduler/cohorts/{cohortId}/members", new() { ["officerId"] = officerId }),
        ($"/api/scheduler/sessions/{sessionId}/move", new() { ["date"] = "2026-11-12" }),
        ($"/api/scheduler/sessions/{sessionId}/cancel", new()),
    ];

    [Fact]
    public async Task Every_change_is_listed_on_the_cohort_with_who_made_it_why_and_when()
    {
        var planned = host.Now;
        host.Clock.Advance(TimeSpan.FromHours(1));
        var moved = host.Now;
        await ChangeAsync(host, $"/api/scheduler/cohorts/{cohort.CohortId}/move", new { start = "2026-11-17", reason = "Sede en mantenimiento" });
        host.Clock.Advance(TimeSpan.FromHours(2));
        var cancelled = host.Now;
        await ChangeAsync(host, $"/api/scheduler/sessions/{cohort.SessionIds[2]}/cancel", new { reason = "Asueto local el día 19" });

        var changes = (await host.CohortAsync(cohort.CohortId)).Changes;

        Assert.Equal([("cohort", "planned"), ("cohort", "moved"), ("session", "cancelled")], changes.Select(c => (c.Entity, c.Change)));
        Assert.All(changes, c => Assert.Equal(ManagerName, c.ChangedBy));
        Assert.Equal([planned, moved, cancelled], changes.Select(c => c.ChangedAt));
        Assert.Equal([null, "Sede en mantenimiento", "Asueto local el día 19"], changes.Select(c => c.Reason));
        Assert.Equal(cohort.SessionIds[2], changes[2].EntityId);
        Assert.Equal("2026-11-19 09:00", changes[2].OldValue);
    }

    [Fact]
    public async Task A_change_without_a_reason_is_400_naming_reason_and_changes_nothing()
    {
        var officer = await host.EnrollAsync(cohort.Sector.SectorId);
        foreach (var (path, body) in Changes(cohort.CohortId, cohort.SessionIds[1], officer))
        foreach (var reason in new[] { null, "", "   " })
        {
            body["reason"] = reason;
            Assert.Equal((HttpStatusCode.BadRequest, "reason"), await RefusalAsync(host, path, body));
        }

        var detail = await host.CohortAsync(cohort.CohortId);
        Assert.Equal("planned", Assert.Single(detail.Changes).Change);
        Assert.Equal(2, detail.Members.Count);
        Assert.All(detail.Sessions, s => Assert.Equal("scheduled", s.Status));
    }

    [Fact]
    public async Task A_malformed_field_is_400_naming_it_and_changes_nothing()
    {
        var cases = new (string Path, object Body, string Field)[]
        {
            ($"/api/scheduler/cohorts/{cohort.CohortId}/move", new { start = "17/11/2026", reason = "Cambio" }, "start"),
            ($"/api/scheduler/cohorts/{cohort.CohortId}/move", new { start = "2026-11-17", startTime = "9am", reason = "Cambio" }, "startTime"),
            ($"/api/scheduler/sessions/{cohort.SessionIds[1]}/move", new { date = "", reason = "Cambio" }, "date"),
            ($"/api/scheduler/sessions/{cohort.SessionIds[1]}/move", new { date = "2026-11-12", startTime = "23:00", reason = "Cambio" }, "startTime"),
            ($"/api/scheduler/cohorts/{cohort.CohortId}/members", new { reason = "Cambio" }, "officerId"),
            ($"/api/scheduler/cohorts/{cohort.CohortId}/staff", new { reason = "Cambio" }, "venueId"),
        };
        foreach (var (path, body, field) in cases)
            Assert.Equal((HttpStatusCode.BadRequest, field), await RefusalAsync(host, path, body));

        using var client = host.Client();
        using var broken = await client.PostAsync($"/api/scheduler/cohorts/{cohort.CohortId}/move",
            new StringContent("{\"start\": [1,", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, broken.StatusCode);

        var detail = await host.CohortAsync(cohort.CohortId);
        Assert.Equal("planned", Assert.Single(detail.Changes).Change);
        Assert.All(detail.Sessions, s => Assert.Equal("scheduled", s.Status));
    }

    [Fact]
    public async Task Unknown_cohorts_and_sessions_are_404()
    {
        var officer = await host.EnrollAsync(cohort.Sector.SectorId);
        foreach (var (path, body) in Changes(Guid.NewGuid(), Guid.NewGuid(), officer))
        {
            body["reason"] = "Cambio";
            Assert.Equal(HttpStatusCode.NotFound, (await RefusalAsync(host, path, body)).Status);
        }
        using var client = host.Client();
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/api/scheduler/cohorts/{Guid.NewGuid()}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await RefusalAsync(host, $"/api/scheduler/cohorts/{cohort.CohortId}/members", new { officerId = Guid.NewGuid(), reason = "Cambio" })).Status);
    }

    [Fact]
    public async Task Only_managers_read_and_change_cohorts()
    {
        using var trainer = host.Client(TrainerKey);
        using var anonymous = host.Client(null);

        Assert.Equal(HttpStatusCode.Forbidden, (await trainer.GetAsync("/api/scheduler/cohorts")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await trainer.GetAsync($"/api/scheduler/cohorts/{cohort.CohortId}")).StatusCode);
        foreach (var (path, body) in Changes(cohort.CohortId, cohort.SessionIds[1], cohort.Sector.Officers[0]))
        {
            body["reason"] = "Cambio";
            Assert.Equal(HttpStatusCode.Forbidden, (await trainer.PostAsJsonAsync(path, body)).StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsJsonAsync(path, body)).StatusCode);
        }

        var detail = await host.CohortAsync(cohort.CohortId);
        Assert.Equal(["2026-11-09", "2026-11-10", "2026-11-11"], detail.Sessions.Select(s => s.Date));
        Assert.Single(detail.Changes);
    }

    [Fact]
    public async Task Cohorts_are_listed_with_their_dates_and_members_and_filtered_by_sector()
    {
        using var client = host.Client();

        var all = await client.GetFromJsonAsync<List<Training.CohortsApi.CohortSummary>>("/api/scheduler/cohorts?sector=n-01");
        var none = await client.GetFromJsonAsync<List<Training.CohortsApi.CohortSummary>>("/api/scheduler/cohorts?sector=N-99");

        var summary = Assert.Single(all!);
        Assert.Equal((cohort.CohortId, "N-01", "officer", "planned", "2026-11-09", "2026-11-11", 2L, Venue),
            (summary.CohortId, summary.SectorCode, summary.Role, summary.Status, summary.FirstDate, summary.LastDate, summary.Members, summary.Venue));
        Assert.Empty(none!);
    }

    public async Task DisposeAsync() => await host.DisposeAsync();
}
