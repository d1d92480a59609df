using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Reminders.ProviderSimulator.Tests.Infrastructure;
using Twilio.Exceptions;
using Twilio.Rest.Api.V2010.Account;
using Twilio.Types;

namespace Reminders.ProviderSimulator.Tests;

public class FaultTests(SimulatorFixture fixture) : IClassFixture<SimulatorFixture>, IAsyncLifetime
{
    private SimulatorHost Simulator => fixture.Simulator;

    public async Task InitializeAsync() => (await Simulator.Http.DeleteAsync("/simulator/faults")).EnsureSuccessStatusCode();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Error500_fails_the_next_count_creates_and_accepts_none_of_them()
    {
        await AddFaultAsync(new { kind = "error500", count = 2 });
        var to = Phones.Next();

        for (var i = 0; i < 2; i++)
        {
            var error = await Assert.ThrowsAsync<ApiException>(() => Send(to));
            Assert.Equal(20500, error.Code);
            Assert.Equal(500, error.Status);
        }
        await Send(to);

        Assert.Single(Simulator.Log.Snapshot(to));
        Assert.Empty(await ActiveFaultsAsync());
    }

    [Fact]
    public async Task Error429_answers_too_many_requests_and_accepts_nothing()
    {
        await AddFaultAsync(new { kind = "error429" });
        var to = Phones.Next();

        var error = await Assert.ThrowsAsync<ApiException>(() => Send(to));

        Assert.Equal(20429, error.Code);
        Assert.Empty(Simulator.Log.Snapshot(to));
    }

    [Fact]
    public async Task Slow_accepts_after_the_delay()
    {
        await AddFaultAsync(new { kind = "slow", delayMs = 300 });
        var watch = Stopwatch.StartNew();

        var message = await Send(Phones.Next());

        Assert.True(watch.ElapsedMilliseconds >= 290, $"answered after {watch.ElapsedMilliseconds} ms");
        Assert.NotNull(Simulator.Log.Find(message.Sid));
    }

    [Fact]
    public async Task Accept_then_timeout_leaves_the_send_in_doubt_and_a_list_by_recipient_resolves_it()
    {
        await AddFaultAsync(new { kind = "acceptThenTimeout", delayMs = 5000 });
        var to = Phones.Next();
        var impatient = Simulator.Twilio(timeout: TimeSpan.FromMilliseconds(400));

        await Assert.ThrowsAnyAsync<Exception>(() => MessageResource.CreateAsync(
            to: new PhoneNumber(to), from: new PhoneNumber(Phones.Sender), body: "¿Asistirá?", client: impatient));

        var found = (await MessageResource.ReadAsync(to: new PhoneNumber(to), dateSent: DateTime.UtcNow.Date, client: Simulator.Twilio())).ToArray();
        Assert.Equal("¿Asistirá?", Assert.Single(found).Body);
        Assert.Single(Simulator.Log.Snapshot(to));
    }

    [Fact]
    public async Task Accept_then_drop_aborts_the_connection_yet_the_message_was_sent()
    {
        await AddFaultAsync(new { kind = "acceptThenDrop" });
        var to = Phones.Next();
        var path = $"/status/{Guid.NewGuid():N}";

        await Assert.ThrowsAnyAsync<Exception>(() => MessageResource.CreateAsync(
            to: new PhoneNumber(to), from: new PhoneNumber(Phones.Sender), body: "x",
            statusCallback: new Uri(fixture.Receiver.UrlFor(path)), client: Simulator.Twilio()));

        var logged = Assert.Single(Simulator.Log.Snapshot(to));
        var found = await MessageResource.ReadAsync(to: new PhoneNumber(to), client: Simulator.Twilio());
        Assert.Equal(logged.Sid, Assert.Single(found).Sid);
        await fixture.Receiver.WaitForAsync(path, posts => posts.Any(p => p.Form["MessageStatus"] == "delivered"));
    }

    [Fact]
    public async Task Faults_can_be_listed_and_cleared()
    {
        await AddFaultAsync(new { kind = "error500", count = 3 });
        await AddFaultAsync(new { kind = "duplicateCallbacks", probability = 0.5, seed = 7 });

        var active = await ActiveFaultsAsync();
        Assert.Equal(["error500", "duplicateCallbacks"], active.Select(f => f.GetProperty("kind").GetString()));
        Assert.Equal(3, active[0].GetProperty("remaining").GetInt32());

        (await Simulator.Http.DeleteAsync("/simulator/faults")).EnsureSuccessStatusCode();
        Assert.Empty(await ActiveFaultsAsync());
        await Send(Phones.Next());
    }

    [Fact]
    public async Task Random_faults_with_a_seed_hit_the_same_requests_every_run()
    {
        async Task<bool[]> Run()
        {
            await Simulator.Http.DeleteAsync("/simulator/faults");
            await AddFaultAsync(new { kind = "error500", probability = 0.5, seed = 42 });
            var failed = new bool[20];
            for (var i = 0; i < failed.Length; i++)
            {
                failed[i] = await Record.ExceptionAsync(() => Send(Phones.Next())) is ApiException { Code: 20500 };
            }
            return failed;
        }

        var first = await Run();
        var second = await Run();

        Assert.Equal(first, second);
        Assert.Contains(true, first);
        Assert.Contains(false, first);
    }

    [Theory]
    [InlineData("""{"kind":"error500","count":0}""")]
    [InlineData("""{"kind":"slow","delayMs":-1}""")]
    [InlineData("""{"kind":"error500","probability":1.5}""")]
    [InlineData("""{"kind":"meteorStrike"}""")]
    public async Task Nonsense_fault_is_refused_with_400(string json)
    {
        var response = await Simulator.Http.PostAsync("/simulator/faults", new StringContent(json, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Empty(await ActiveFaultsAsync());
    }

    private Task<MessageResource> Send(string to) =>
        MessageResource.CreateAsync(to: new PhoneNumber(to), from: new PhoneNumber(Phones.Sender), body: "x", client: Simulator.Twilio());

    private async Task AddFaultAsync(object fault) =>
        Assert.Equal(HttpStatusCode.Created, (await Simulator.Http.PostAsJsonAsync("/simulator/faults", fault)).StatusCode);

    private async Task<JsonElement[]> ActiveFaultsAsync() =>
        (await Simulator.Http.GetFromJsonAsync<JsonElement[]>("/simulator/faults"))!;
}
