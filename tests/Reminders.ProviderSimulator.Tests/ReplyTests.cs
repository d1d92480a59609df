using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Reminders.ProviderSimulator.Tests.Infrastructure;
using Twilio.Rest.Api.V2010.Account;
using Twilio.Security;
using Twilio.Types;

namespace Reminders.ProviderSimulator.Tests;

public class ReplyTests(SimulatorFixture fixture) : IClassFixture<SimulatorFixture>
{
    [Fact]
    public async Task Reply_reaches_the_inbound_webhook_signed_and_shaped_like_twilios()
    {
        var officer = Phones.Next();

        var response = await fixture.Simulator.Http.PostAsJsonAsync("/simulator/replies", new { from = officer, to = Phones.Sender, body = "SÍ, asistiré" });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var sent = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(200, sent.GetProperty("receiverStatus").GetInt32());
        var sid = sent.GetProperty("messageSid").GetString()!;
        var post = Assert.Single(await fixture.Receiver.WaitForAsync("/inbound", posts => posts.Any(p => p.Form["From"] == officer)),
            p => p.Form["From"] == officer);
        Assert.True(new RequestValidator(SimulatorHost.AuthToken).Validate(post.Url, post.Form.ToDictionary(), post.Signature));
        Assert.Equal(sid, post.Form["MessageSid"]);
        Assert.Equal(sid, post.Form["SmsSid"]);
        Assert.Equal(SimulatorHost.AccountSid, post.Form["AccountSid"]);
        Assert.Equal(Phones.Sender, post.Form["To"]);
        Assert.Equal("SÍ, asistiré", post.Form["Body"]);
        Assert.Equal("0", post.Form["NumMedia"]);
        Assert.Equal("1", post.Form["NumSegments"]);
        Assert.Equal("2010-04-01", post.Form["ApiVersion"]);
        Assert.Equal(post.Signature, sent.GetProperty("signature").GetString());
    }

    [Fact]
    public async Task Reply_without_to_answers_the_sender_of_the_latest_message()
    {
        var officer = Phones.Next();
        var ourSender = Phones.NextSender();
        await MessageResource.CreateAsync(to: new PhoneNumber(officer), from: new PhoneNumber(ourSender), body: "¿Asistirá?",
            client: fixture.Simulator.Twilio());

        var response = await fixture.Simulator.Http.PostAsJsonAsync("/simulator/replies", new { from = officer, body = "NO" });

        response.EnsureSuccessStatusCode();
        var post = (await fixture.Receiver.WaitForAsync("/inbound", posts => posts.Any(p => p.Form["From"] == officer)))
            .Single(p => p.Form["From"] == officer);
        Assert.Equal(ourSender, post.Form["To"]);
    }

    [Fact]
    public async Task Reply_without_a_valid_from_is_refused()
    {
        var response = await fixture.Simulator.Http.PostAsJsonAsync("/simulator/replies", new { from = "5512345678", body = "SI" });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }
}
