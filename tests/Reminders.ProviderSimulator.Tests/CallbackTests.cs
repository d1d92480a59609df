using System.Net.Http.Json;
using Reminders.ProviderSimulator.Tests.Infrastructure;
using Twilio.Rest.Api.V2010.Account;
using Twilio.Security;
using Twilio.Types;

namespace Reminders.ProviderSimulator.Tests;

public class CallbackTests(SimulatorFixture fixture) : IClassFixture<SimulatorFixture>
{
    private SimulatorHost Simulator => fixture.Simulator;
    private WebhookReceiver Receiver => fixture.Receiver;

    [Fact]
    public async Task Status_callbacks_report_sent_then_delivered_signed_so_the_sdk_validator_accepts_them()
    {
        var path = NewPath();
        var to = Phones.Next();
        var message = await SendAsync(to, Receiver.UrlFor(path + "?study=cdmx&wave=1"));

        var posts = await Receiver.WaitForCountAsync(path, 2);

        Assert.Equal(["sent", "delivered"], posts.Select(p => p.Form["MessageStatus"]));
        var validator = new RequestValidator(SimulatorHost.AuthToken);
        foreach (var post in posts)
        {
            Assert.Equal("application/x-www-form-urlencoded", post.ContentType);
            Assert.True(validator.Validate(post.Url, Dictionary(post.Form), post.Signature));
            Assert.Equal(message.Sid, post.Form["MessageSid"]);
            Assert.Equal(message.Sid, post.Form["SmsSid"]);
            Assert.Equal(post.Form["MessageStatus"], post.Form["SmsStatus"]);
            Assert.Equal(SimulatorHost.AccountSid, post.Form["AccountSid"]);
            Assert.Equal(Phones.Sender, post.Form["From"]);
            Assert.Equal(to, post.Form["To"]);
            Assert.Equal("2010-04-01", post.Form["ApiVersion"]);
            Assert.False(post.Form.ContainsKey("ErrorCode"));
        }
        var fetched = await MessageResource.FetchAsync(pathSid: message.Sid, client: Simulator.Twilio());
        Assert.Equal(MessageResource.StatusEnum.Delivered, fetched.Status);
    }

    [Fact]
    public async Task Tampered_callback_or_wrong_token_fails_validation()
    {
        var path = NewPath();
        await SendAsync(Phones.Next(), Receiver.UrlFor(path));
        var post = (await Receiver.WaitForCountAsync(path, 1))[0];

        var tampered = Dictionary(post.Form);
        tampered["MessageStatus"] = "delivered";
        tampered["SmsStatus"] = "delivered";

        Assert.True(new RequestValidator(SimulatorHost.AuthToken).Validate(post.Url, Dictionary(post.Form), post.Signature));
        Assert.False(new RequestValidator(SimulatorHost.AuthToken).Validate(post.Url, tampered, post.Signature));
        Assert.False(new RequestValidator("another-token").Validate(post.Url, Dictionary(post.Form), post.Signature));
        Assert.False(new RequestValidator(SimulatorHost.AuthToken).Validate(post.Url + "&x=1", Dictionary(post.Form), post.Signature));
    }

    [Theory]
    [InlineData(Phones.UndeliveredPrefix, "undelivered", 30003)]
    [InlineData(Phones.FailedPrefix, "failed", 30008)]
    public async Task Outcome_rules_end_the_message_with_the_carrier_error(string prefix, string status, int errorCode)
    {
        var path = NewPath();
        var message = await SendAsync(Phones.WithPrefix(prefix), Receiver.UrlFor(path));

        var posts = await Receiver.WaitForCountAsync(path, 2);

        Assert.Equal(["sent", status], posts.Select(p => p.Form["MessageStatus"]));
        Assert.Equal(errorCode.ToString(), posts[1].Form["ErrorCode"]);
        var fetched = await MessageResource.FetchAsync(pathSid: message.Sid, client: Simulator.Twilio());
        Assert.Equal(status, fetched.Status.ToString());
        Assert.Equal(errorCode, fetched.ErrorCode);
        Assert.NotNull(fetched.ErrorMessage);
        Assert.Equal(errorCode, Simulator.Log.Find(message.Sid)!.ErrorCode);
    }

    [Fact]
    public async Task Callbacks_of_a_messaging_service_message_name_the_service_and_the_sender_it_picked()
    {
        var path = NewPath();
        var message = await MessageResource.CreateAsync(
            to: new PhoneNumber(Phones.Next()), messagingServiceSid: "MGabcdefabcdefabcdefabcdefabcdefab", body: "Hola",
            statusCallback: new Uri(Receiver.UrlFor(path)), client: Simulator.Twilio());

        var posts = await Receiver.WaitForCountAsync(path, 2);

        Assert.All(posts, p => Assert.Equal("MGabcdefabcdefabcdefabcdefabcdefab", p.Form["MessagingServiceSid"]));
        Assert.All(posts, p => Assert.Equal("+15005550006", p.Form["From"]));
        Assert.Equal(message.Sid, posts[0].Form["MessageSid"]);
    }

    [Fact]
    public async Task Callback_answered_with_503_is_retried()
    {
        var path = NewPath();
        Receiver.FailNext(path, 1);
        await SendAsync(Phones.Next(), Receiver.UrlFor(path));

        var posts = await Receiver.WaitForCountAsync(path, 3);

        Assert.Equal(["sent", "sent", "delivered"], posts.Select(p => p.Form["MessageStatus"]));
        Assert.Equal(posts[0].IdempotencyToken, posts[1].IdempotencyToken);
    }

    [Fact]
    public async Task Out_of_order_fault_posts_delivered_before_sent_while_the_status_stays_delivered()
    {
        await AddFaultAsync(new { kind = "callbacksOutOfOrder" });
        var path = NewPath();
        var message = await SendAsync(Phones.Next(), Receiver.UrlFor(path));

        var posts = await Receiver.WaitForCountAsync(path, 2);

        Assert.Equal(["delivered", "sent"], posts.Select(p => p.Form["MessageStatus"]));
        Assert.Equal("delivered", Simulator.Log.Find(message.Sid)!.Status);
    }

    [Fact]
    public async Task Duplicate_fault_posts_every_callback_twice()
    {
        await AddFaultAsync(new { kind = "duplicateCallbacks" });
        var path = NewPath();
        await SendAsync(Phones.Next(), Receiver.UrlFor(path));

        var posts = await Receiver.WaitForCountAsync(path, 4);

        Assert.Equal(["sent", "sent", "delivered", "delivered"], posts.Select(p => p.Form["MessageStatus"]));
    }

    [Fact]
    public async Task Message_without_status_callback_still_reaches_delivered()
    {
        var message = await MessageResource.CreateAsync(
            to: new PhoneNumber(Phones.Next()), from: new PhoneNumber(Phones.Sender), body: "x", client: Simulator.Twilio());

        await Wait.Until(() => Simulator.Log.Find(message.Sid)!.Status == "delivered");
    }

    private static string NewPath() => $"/status/{Guid.NewGuid():N}";

    private static Dictionary<string, string> Dictionary(IReadOnlyDictionary<string, string> form) => form.ToDictionary();

    private Task<MessageResource> SendAsync(string to, string statusCallback) =>
        MessageResource.CreateAsync(to: new PhoneNumber(to), from: new PhoneNumber(Phones.Sender), body: "Recordatorio",
            statusCallback: new Uri(statusCallback), client: Simulator.Twilio());

    private async Task AddFaultAsync(object fault) =>
        (await Simulator.Http.PostAsJsonAsync("/simulator/faults", fault)).EnsureSuccessStatusCode();
}
