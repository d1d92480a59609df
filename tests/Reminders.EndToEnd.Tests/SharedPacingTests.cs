using System.Net.Http.Json;
using System.Text.Json;
using MassTransit;
using Reminders.Contracts;
using Reminders.Local.Demo;
using Xunit.Abstractions;

namespace Reminders.EndToEnd.Tests;

/// <summary>Two Messaging processes on one PostgreSQL database and one sender the provider takes 20 a second from.</summary>
public sealed class SharedPacingFixture : DistributedFixture
{
    public const int ProviderRate = 20;

    protected override IReadOnlyDictionary<string, int> Instances => new Dictionary<string, int> { ["Messaging"] = 2 };

    protected override IReadOnlyDictionary<string, string?> ExtraSettings => new Dictionary<string, string?>
    {
        ["Simulator:MessagesPerSecondPerSender"] = ProviderRate.ToString(System.Globalization.CultureInfo.InvariantCulture),
        // 5 % under the provider's rate: each instance alone would be allowed all of it.
        ["Messaging:Twilio:MessagesPerSecondPerSender"] = (ProviderRate * 0.95).ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Logging:LogLevel:Default"] = "Warning",
    };
}

/// <summary>The sender's rate is shared by every Messaging instance (the sender_pace row in PostgreSQL), not each instance's own.</summary>
[Collection(nameof(SenderPacingTests))]
public sealed class SharedPacingTests(SharedPacingFixture services, ITestOutputHelper output) : IClassFixture<SharedPacingFixture>, IDisposable
{
    public void Dispose()
    {
        foreach (var (name, process) in services.Services)
            output.WriteLine($"--- {name}\n{string.Join('\n', process.Output.TakeLast(30))}");
    }

    [Fact]
    public async Task Two_messaging_processes_on_postgres_together_never_send_above_the_senders_rate()
    {
        const int count = 60;
        await services.Client.LoadSectorsAsync(SkeletonFlow.Sectors);
        await services.Client.ImportRosterAsync(SkeletonFlow.Roster);
        await services.Client.RandomizeAsync(SkeletonFlow.Seed, ["alcaldia"]);
        var arms = (await services.Client.SectorsAsync()).EnumerateArray().ToDictionary(s => s.GetProperty("code").GetString()!, s => s.GetProperty("arm").GetString());
        var officer = (await services.Client.OfficersAsync()).EnumerateArray().First(o => arms[o.GetProperty("sectorCode").GetString()!] == "treatment");
        var officerId = officer.GetProperty("id").GetGuid();
        // Once Messaging knows the officer's phone and arm (an SMS through the Scheduler gets out), the burst goes straight to its queue.
        var (status, first) = await services.Client.SendManualMessageWhenKnownAsync(officerId, SkeletonFlow.MessageBody, TimeSpan.FromSeconds(60));
        Assert.Equal(System.Net.HttpStatusCode.Accepted, status);
        using var simulator = services.Client.SimulatorHttp();
        var phone = await WaitForAsync(async () => (await simulator.GetFromJsonAsync<JsonElement>("/simulator/messages")).EnumerateArray()
            .Select(m => m.GetProperty("to").GetString()).FirstOrDefault(), "the first SMS at the provider");
        // Both processes consume the queue (the broker's statistics lag a few seconds behind a consumer's arrival).
        await WaitForAsync(async () => await services.VirtualHost.ConsumersAsync(QueueNames.SendSms) == 2 ? "" : null, "two consumers of the send queue");

        var vhost = services.VirtualHost;
        var bus = Bus.Factory.CreateUsingRabbitMq(cfg => cfg.Host(vhost.Host, (ushort)vhost.Port, vhost.Name, h =>
        {
            h.Username(vhost.User);
            h.Password(vhost.Password);
        }));
        using (var starting = new CancellationTokenSource(TimeSpan.FromSeconds(30))) await bus.StartAsync(starting.Token);
        try
        {
            // To the endpoint's exchange: a "queue:" address would declare a classic queue, which the broker refuses for the quorum queue there.
            var endpoint = await bus.GetSendEndpoint(new Uri($"exchange:{QueueNames.SendSms}"));
            var prefix = $"Ráfaga {Guid.NewGuid():N}";
            using var sending = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await Task.WhenAll(Enumerable.Range(0, count).Select(i =>
                endpoint.Send(new SendSms(Guid.NewGuid(), officerId, SmsPurposes.Manual, $"{prefix} #{i}", DateTimeOffset.UtcNow), sending.Token)));

            await WaitForAsync(async () => (await simulator.GetFromJsonAsync<JsonElement>($"/simulator/messages?to={Uri.EscapeDataString(phone!)}"))
                .EnumerateArray().Count(m => m.GetProperty("body").GetString()!.StartsWith(prefix, StringComparison.Ordinal)) == count ? "" : null,
                $"all {count} SMS of the burst at the provider");
        }
        finally
        {
            await bus.StopAsync();
        }

        // Every request the two processes made (accepted or refused), as the provider received them, after the first SMS.
        var requests = (await simulator.GetFromJsonAsync<JsonElement>("/simulator/requests")).EnumerateArray()
            .Where(r => r.GetProperty("to").GetString() == phone)
            .Select(r => r.GetProperty("receivedAt").GetDateTimeOffset()).Order().Skip(1).ToList();
        Assert.True(requests.Count >= count, $"{requests.Count} requests for {count} SMS");
        var busiest = BusiestSecond(requests);
        output.WriteLine($"{requests.Count} requests over {(requests[^1] - requests[0]).TotalSeconds:F2} s; busiest second {busiest}; ms after the first: "
            + string.Join(' ', requests.Select(r => ((r - requests[0]).TotalMilliseconds).ToString("F0", System.Globalization.CultureInfo.InvariantCulture))));
        // Paced apart, two instances would send up to twice the rate (about 38 a second here); together they stay within it.
        // The times are the provider's receipts: when the simulator itself stalls on a loaded machine, a few requests that left
        // on their slots are received together (seen: 4 within 15 ms after a 170 ms gap), hence a margin of 3.
        Assert.InRange(busiest, 1, SharedPacingFixture.ProviderRate + 3);
        Assert.True(requests[^1] - requests[0] >= TimeSpan.FromSeconds((count - 1) / (SharedPacingFixture.ProviderRate * 0.95) - 0.2),
            $"{count} requests in {(requests[^1] - requests[0]).TotalSeconds:F2} s");
    }

    static int BusiestSecond(IReadOnlyList<DateTimeOffset> times)
    {
        var (busiest, start) = (0, 0);
        for (var end = 0; end < times.Count; end++)
        {
            while (times[end] - times[start] >= TimeSpan.FromSeconds(1)) start++;
            busiest = Math.Max(busiest, end - start + 1);
        }
        return busiest;
    }

    static async Task<string> WaitForAsync(Func<Task<string?>> probe, string what)
    {
        var deadline = DateTimeOffset.UtcNow.AddSeconds(60);
        while (DateTimeOffset.UtcNow < deadline)
        {
            if (await probe() is { } found) return found;
            await Task.Delay(200);
        }
        throw new TimeoutException($"Waited 60 s for {what}.");
    }
}
