using System.Net;
using System.Net.Http.Json;
using System.Text;
using Reminders.Contracts;
using Reminders.Enrollment.Randomization;
using Reminders.Enrollment.Tests.Infrastructure;

namespace Reminders.Enrollment.Tests;

public sealed class RandomizationApiTests : IAsyncLifetime
{
    EnrollmentApp app = null!;

    public async Task InitializeAsync() => app = await EnrollmentApp.StartAsync();
    public async Task DisposeAsync() => await app.DisposeAsync();

    async Task ImportSectorsAsync(int count)
    {
        var rows = Enumerable.Range(1, count).Select(i => $"B-{i:000},Officer {i},officer,S{i:00},55 {1000 + i:0000} {2000 + i:0000},yes").ToArray();
        var response = await app.PostRosterAsync(Rosters.Csv(rows));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    Task<HttpResponseMessage> RandomizeAsync(long seed, string? key = EnrollmentApp.ManagerKey) =>
        app.Client(key).PostAsJsonAsync("/api/enrollment/randomizations", new { seed });

    [Fact]
    public async Task Randomizing_assigns_half_the_sectors_to_treatment_records_the_seed_and_publishes_it()
    {
        await ImportSectorsAsync(10);

        var response = await RandomizeAsync(20240901);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var result = (await response.Content.ReadFromJsonAsync<RandomizationApi.RandomizationResult>())!;
        Assert.Equal(20240901, result.Seed);
        Assert.Equal(SectorRandomizer.Allocate(Enumerable.Range(1, 10).Select(i => $"S{i:00}"), 20240901).Select(a => (a.Code, a.Arm)),
            result.Assignments.Select(a => (a.SectorCode, a.Arm)));
        Assert.Equal(5, (await app.SectorsAsync()).Count(s => s.Arm == StudyArms.Treatment));
        await Eventually.UntilAsync(app, () => app.Bus.Published<SectorsRandomized>().Count == 1, "SectorsRandomized is published");
        var published = app.Bus.Published<SectorsRandomized>().Single();
        Assert.Equal((result.RandomizationId, 20240901L, 10), (published.RandomizationId, published.Seed, published.Assignments.Count));
    }

    [Fact]
    public async Task Randomizing_a_second_time_is_409_and_keeps_the_first_allocation()
    {
        await ImportSectorsAsync(6);
        Assert.Equal(HttpStatusCode.Created, (await RandomizeAsync(1)).StatusCode);
        var first = (await app.SectorsAsync()).Select(s => (s.Code, s.Arm)).ToList();

        var second = await RandomizeAsync(2);

        Assert.Equal(HttpStatusCode.Conflict, second.StatusCode);
        Assert.Equal("application/problem+json", second.Content.Headers.ContentType?.MediaType);
        Assert.Equal(first, (await app.SectorsAsync()).Select(s => (s.Code, s.Arm)));
    }

    [Fact]
    public async Task Randomizing_fewer_than_two_sectors_is_409()
    {
        await ImportSectorsAsync(1);

        Assert.Equal(HttpStatusCode.Conflict, (await RandomizeAsync(1)).StatusCode);
    }

    [Fact]
    public async Task Only_a_manager_may_randomize()
    {
        await ImportSectorsAsync(2);

        Assert.Equal(HttpStatusCode.Unauthorized, (await RandomizeAsync(1, key: null)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await RandomizeAsync(1, key: EnrollmentApp.TrainerKey)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await RandomizeAsync(1, key: EnrollmentApp.ResearcherKey)).StatusCode);
        Assert.All(await app.SectorsAsync(), s => Assert.Null(s.Arm));
    }

    [Theory]
    [InlineData("")]
    [InlineData("not json")]
    [InlineData("{\"seed\":\"abc\"}")]
    [InlineData("{\"seed\":1e400}")]
    [InlineData("[1,2,3]")]
    public async Task A_garbage_request_is_a_client_error(string body)
    {
        await ImportSectorsAsync(2);

        var response = await app.Client().PostAsync("/api/enrollment/randomizations", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.True((int)response.StatusCode is >= 400 and < 500, $"{(int)response.StatusCode}");
        Assert.All(await app.SectorsAsync(), s => Assert.Null(s.Arm));
    }
}
