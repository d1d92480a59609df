using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Reminders.Contracts;
using Reminders.Scheduler.Dispatch;
using Reminders.Scheduler.Tests.Infrastructure;
using Reminders.Testing;
using static Reminders.Scheduler.Tests.Infrastructure.SchedulerHost;

namespace Reminders.Scheduler.Tests;

/// <summary>
/// The re-dispatch job on a real PostgreSQL database, against a stand-in for Messaging's states route: rows dispatched
/// longer ago than the configured time are asked about in one call per batch; answered ones are confirmed and never asked
/// again, ones Messaging never received are sent again under the same SmsId (or skipped when their late window is over),
/// ones Messaging holds unsettled are left to it; when Messaging cannot be asked nothing is marked.
/// </summary>
public sealed class RedispatchPostgresTests : IAsyncLifetime
{
    const string MessagingKey = "researcher-key-the-scheduler-asks-messaging-with";
    TestDatabase database = null!;
    WebApplication messaging = null!;
    SchedulerHost host = null!;
    readonly ConcurrentDictionary<Guid, SmsState> known = new();
    readonly ConcurrentQueue<(string? Key, SmsStatesRequest Request)> asked = new();
    volatile bool down;

    public async Task InitializeAsync()
    {
        database = await TestDatabase.CreateAsync("scheduler_redispatch");
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        messaging = builder.Build();
        messaging.MapPost("/api/messaging/sms/states", (SmsStatesRequest request, HttpRequest http) =>
        {
            asked.Enqueue((http.Headers["X-Api-Key"].ToString(), request));
            return down ? Results.StatusCode(503) : Results.Ok(request.SmsIds.Where(known.ContainsKey).Select(id => known[id]).ToList());
        });
        await messaging.StartAsync();
        var url = messaging.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        host = Postgres(database.ConnectionString, recurringDispatch: false, settings: new Dictionary<string, string?>
        {
            [$"{MessagingApiOptions.Section}:BaseUrl"] = url,
            [$"{MessagingApiOptions.Section}:ApiKey"] = MessagingKey,
        });
    }

    Task<RedispatchRound> RedispatchAsync() => host.Services.GetRequiredService<SmsRedispatcher>().RunAsync(CancellationToken.None);

    async Task<IReadOnlyList<Guid>> SentIdsAsync() => (await host.SentSmsAsync()).Select(s => s.Command.SmsId).ToList();

