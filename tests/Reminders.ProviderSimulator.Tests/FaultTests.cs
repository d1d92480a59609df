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
    public async Task Accept_then_bad_gateway_answers_502_with_html_yet_the_message_goes_out_with_its_callbacks()
    {
        await AddFaultAsync(new { kind = "acceptThenBadGateway" });
        var to = Phones.Next();
        var path = $"/status/{Guid.NewGuid():N}";

        var response = await PostCreateAsync(to, fixture.Receiver.UrlFor(path));

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("502 Bad Gateway", await response.Content.ReadAsStringAsync());
        var logged = Assert.Single(Simulator.Log.Snapshot(to));
        await fixture.Receiver.WaitForAsync(path, posts => posts.Any(p => p.Form["MessageSid"] == logged.Sid && p.Form["MessageStatus"] == "delivered"));
        Assert.DoesNotContain(Simulator.Log.Stats().Rejected.Keys, k => k.Contains("acceptThen", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Accept_then_bad_gateway_is_an_error_without_a_twilio_code_to_the_sdk()
    {
        await AddFaultAsync(new { kind = "acceptThenBadGateway" });
        var to = Phones.Next();

        var error = await Assert.ThrowsAsync<ApiException>(() => Send(to));

        Assert.Equal(0, error.Code);
        Assert.Single(Simulator.Log.Snapshot(to));
    }

    [Fact]
    public async Task Accept_then_html_answers_200_with_a_page_the_sdk_cannot_read_yet_the_message_was_taken()
    {
        await AddFaultAsync(new { kind = "acceptThenHtml" });
        var to = Phones.Next();

        var response = await PostCreateAsync(to);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);

        await AddFaultAsync(new { kind = "acceptThenHtml" });
        await Assert.ThrowsAnyAsync<TwilioException>(() => Send(to));
        Assert.Equal(2, Simulator.Log.Snapshot(to).Count);
    }

    [Fact]
    public async Task Accept_then_truncated_json_answers_201_with_json_cut_short_yet_the_message_was_taken()
    {
        await AddFaultAsync(new { kind = "acceptThenTruncatedJson" });
        var to = Phones.Next();

        var response = await PostCreateAsync(to);
        var text = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.StartsWith("{", text);
        Assert.ThrowsAny<JsonException>(() => JsonDocument.Parse(text));

        await AddFaultAsync(new { kind = "acceptThenTruncatedJson" });
        await Assert.ThrowsAnyAsync<TwilioException>(() => Send(to));
        Assert.Equal(2, Simulator.Log.Snapshot(to).Count);
    }

    [Theory]
    [InlineData(null, "receiving")]
    [InlineData("teleported", "teleported")]
    public async Task Unknown_status_answers_the_created_message_with_that_status_while_it_is_delivered_as_usual(string? status, string expected)
    {
        await AddFaultAsync(status is null ? new { kind = "unknownStatus" } : new { kind = "unknownStatus", status });
        var to = Phones.Next();

        var message = await Send(to);

        Assert.Equal(expected, message.Status.ToString());
        await Wait.Until(() => Simulator.Log.Find(message.Sid)?.Status == "delivered");
    }

    [Fact]
    public async Task Credentials_refused_answers_401_20003_to_every_request_for_count_requests()
    {
        await AddFaultAsync(new { kind = "credentialsRefused", count = 2 });
        var to = Phones.Next();

        var create = await Assert.ThrowsAsync<ApiException>(() => Send(to));
        var list = await Assert.ThrowsAsync<ApiException>(() => MessageResource.ReadAsync(to: new PhoneNumber(to), client: Simulator.Twilio()));

        Assert.Equal((20003, 401), (create.Code, create.Status));
        Assert.Equal((20003, 401), (list.Code, list.Status));
        Assert.Empty(Simulator.Log.Snapshot(to));
        await Send(to);
        Assert.Single(Simulator.Log.Snapshot(to));
    }

    [Fact]
    public async Task Credentials_refused_for_a_while_refuses_every_request_until_it_lapses()
    {
        await AddFaultAsync(new { kind = "credentialsRefused", forMs = 400 });
        var to = Phones.Next();

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(20003, (await Assert.ThrowsAsync<ApiException>(() => Send(to))).Code);
        }
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (await Record.ExceptionAsync(() => Send(to)) is ApiException { Code: 20003 })
        {
            Assert.True(DateTime.UtcNow < deadline, "credentials still refused after 10 s");
            await Task.Delay(20);
        }

        Assert.Single(Simulator.Log.Snapshot(to));
        Assert.Empty(await ActiveFaultsAsync());
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
    [InlineData("""{"kind":"error500","status":"receiving"}""")]
    [InlineData("""{"kind":"unknownStatus","status":" "}""")]
    [InlineData("""{"kind":"credentialsRefused","forMs":0}""")]
    public async Task Nonsense_fault_is_refused_with_400(string json)
    {
        var response = await Simulator.Http.PostAsync("/simulator/faults", new StringContent(json, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Empty(await ActiveFaultsAsync());
    }

    private Task<MessageResource> Send(string to) =>
        MessageResource.CreateAsync(to: new PhoneNumber(to), from: new PhoneNumber(Phones.Sender), body: "x", client: Simulator.Twilio());

    private async Task<HttpResponseMessage> PostCreateAsync(string to, string? statusCallback = null)
    {
        var fields = new List<KeyValuePair<string, string>> { new("To", to), new("From", Phones.Sender), new("Body", "x") };
        if (statusCallback is not null) fields.Add(new("StatusCallback", statusCallback));
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/2010-04-01/Accounts/{SimulatorHost.AccountSid}/Messages.json")
        {
            Content = new FormUrlEncodedContent(fields),
        };
        request.Headers.Authorization = new("Basic", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{SimulatorHost.AccountSid}:{SimulatorHost.AuthToken}")));
        return await Simulator.Http.SendAsync(request);
    }

    private async Task AddFaultAsync(object fault) =>
        Assert.Equal(HttpStatusCode.Created, (await Simulator.Http.PostAsJsonAsync("/simulator/faults", fault)).StatusCode);

    private async Task<JsonElement[]> ActiveFaultsAsync() =>
        (await Simulator.Http.GetFromJsonAsync<JsonElement[]>("/simulator/faults"))!;
}
