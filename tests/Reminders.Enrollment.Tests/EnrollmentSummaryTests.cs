using System.Net;
using System.Net.Http.Json;
using Reminders.Contracts;
using Reminders.Enrollment.Summary;
using Reminders.Enrollment.Tests.Infrastructure;

namespace Reminders.Enrollment.Tests;

/// <summary>Where the study stands, for the console's home page: sectors, their arms, officers by arm and status, consent, the randomization.</summary>
public sealed class EnrollmentSummaryTests : IAsyncLifetime
{
    EnrollmentApp app = null!;

    public async Task InitializeAsync() => app = await EnrollmentApp.StartWithSectorsAsync();
    public async Task DisposeAsync() => await app.DisposeAsync();

    async Task<EnrollmentSummaryApi.EnrollmentSummary> SummaryAsync(string key = EnrollmentApp.ManagerKey)
    {
        var response = await app.Client(key).GetAsync("/api/enrollment/summary");
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<EnrollmentSummaryApi.EnrollmentSummary>())!;
    }

    [Fact]
    public async Task Before_randomization_the_sectors_and_officers_are_counted_with_no_arm_and_no_randomization()
    {
        await app.ImportAsync(Rosters.Good);

        var summary = await SummaryAsync();

        Assert.Equal((4, 0, 3L, 1L), (summary.Sectors, summary.SectorsByArm.Count, summary.OfficersTotal, summary.ConsentNo));
        Assert.Equal([((string?)null, "active", 3L)], summary.Officers.Select(o => (o.Arm, o.Status, o.Count)));
        Assert.Null(summary.Randomization);
    }

    [Fact]
    public async Task After_randomization_the_sectors_and_officers_are_counted_by_arm_and_status_with_the_current_randomization()
    {
        await app.ImportAsync(Rosters.Good);
        var arms = await app.RandomizeAllAsync();
        var juan = await app.OfficerAsync("B-002");
        await app.ChangeStatusAsync(juan.Id, OfficerStatuses.Withdrawn);
        var current = (await app.Client().GetFromJsonAsync<Randomization.RandomizationRecord>("/api/enrollment/randomizations/current"))!;

        var summary = await SummaryAsync(EnrollmentApp.ResearcherKey);

        Assert.Equal(4, summary.Sectors);
        Assert.Equal(new Dictionary<string, long> { [StudyArms.Control] = 2, [StudyArms.Treatment] = 2 }, summary.SectorsByArm);
        var expected = new[] { ("B-001", "active"), ("B-002", "withdrawn"), ("B-003", "active") }
            .Select(o => (Arm: arms[o.Item1 == "B-003" ? "S02" : "S01"], Status: o.Item2))
            .GroupBy(o => o).Select(g => ((string?)g.Key.Arm, g.Key.Status, (long)g.Count())).Order().ToList();
        Assert.Equal(expected, summary.Officers.Select(o => (o.Arm, o.Status, o.Count)).Order().ToList());
        Assert.Equal((3L, 1L), (summary.OfficersTotal, summary.ConsentNo));
        Assert.Equal((current.Id, current.CreatedAt, "ana-manager"), (summary.Randomization!.Id, summary.Randomization.CreatedAt, summary.Randomization.RequestedBy));
    }

    [Fact]
    public async Task A_trainer_is_refused_the_summary()
    {
        Assert.Equal(HttpStatusCode.Forbidden, (await app.Client(EnrollmentApp.TrainerKey).GetAsync("/api/enrollment/summary")).StatusCode);
    }
}
