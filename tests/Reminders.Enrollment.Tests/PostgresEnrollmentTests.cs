using System.Net;
using Reminders.Contracts;
using Reminders.Enrollment.Tests.Infrastructure;

namespace Reminders.Enrollment.Tests;

/// <summary>The same import on PostgreSQL (the distributed mode): its own database, schema "enrollment". Randomization: RandomizationPostgresTests.</summary>
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
}
