using System.Diagnostics;
using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Reminders.Contracts;
using Reminders.Messaging;
using Reminders.Messaging.Delivery;
using Reminders.Platform.Data;
using Reminders.Platform.Hosting;
using Reminders.Protocol;
using Reminders.ProviderSimulator.Log;

namespace Reminders.EndToEnd.Tests;

/// <summary>
/// Messaging paces every sender to its rate, so a burst of SMS is spread out rather than refused by the provider: one
/// sender at 19 a second against a provider that takes 20, a pool of two at 9.5 each against one that takes 10 per sender.
/// The simulator's request log (when each request arrived, from which sender, accepted or not) is the ground truth of
/// Messaging's pace; its message log, of what reached a phone. The tests measure time, so they run on their own, after the
/// parallel ones. A request leaves a few milliseconds after its slot, so a few may still be refused with 429: the tests
/// bound those refusals rather than forbid them.
/// </summary>
[Collection(nameof(SenderPacingTests))]
public sealed class SenderPacingTests(PacingHostsFixture hosts) : IClassFixture<PacingHostsFixture>
{
    static int nextPhone = 6000;

    /// <summary>The burst's SMS as the provider accepted them, and every request Messaging made for them (accepted or refused).</summary>
    sealed record Burst(IReadOnlyList<SimulatedMessage> Accepted, IReadOnlyList<SimulatedRequest> Requests);

    static async Task<Burst> SendBurstAsync(StudyHost host, int count)
    {
        var app = host.App;
        var officer = await app.EnrollAsync(host.SectorOf(StudyArms.Treatment), $"+52550000{Interlocked.Increment(ref nextPhone)}");
        var prefix = $"Ráfaga {Guid.NewGuid():N}";
        var endpoint = await app.Services.GetRequiredService<IBus>().GetSendEndpoint(new Uri($"queue:{QueueNames.SendSms}"));
        var now = app.StudyNow();
        await Task.WhenAll(Enumerable.Range(0, count).Select(i => endpoint.Send(new SendSms(Guid.NewGuid(), officer.Id, SmsPurposes.Manual, $"{prefix} #{i}", now))));

        await SmsSteps.WaitForAsync(() => app.QueryAsync<long>("messaging", "SELECT COUNT(*) FROM outbound_sms WHERE body LIKE @like AND state = 'accepted'",
            new { like = prefix + " #%" }), n => n[0] == count, $"Not all {count} SMS of the burst were accepted", seconds: 30);
        var burst = app.Services.GetRequiredService<SimulatorLog>().Snapshot(officer.Phone).Where(m => m.Body.StartsWith(prefix, StringComparison.Ordinal)).ToList();
        // Each SMS reached the provider once, whatever was refused and retried on the way.
        Assert.Equal(count, burst.Select(m => m.Body).Distinct().Count());
        Assert.Equal(count, burst.Count);
        var requests = app.Services.GetRequiredService<SimulatorLog>().Requests().Where(r => r.To == officer.Phone).ToList();
        Assert.True(requests.Count >= count, $"{requests.Count} requests logged for {count} SMS");
        return new Burst(burst, requests);
    }

    /// <summary>Provider attempts Messaging made for the burst beyond one per SMS.</summary>
    static async Task<long> ExtraAttemptsAsync(WebApplication app, IReadOnlyCollection<SimulatedMessage> burst)
    {
        var prefix = burst.First().Body[..burst.First().Body.IndexOf(" #", StringComparison.Ordinal)];
        var attempts = (await app.QueryAsync<long>("messaging", "SELECT SUM(attempts) FROM outbound_sms WHERE body LIKE @like", new { like = prefix + " #%" })).Single();
        return attempts - burst.Count;
    }

    /// <summary>
    /// The most requests Messaging made within any one second (a sliding window over their arrival at the provider): its own
    /// pace, measured before the provider's limiter, which never lets more than its rate through whatever the client does.
    /// </summary>
    static int BusiestSecond(IEnumerable<SimulatedRequest> requests)
    {
        var times = requests.Select(r => r.ReceivedAt).Order().ToArray();
        var (busiest, start) = (0, 0);
        for (var end = 0; end < times.Length; end++)
        {
            while (times[end] - times[start] >= TimeSpan.FromSeconds(1)) start++;
            busiest = Math.Max(busiest, end - start + 1);
        }
        return busiest;
    }

    static TimeSpan Spread(IReadOnlyCollection<SimulatedMessage> messages) => messages.Max(m => m.AcceptedAt) - messages.Min(m => m.AcceptedAt);

    static long RateLimited(WebApplication app) => app.Services.GetRequiredService<SimulatorLog>().Stats().Rejected.GetValueOrDefault("20429");