    [Fact]
    public async Task Unanswered_rows_are_asked_about_in_one_call_after_the_configured_time_confirmed_when_answered_and_sent_again_when_never_received()
    {
        var sector = await host.SeedSectorAsync("N-01", StudyArms.Treatment, officers: 5);
        var rows = sector.Officers.Take(4).Select(o => host.Row(o, host.Now)).ToList();
        // A reminder whose late window ends before the re-dispatch could send it.
        var late = host.Row(sector.Officers[4], host.Now, windowEndsAt: host.Now.AddMinutes(5), kind: PlannedSmsKinds.Reminder) with { Purpose = SmsPurposes.Reminder };
        await host.AddPlannedSmsAsync([.. rows, late]);
        Assert.Equal(5, (await host.DispatchAsync()).Dispatched);
        known[rows[0].SmsId] = new SmsState(rows[0].SmsId, "accepted", "delivered");
        known[rows[1].SmsId] = new SmsState(rows[1].SmsId, "refused", null);
        known[rows[2].SmsId] = new SmsState(rows[2].SmsId, "retrying", null);
        // rows[3] and the late reminder: the bus lost their SendSms; Messaging never received them.

        Assert.Equal(new RedispatchRound(0, 0, 0, 0), await RedispatchAsync());
        Assert.Empty(asked);

        host.Clock.Advance(TimeSpan.FromMinutes(11));
        var round = await RedispatchAsync();

        Assert.Equal(new RedispatchRound(Answered: 2, Redispatched: 1, Skipped: 1, Waiting: 1), round);
        var (key, request) = Assert.Single(asked);
        Assert.Equal(MessagingKey, key);
        Assert.Equal(rows.Select(r => r.SmsId).Append(late.SmsId).Order(), request.SmsIds.Order());
        var sent = await SentIdsAsync();
        Assert.Equal(2, sent.Count(id => id == rows[3].SmsId));
        Assert.All(rows.Take(3).Append(late), r => Assert.Single(sent, id => id == r.SmsId));
        Assert.Equal(rows[3].OfficerId, (await host.SentSmsAsync()).Last(s => s.Command.SmsId == rows[3].SmsId).Command.OfficerId);
        var after = (await host.PlannedSmsAsync()).ToDictionary(p => p.SmsId);
        Assert.Equal(("accepted", 0), (after[rows[0].SmsId].AnsweredState, after[rows[0].SmsId].RedispatchCount));
        Assert.Equal(("refused", 0), (after[rows[1].SmsId].AnsweredState, after[rows[1].SmsId].RedispatchCount));
        Assert.Equal((PlannedSmsStatuses.Dispatched, (string?)null, 0), (after[rows[2].SmsId].Status, after[rows[2].SmsId].AnsweredState, after[rows[2].SmsId].RedispatchCount));
        Assert.Equal((PlannedSmsStatuses.Dispatched, (string?)null, 1), (after[rows[3].SmsId].Status, after[rows[3].SmsId].AnsweredState, after[rows[3].SmsId].RedispatchCount));
        Assert.Equal((PlannedSmsStatuses.Skipped, SmsSkipReasons.MissedWindow), (after[late.SmsId].Status, after[late.SmsId].Reason));
        Assert.Equal(1L, await host.ScalarAsync<long>("SELECT COUNT(*) FROM outbox_messages WHERE message_type = @type", new { type = typeof(ReminderSkipped).FullName }));

        // Asked again only once the configured time has passed since; the confirmed rows never again.
        Assert.Equal(new RedispatchRound(0, 0, 0, 0), await RedispatchAsync());
        known[rows[3].SmsId] = new SmsState(rows[3].SmsId, "accepted", "queued");
        host.Clock.Advance(TimeSpan.FromMinutes(11));
        Assert.Equal(new RedispatchRound(Answered: 1, Redispatched: 0, Skipped: 0, Waiting: 1), await RedispatchAsync());
        Assert.Equal(new[] { rows[2].SmsId, rows[3].SmsId }.Order(), asked.Last().Request.SmsIds.Order());
        Assert.Equal(2, (await SentIdsAsync()).Count(id => id == rows[3].SmsId));

        // The audit's view of what was dispatched: every row still dispatched, as JSON lines.
        using var client = host.Client();
        var lines = (await client.GetStringAsync(DispatchedSmsApi.Path)).Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => System.Text.Json.JsonSerializer.Deserialize<DispatchedSms>(l, System.Text.Json.JsonSerializerOptions.Web)!).ToList();
        Assert.Equal(rows.Select(r => r.SmsId).Order(), lines.Select(l => l.SmsId).Order());
        Assert.NotNull(lines.Single(l => l.SmsId == rows[3].SmsId).LastRedispatchedAt);
    }

    [Fact]
    public async Task When_Messaging_cannot_be_asked_nothing_is_marked_or_sent_again_and_the_next_round_asks_again()
    {
        var sector = await host.SeedSectorAsync("N-02", StudyArms.Treatment, officers: 1);
        var row = host.Row(sector.Officers[0], host.Now);
        await host.AddPlannedSmsAsync(row);
        await host.DispatchAsync();
        host.Clock.Advance(TimeSpan.FromMinutes(11));
        down = true;

        Assert.Equal(new RedispatchRound(0, 0, 0, 0), await RedispatchAsync());

        Assert.Single(asked);
        Assert.Single(await SentIdsAsync());
        var unchanged = await host.PlannedSmsByIdAsync(row.SmsId);
        Assert.Equal((PlannedSmsStatuses.Dispatched, (string?)null, 0), (unchanged.Status, unchanged.AnsweredState, unchanged.RedispatchCount));
        down = false;
        Assert.Equal(new RedispatchRound(0, 1, 0, 0), await RedispatchAsync());
        Assert.Equal(2, asked.Count);
    }

    public async Task DisposeAsync()
    {
        if (host is not null) await host.DisposeAsync();
        if (messaging is not null) await messaging.DisposeAsync();
        if (database is not null) await database.DisposeAsync();
    }
}
