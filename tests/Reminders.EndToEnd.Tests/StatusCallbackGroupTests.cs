using System.Diagnostics.Metrics;
using System.Net;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Reminders.Platform.Data;
using Reminders.Contracts;

namespace Reminders.EndToEnd.Tests;

/// <summary>
/// Status callbacks that arrive together are committed together (the StatusCallbackRecorder), and each is recorded as if it
/// had been alone: forward-only status, every callback of a known SMS in its history, one for an unknown SMS kept for review,
/// each move published once, and no callback answered before it is committed.
/// </summary>
public sealed class StatusCallbackGroupTests(LocalHostFixture host) : IClassFixture<LocalHostFixture>
{
    const string AuthToken = "simulator-fake-auth-token";

    [Fact]
    public async Task Callbacks_arriving_together_are_committed_in_one_group_each_as_if_alone_and_none_is_answered_before_its_commit()
    {
        var (smsId, officerId) = (Guid.NewGuid(), Guid.NewGuid());
        var unknown = Enumerable.Range(0, 3).Select(_ => Guid.NewGuid()).ToArray();
        await host.QueryAsync<long>("messaging", """
            INSERT INTO outbound_sms (sms_id, officer_id, purpose, body, state, requested_at, provider_sid, status, accepted_at)
            VALUES (@smsId, @officerId, 'reminder', 'Recuerde la capacitación', 'accepted', @now, NULL, 'queued', @now) RETURNING 1
            """, new { smsId = smsId.ToString(), officerId = officerId.ToString(), now = DapperTypeHandlers.ToSqliteText(host.Now()) });
        await using var events = await BusListener<SmsEventsBatch>.StartAsync(host.App);
        using var groups = new HostHistogramListener(host.App.Services.GetRequiredService<IMeterFactory>(), "reminders.messaging.status_callback.batch");
        string[] statuses = ["sent", "delivered", "sent", "delivered", "queued", "sent", "delivered", "sent"];

        // Messaging's database is held by a writer here, so every callback waits and they make groups when it lets go.
        var blocker = new SqliteConnection($"Data Source={Path.Combine(host.DataFolder, "messaging.db")}");
        await blocker.OpenAsync();
        var hold = (SqliteTransaction)await blocker.BeginTransactionAsync();
        var posts = statuses.Select(status => PostAsync(smsId, status))
            .Concat(unknown.Select(id => PostAsync(id, "delivered"))).ToList();
        await Task.Delay(500);
        Assert.All(posts, post => Assert.False(post.IsCompleted, "a callback was answered before it could be committed"));
        await hold.RollbackAsync();
        await blocker.DisposeAsync();

        Assert.All(await Task.WhenAll(posts), code => Assert.Equal(HttpStatusCode.OK, code));
        Assert.True(groups.Largest > 1, $"the callbacks were committed one by one (largest group {groups.Largest})");
        var history = await host.QueryAsync<string>("messaging", "SELECT status FROM sms_status_history WHERE sms_id = @id AND source = 'callback'",
            new { id = smsId.ToString() });
        Assert.Equal(statuses.Order(), history.Order());
        Assert.Equal(["delivered"], await host.QueryAsync<string>("messaging", "SELECT status FROM outbound_sms WHERE sms_id = @id", new { id = smsId.ToString() }));
        Assert.Equal(["SM-group"], await host.QueryAsync<string>("messaging", "SELECT provider_sid FROM outbound_sms WHERE sms_id = @id", new { id = smsId.ToString() }));
        foreach (var id in unknown)
            Assert.Single(await host.QueryAsync<string>("messaging", "SELECT status FROM unmatched_callbacks WHERE sms_id = @id", new { id = id.ToString() }));

        // Each move once, forward only, ending at delivered (which of sent and delivered came first is the arrival's order).
        var delivered = await events.WaitForEventAsync(e => e.StatusChanged, c => c.SmsId == smsId && c.Status == "delivered");
        await Task.Delay(300);
        var moves = events.Received(_ => true).SelectMany(b => b.Events).Select(e => e.StatusChanged).Where(c => c?.SmsId == smsId).Select(c => c!.Status).ToList();
        Assert.Equal(moves.Distinct(), moves);
        Assert.Equal("delivered", moves[^1]);
        Assert.Equal(officerId, delivered.OfficerId);
    }

    async Task<HttpStatusCode> PostAsync(Guid smsId, string status)
    {
        var path = $"/api/messaging/webhooks/twilio/status/{smsId}";
        var form = new Dictionary<string, string>
        {
            ["MessageSid"] = "SM-group", ["MessageStatus"] = status, ["AccountSid"] = "ACsimulator00000000000000000000000",
            ["To"] = "+525500000101", ["From"] = "+15005550006",
        };
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, host.Url + path) { Content = new FormUrlEncodedContent(form) };
        request.Headers.Add("X-Twilio-Signature", TwilioSigner.Sign(AuthToken, host.Url + path, form));
        using var response = await http.SendAsync(request);
        return response.StatusCode;
    }
}
