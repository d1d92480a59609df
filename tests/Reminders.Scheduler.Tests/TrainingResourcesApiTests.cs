using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Data.Sqlite;
using Reminders.Scheduler.Training;

namespace Reminders.Scheduler.Tests;

/// <summary>Venues and trainers through the real Scheduler host (SQLite in a temp folder, in-memory bus).</summary>
public sealed class TrainingResourcesApiTests : IAsyncLifetime
{
    const string ManagerKey = "manager-key-for-scheduler-tests";
    const string TrainerKey = "trainer-key-for-scheduler-tests";
    readonly string folder = Path.Combine(Path.GetTempPath(), "reminders-scheduler-tests-" + Guid.NewGuid().ToString("N"));
    WebApplicationFactory<Trainer> app = null!;

    public Task InitializeAsync()
    {
        app = new WebApplicationFactory<Trainer>().WithWebHostBuilder(b =>
        {
            b.UseSetting("Database:SqliteFolder", folder);
            b.UseSetting("Bus:Transport", "InMemory");
            b.UseSetting("Auth:ApiKeys:0:Name", "manager");
            b.UseSetting("Auth:ApiKeys:0:Key", ManagerKey);
            b.UseSetting("Auth:ApiKeys:0:Roles:0", "manager");
            b.UseSetting("Auth:ApiKeys:1:Name", "trainer");
            b.UseSetting("Auth:ApiKeys:1:Key", TrainerKey);
            b.UseSetting("Auth:ApiKeys:1:Roles:0", "trainer");
        });
        return Task.CompletedTask;
    }

    HttpClient Client(string? key = ManagerKey)
    {
        var client = app.CreateClient();
        if (key is not null) client.DefaultRequestHeaders.Add("X-Api-Key", key);
        return client;
    }

    [Fact]
    public async Task A_venue_is_registered_listed_and_refused_twice()
    {
        var created = await Client().PostAsJsonAsync("/api/scheduler/venues", new { name = "Academia de Policía, Aula 3", capacity = 40 });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var again = await Client().PostAsJsonAsync("/api/scheduler/venues", new { name = "Academia de Policía, Aula 3", capacity = 20 });
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        var venues = await Client().GetFromJsonAsync<List<ResourcesApi.VenueView>>("/api/scheduler/venues");
        Assert.Equal(40, Assert.Single(venues!).Capacity);
    }

    [Theory]
    [InlineData("""{"name":"Aula","capacity":0}""", "capacity")]
    [InlineData("""{"name":"","capacity":10}""", "name")]
    [InlineData("""{"capacity":10}""", "name")]
    [InlineData("""{"name":"Aula","capacity":100000}""", "capacity")]
    public async Task A_bad_venue_is_400_naming_the_field(string body, string field)
    {
        var response = await Client().PostAsync("/api/scheduler/venues", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(field, problem.GetProperty("field").GetString());
    }

    [Fact]
    public async Task A_malformed_body_is_400_not_500()
    {
        var response = await Client().PostAsync("/api/scheduler/trainers", new StringContent("{\"name\": [1,2", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task Trainers_are_registered_by_managers_only()
    {
        Assert.Equal(HttpStatusCode.Created, (await Client().PostAsJsonAsync("/api/scheduler/trainers", new { name = "Mtra. Ruiz" })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await Client(TrainerKey).PostAsJsonAsync("/api/scheduler/trainers", new { name = "Otro" })).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Client(null).GetAsync("/api/scheduler/trainers")).StatusCode);
    }

    public async Task DisposeAsync()
    {
        await app.DisposeAsync();
        SqliteConnection.ClearAllPools();
        try { Directory.Delete(folder, recursive: true); } catch (IOException) { }
    }
}
