using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Reminders.ProviderSimulator.Tests.Infrastructure;
using Twilio.Exceptions;
using Twilio.Rest.Api.V2010.Account;
using Twilio.Types;

namespace Reminders.ProviderSimulator.Tests;

/// <summary>
/// Twilio's built-in opt-out: a reply that is one of STOP, STOPALL, UNSUBSCRIBE, CANCEL, END, QUIT (REVOKE, OPTOUT) blocks
/// the number for the sender it answered (21610 on every later create) until START, UNSTOP or YES comes from it. The reply
/// still reaches the inbound webhook. Other words, Spanish ones included, neither block nor unblock.
/// </summary>
public class OptOutTests(SimulatorFixture fixture) : IClassFixture<SimulatorFixture>
{
    private const string ServiceSid = "MG0123456789abcdef0123456789abcdef";

    private SimulatorHost Simulator => fixture.Simulator;

    private async Task ReplyAsync(string from, string to, string body)
    {
        using var response = await Simulator.Http.PostAsJsonAsync("/simulator/replies", new { from, to, body });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    /// <summary>One create from <paramref name="from"/>: null when accepted, else Twilio's error code.</summary>
    private async Task<int?> TrySendAsync(string to, string from)
    {
        try
        {
            await MessageResource.CreateAsync(to: new PhoneNumber(to), from: new PhoneNumber(from), body: "Recordatorio", client: Simulator.Twilio());
            return null;
        }
        catch (ApiException e)
        {
            return e.Code;
        }
    }

    [Theory]
    [InlineData("STOP")]
    [InlineData("stop")]
    [InlineData(" Stop ")]
    [InlineData("STOPALL")]
    [InlineData("UNSUBSCRIBE")]
    [InlineData("CANCEL")]
    [InlineData("END")]
    [InlineData("QUIT")]
    public async Task An_opt_out_keyword_blocks_every_later_send_from_that_sender_with_21610(string keyword)
    {
        var (officer, sender) = (Phones.Next(), Phones.NextSender());
        Assert.Null(await TrySendAsync(officer, sender));

        await ReplyAsync(officer, sender, keyword);

        Assert.Equal(21610, await TrySendAsync(officer, sender));
        Assert.Equal(21610, await TrySendAsync(officer, sender));
    }

    [Fact]
    public async Task A_blocked_send_is_answered_with_twilios_error_body_and_nothing_is_logged()
    {
        var (officer, sender) = (Phones.Next(), Phones.NextSender());
        await ReplyAsync(officer, sender, "STOP");
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/2010-04-01/Accounts/{SimulatorHost.AccountSid}/Messages.json")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["To"] = officer, ["From"] = sender, ["Body"] = "x" }),
        };
        request.Headers.Authorization = new("Basic", Convert.ToBase64String(System.Text.Encoding.ASCII.GetBytes($"{SimulatorHost.AccountSid}:{SimulatorHost.AuthToken}")));

        using var response = await Simulator.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(21610, body.GetProperty("code").GetInt32());
        Assert.Equal(400, body.GetProperty("status").GetInt32());
        Assert.Equal("https://www.twilio.com/docs/errors/21610", body.GetProperty("more_info").GetString());
        Assert.Empty(Simulator.Log.Snapshot(officer));
    }

    [Theory]
    [InlineData("START")]
    [InlineData("unstop")]
    [InlineData("Yes")]
    public async Task Only_an_opt_in_keyword_lifts_the_block(string keyword)
    {
        var (officer, sender) = (Phones.Next(), Phones.NextSender());
        await ReplyAsync(officer, sender, "STOP");

        await ReplyAsync(officer, sender, keyword);

        Assert.Null(await TrySendAsync(officer, sender));
    }