    [Fact]
    public async Task A_burst_of_100_sms_leaves_one_sender_at_its_rate_and_reaches_the_provider_once_each()
    {
        var app = hosts.Single.App;
        var refusedBefore = RateLimited(app);

        var (burst, requests) = await SendBurstAsync(hosts.Single, 100);

        Assert.Equal(["+15005550006"], burst.Select(m => m.From).Distinct());
        Assert.InRange(BusiestSecond(requests), 1, PacingHostsFixture.SingleRate);
        // 100 messages, 1/20 s apart: 99 gaps of 50 ms.
        Assert.True(Spread(burst) >= TimeSpan.FromSeconds(4.5), $"The burst went out in {Spread(burst).TotalSeconds:F2} s");
        // Paced: a few arrive early and are retried (an unpaced burst has 80 refused on its first try alone); only those were retried.
        var refused = RateLimited(app) - refusedBefore;
        Assert.InRange(refused, 0, burst.Count / 3);
        Assert.Equal(refused, await ExtraAttemptsAsync(app, burst));
    }

    [Fact]
    public async Task A_pool_of_two_senders_shares_a_burst_and_each_sender_stays_within_its_own_rate()
    {
        var app = hosts.Pool.App;
        var refusedBefore = RateLimited(app);

        var (burst, requests) = await SendBurstAsync(hosts.Pool, 60);

        var bySender = burst.GroupBy(m => m.From!).ToDictionary(g => g.Key, g => g.ToList());
        Assert.Equal(PacingHostsFixture.PoolSenders.Order(), bySender.Keys.Order());
        foreach (var (sender, messages) in bySender)
        {
            Assert.True(messages.Count >= 25, $"{sender} sent only {messages.Count} of 60");
            Assert.InRange(BusiestSecond(requests.Where(r => r.From == sender)), 1, PacingHostsFixture.PoolRate);
        }
        // 30 a sender, 1/10 s apart: 29 gaps of 100 ms; both senders at once, so the burst takes half as long as one would.
        Assert.True(Spread(burst) >= TimeSpan.FromSeconds(2.6), $"The burst went out in {Spread(burst).TotalSeconds:F2} s");
        Assert.True(Spread(burst) < TimeSpan.FromSeconds(5.5), $"The burst went out in {Spread(burst).TotalSeconds:F2} s, as from one sender");
        var refused = RateLimited(app) - refusedBefore;
        Assert.InRange(refused, 0, burst.Count / 3);
        Assert.Equal(refused, await ExtraAttemptsAsync(app, burst));
    }
}

[CollectionDefinition(nameof(SenderPacingTests), DisableParallelization = true)]
public sealed class SenderPacingCollection;

/// <summary>
/// Two one-process hosts inside sending hours with the skeleton flow's sectors, roster and arms: one sender paced at
/// 20 a second against a simulator that takes 20 a second per sender; a pool of two senders at 10 a second each against
/// one that takes 10.
/// </summary>
public sealed class PacingHostsFixture : IAsyncLifetime
{
    public const int SingleRate = 20;
    public const int PoolRate = 10;
    public static readonly string[] PoolSenders = ["+15005550006", "+15005550007"];

    public StudyHost Single { get; } = new();
    public StudyHost Pool { get; } = new();

    public Task InitializeAsync()
    {
        var protocol = ProtocolLoader.LoadDefault();
        var single = StudyClockOptions.InsideSendingHours(protocol, DateTimeOffset.UtcNow, TimeSpan.FromHours(2));
        // Messaging paced 5 % under the provider's rate (the README's advice is 1 %): a request leaves a few milliseconds after its
        // slot, and at exactly the rate two requests a second apart could land inside one second.
        single["Messaging:Twilio:MessagesPerSecondPerSender"] = (SingleRate * 0.95).ToString(System.Globalization.CultureInfo.InvariantCulture);
        single["Simulator:MessagesPerSecondPerSender"] = SingleRate.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var pool = StudyClockOptions.InsideSendingHours(protocol, DateTimeOffset.UtcNow, TimeSpan.FromHours(2));
        pool["Messaging:Twilio:MessagesPerSecondPerSender"] = (PoolRate * 0.95).ToString(System.Globalization.CultureInfo.InvariantCulture);
        pool["Simulator:MessagesPerSecondPerSender"] = PoolRate.ToString(System.Globalization.CultureInfo.InvariantCulture);
        for (var i = 0; i < PoolSenders.Length; i++) pool[$"Messaging:Twilio:Senders:{i}"] = PoolSenders[i];
        return Task.WhenAll(Single.StartAsync(single), Pool.StartAsync(pool));
    }

    public async Task DisposeAsync()
    {
        await Single.DisposeAsync();
        await Pool.DisposeAsync();
    }
}
