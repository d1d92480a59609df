using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Reminders.ProviderSimulator.Tests.Infrastructure;
using Twilio.Exceptions;
using Twilio.Rest.Api.V2010.Account;
using Twilio.Types;

namespace Reminders.ProviderSimulator.Tests;

/// <summary>On a fake clock, so "one second later" is exact and the test does not wait for it.</summary>
public class RateLimitTests : IAsyncLifetime
{
    private readonly FakeTimeProvider time = new(DateTimeOffset.UtcNow);
    private SimulatorHost simulator = null!;

    public async Task InitializeAsync() =>
        simulator = await SimulatorHost.StartAsync(
            new Dictionary<string, string?> { ["Simulator:MessagesPerSecondPerSender"] = "5" },
            services => services.AddSingleton<TimeProvider>(time));

    public async Task DisposeAsync() => await simulator.DisposeAsync();

    [Fact]
    public async Task Sender_gets_five_per_second_the_sixth_is_refused_with_20429_and_a_second_later_it_goes_through()
    {
        var rest = simulator.Twilio();
        var sender = Phones.NextSender();
        Task<MessageResource> Send() => MessageResource.CreateAsync(
            to: new PhoneNumber(Phones.Next()), from: new PhoneNumber(sender), body: "x", client: rest);

        for (var i = 0; i < 5; i++)
        {
            await Send();
        }
        var refused = await Assert.ThrowsAsync<ApiException>(Send);
        Assert.Equal(20429, refused.Code);
        Assert.Equal(429, refused.Status);

        time.Advance(TimeSpan.FromMilliseconds(999));
        Assert.Equal(20429, (await Assert.ThrowsAsync<ApiException>(Send)).Code);

        time.Advance(TimeSpan.FromMilliseconds(1));
        await Send();
        Assert.Equal(6, simulator.Log.Count);
        Assert.Equal(2, simulator.Log.Stats().Rejected["20429"]);
    }

    [Fact]
    public async Task Another_sender_is_not_held_back_by_a_busy_one()
    {
        var rest = simulator.Twilio();
        var busy = Phones.NextSender();
        for (var i = 0; i < 5; i++)
        {
            await MessageResource.CreateAsync(to: new PhoneNumber(Phones.Next()), from: new PhoneNumber(busy), body: "x", client: rest);
        }

        var other = await MessageResource.CreateAsync(
            to: new PhoneNumber(Phones.Next()), from: new PhoneNumber(Phones.NextSender()), body: "x", client: rest);
        var service = await MessageResource.CreateAsync(
            to: new PhoneNumber(Phones.Next()), messagingServiceSid: "MGffffffffffffffffffffffffffffffff", body: "x", client: rest);

        Assert.NotNull(other.Sid);
        Assert.NotNull(service.Sid);
    }

    [Fact]
    public async Task Concurrent_burst_from_one_sender_accepts_exactly_the_rate_and_logs_nothing_else()
    {
        var clients = Enumerable.Range(0, 4).Select(_ => simulator.Twilio()).ToArray();
        var sender = Phones.NextSender();

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 60).Select(async i =>
        {
            try
            {
                await MessageResource.CreateAsync(
                    to: new PhoneNumber(Phones.Next()), from: new PhoneNumber(sender), body: "x", client: clients[i % clients.Length]);
                return 0;
            }
            catch (ApiException e)
            {
                return e.Code;
            }
        }));

        Assert.Equal(5, outcomes.Count(code => code == 0));
        Assert.Equal(55, outcomes.Count(code => code == 20429));
        Assert.Equal(5, simulator.Log.Count);
    }
}