    [Theory]
    [InlineData("BAJA")]
    [InlineData("ALTO")]
    [InlineData("CANCELAR")]
    [InlineData("stop please")]
    [InlineData("Stop.")]
    public async Task Other_words_do_not_block(string body)
    {
        var (officer, sender) = (Phones.Next(), Phones.NextSender());

        await ReplyAsync(officer, sender, body);

        Assert.Null(await TrySendAsync(officer, sender));
    }

    [Theory]
    [InlineData("ALTA")]
    [InlineData("OK")]
    [InlineData("start please")]
    public async Task Other_words_do_not_lift_the_block(string body)
    {
        var (officer, sender) = (Phones.Next(), Phones.NextSender());
        await ReplyAsync(officer, sender, "STOP");

        await ReplyAsync(officer, sender, body);

        Assert.Equal(21610, await TrySendAsync(officer, sender));
    }

    [Fact]
    public async Task The_opt_out_keyword_still_reaches_the_inbound_webhook()
    {
        var (officer, sender) = (Phones.Next(), Phones.NextSender());

        await ReplyAsync(officer, sender, "STOP");

        var posts = await fixture.Receiver.WaitForAsync("/inbound", p => p.Any(x => x.Form["From"] == officer));
        Assert.Equal("STOP", posts.Single(p => p.Form["From"] == officer).Form["Body"]);
    }

    [Fact]
    public async Task The_block_is_for_the_sender_answered_other_senders_and_other_numbers_are_not_blocked()
    {
        var (officer, other, sender, otherSender) = (Phones.Next(), Phones.Next(), Phones.NextSender(), Phones.NextSender());

        await ReplyAsync(officer, sender, "STOP");

        Assert.Equal(21610, await TrySendAsync(officer, sender));
        Assert.Null(await TrySendAsync(officer, otherSender));
        Assert.Null(await TrySendAsync(other, sender));
    }

    [Fact]
    public async Task A_stop_to_a_messaging_services_message_blocks_sends_through_that_service()
    {
        var officer = Phones.Next();
        var rest = Simulator.Twilio();
        var first = await MessageResource.CreateAsync(to: new PhoneNumber(officer), messagingServiceSid: ServiceSid, body: "Hola", client: rest);
        await Wait.Until(() => Simulator.Log.Find(first.Sid)!.From is not null);

        // Without "to", the reply answers the service's number, as the officer's phone would.
        using (var response = await Simulator.Http.PostAsJsonAsync("/simulator/replies", new { from = officer, body = "STOP" }))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var error = await Assert.ThrowsAsync<ApiException>(() =>
            MessageResource.CreateAsync(to: new PhoneNumber(officer), messagingServiceSid: ServiceSid, body: "Otra vez", client: rest));
        Assert.Equal((21610, 400), (error.Code, error.Status));

        using (var response = await Simulator.Http.PostAsJsonAsync("/simulator/replies", new { from = officer, body = "START" }))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        await MessageResource.CreateAsync(to: new PhoneNumber(officer), messagingServiceSid: ServiceSid, body: "De nuevo", client: rest);
    }

    [Fact]
    public async Task Resetting_the_log_lifts_every_block()
    {
        var (officer, sender) = (Phones.Next(), Phones.NextSender());
        var host = await SimulatorHost.StartAsync(new Dictionary<string, string?> { ["Simulator:InboundWebhookUrl"] = fixture.Receiver.UrlFor("/inbound") });
        await using (host)
        {
            using (var response = await host.Http.PostAsJsonAsync("/simulator/replies", new { from = officer, to = sender, body = "STOP" }))
            {
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            }
            var blocked = await Assert.ThrowsAsync<ApiException>(() =>
                MessageResource.CreateAsync(to: new PhoneNumber(officer), from: new PhoneNumber(sender), body: "x", client: host.Twilio()));
            Assert.Equal(21610, blocked.Code);

            (await host.Http.DeleteAsync("/simulator/messages")).EnsureSuccessStatusCode();

            await MessageResource.CreateAsync(to: new PhoneNumber(officer), from: new PhoneNumber(sender), body: "x", client: host.Twilio());
        }
    }
}
