using System.Net;
using Reminders.Contracts;
using Reminders.Enrollment.Tests.Infrastructure;

namespace Reminders.Enrollment.Tests;

/// <summary>The same import on PostgreSQL (the distributed mode): its own database, schema "enrollment".</summary>
public sealed class PostgresEnrollmentTests : IAsyncLifetime
{
    EnrollmentApp app = null!;

    public async Task InitializeAsync() => app = await EnrollmentApp.StartAsync(postgres: true);
    public async Task DisposeAsync() => await app.DisposeAsync();

    [Fact]
    public async Task Apply_reimport_and_a_bad_roster_behave_as_on_sqlite()
    {
        Assert.Equal(HttpStatusCode.OK, (await app.PostRosterAsync(Rosters.Good)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await app.PostRosterAsync(Rosters.Good)).StatusCode);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await app.PostRosterAsync(Rosters.Csv("B-004,Luis,officer,S01,55 1234,yes"))).StatusCode);

        Assert.Equal(["B-001", "B-002", "B-003"], (await app.OfficersAsync()).Select(o => o.Badge));
        await Eventually.UntilAsync(app, () => app.Bus.Published<OfficerEnrolled>().Count == 3, "three OfficerEnrolled are published");
    }

    [Fact]
    public async Task Randomizing_twice_is_409()
    {
        Assert.Equal(HttpStatusCode.OK, (await app.PostRosterAsync(Rosters.Good)).StatusCode);

        Assert.Equal(HttpStatusCode.Created, (await app.Client().PostAsync("/api/enrollment/randomizations", Seed(5))).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await app.Client().PostAsync("/api/enrollment/randomizations", Seed(6))).StatusCode);
    }

    [Fact]
    public async Task Of_concurrent_randomizations_exactly_one_succeeds_and_one_allocation_is_published()
    {
        var rows = Enumerable.Range(1, 60).Select(i => $"B-{i:000},Officer {i},officer,S{i:00},55 {1000 + i:0000} {2000 + i:0000},yes").ToArray();
        Assert.Equal(HttpStatusCode.OK, (await app.PostRosterAsync(Rosters.Csv(rows))).StatusCode);

        var responses = await Task.WhenAll(Enumerable.Range(1, 4).Select(seed => Task.Run(() => app.Client().PostAsync("/api/enrollment/randomizations", Seed(seed)))));

        Assert.Equal([HttpStatusCode.Created, HttpStatusCode.Conflict, HttpStatusCode.Conflict, HttpStatusCode.Conflict], responses.Select(r => r.StatusCode).Order());
        Assert.Equal(1, await app.CountAsync("SELECT COUNT(*) FROM randomizations"));
        await Eventually.UntilAsync(app, () => app.Bus.Published<SectorsRandomized>().Count >= 1, "SectorsRandomized is published");
        Assert.Equal(0, await app.CountAsync("SELECT COUNT(*) FROM outbox_messages"));
        var published = Assert.Single(app.Bus.Published<SectorsRandomized>());
        var arms = (await app.SectorsAsync()).ToDictionary(s => s.Id, s => s.Arm);
        Assert.All(published.Assignments, a => Assert.Equal(a.Arm, arms[a.SectorId]));
    }

    static StringContent Seed(long seed) => new($$"""{"seed":{{seed}}}""", System.Text.Encoding.UTF8, "application/json");
}
