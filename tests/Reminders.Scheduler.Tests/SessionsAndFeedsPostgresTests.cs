using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Reminders.Scheduler.Tests.Infrastructure;
using Reminders.Testing;
using static Reminders.Scheduler.Tests.Infrastructure.SchedulerHost;
using static Reminders.Scheduler.Tests.Infrastructure.TrainingScenario;

namespace Reminders.Scheduler.Tests;

/// <summary>The sessions list, a session's members and a calendar link's whole life on PostgreSQL, whose SQL differs from SQLite's.</summary>
public sealed class SessionsAndFeedsPostgresTests : IAsyncLifetime
{
    TestDatabase database = null!;
    SchedulerHost host = null!;

    public async Task InitializeAsync()
    {
        database = await TestDatabase.CreateAsync("scheduler_feeds");
        host = Postgres(database.ConnectionString, recurringDispatch: false);
    }

    [Fact]
    public async Task Sessions_filter_and_scope_and_a_link_serves_raises_sequence_and_is_revoked()
    {
        var (paz, ruiz) = await TwoTrainersAsync(host);
        using var manager = host.Client();
        using var pazClient = host.Client(PazKey);
        using var anonymous = host.Client(key: null);

        static List<Guid> Ids(JsonElement list) => [.. list.EnumerateArray().Select(s => s.GetProperty("sessionId").GetGuid())];
        Assert.Equal(6, (await manager.GetFromJsonAsync<JsonElement>($"/api/scheduler/sessions?venueId={paz.VenueId}")).GetArrayLength());
        Assert.Equal(ruiz.SessionIds, Ids(await manager.GetFromJsonAsync<JsonElement>($"/api/scheduler/sessions?trainerId={RuizTrainerId}")));
        Assert.Equal(paz.SessionIds.Skip(1), Ids(await manager.GetFromJsonAsync<JsonElement>("/api/scheduler/sessions?from=2026-11-10&to=2026-11-11")));
        Assert.Equal(paz.SessionIds, Ids(await pazClient.GetFromJsonAsync<JsonElement>($"/api/scheduler/sessions?trainerId={RuizTrainerId}")));
        var detail = await pazClient.GetFromJsonAsync<JsonElement>($"/api/scheduler/sessions/{paz.SessionIds[0]}");
        Assert.Equal(paz.Sector.Officers.Order(), detail.GetProperty("members").EnumerateArray().Select(m => m.GetProperty("officerId").GetGuid()).Order());
        Assert.Equal(HttpStatusCode.Forbidden, (await pazClient.GetAsync($"/api/scheduler/sessions/{ruiz.SessionIds[0]}")).StatusCode);

        var link = await (await manager.PostAsync($"/api/scheduler/trainers/{RuizTrainerId}/feed-token", null)).Content.ReadFromJsonAsync<JsonElement>();
        var path = link.GetProperty("path").GetString()!;
        await ChangeAsync(host, $"/api/scheduler/sessions/{ruiz.SessionIds[2]}/move", new { date = "2026-11-19", reason = "Auditorio ocupado" });
        var ics = await anonymous.GetStringAsync(path);
        Assert.Contains($"UID:{ruiz.SessionIds[2]}@reminders\r\n", ics);
        // Re-staffed once (the scenario), then one of them moved.
        Assert.Equal(1, ics.Split("SEQUENCE:2\r\n").Length - 1);
        Assert.Equal(2, ics.Split("SEQUENCE:1\r\n").Length - 1);

        Assert.Equal(HttpStatusCode.NoContent, (await manager.DeleteAsync($"/api/scheduler/trainers/{RuizTrainerId}/feed-token")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync(path)).StatusCode);
    }

    public async Task DisposeAsync()
    {
        await host.DisposeAsync();
        await database.DisposeAsync();
    }
}
