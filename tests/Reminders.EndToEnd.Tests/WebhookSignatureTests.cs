using System.Net;

namespace Reminders.EndToEnd.Tests;

/// <summary>Status callbacks and inbound replies are accepted only with X-Twilio-Signature valid for the exact URL and form.</summary>
public sealed class WebhookSignatureTests(SeededLocalHostFixture seeded) : IClassFixture<SeededLocalHostFixture>
{
    const string AuthToken = "simulator-fake-auth-token";
    readonly LocalHostFixture host = seeded.Host;

    Guid DeliveredSmsId => seeded.Flow.Delivered[0].SmsId;

    async Task<(long History, long Unmatched, string? Status)> RecordedAsync(Guid smsId)
    {
        var history = (await host.QueryAsync<long>("messaging", "SELECT COUNT(*) FROM sms_status_history WHERE sms_id = @id", new { id = smsId.ToString() }))[0];
        var unmatched = (await host.QueryAsync<long>("messaging", "SELECT COUNT(*) FROM unmatched_callbacks"))[0];
        var status = (await host.QueryAsync<string?>("messaging", "SELECT status FROM outbound_sms WHERE sms_id = @id", new { id = smsId.ToString() })).SingleOrDefault();
        return (history, unmatched, status);
    }

    async Task<HttpStatusCode> PostAsync(string path, Dictionary<string, string> form, string? signature)
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, host.Url + path) { Content = new FormUrlEncodedContent(form) };
        if (signature is not null) request.Headers.Add("X-Twilio-Signature", signature);
        using var response = await http.SendAsync(request);
        return response.StatusCode;
    }

    static Dictionary<string, string> Callback(string status) => new()
    {
        ["MessageSid"] = "SM00000000000000000000000000000001", ["SmsSid"] = "SM00000000000000000000000000000001",
        ["MessageStatus"] = status, ["SmsStatus"] = status, ["AccountSid"] = "ACsimulator00000000000000000000000",
        ["To"] = "+525500000101", ["From"] = "+15005550006", ["ErrorCode"] = "30003",
    };

    [Fact]
    public async Task A_callback_without_a_signature_is_refused_and_changes_nothing()
    {
        var path = $"/api/messaging/webhooks/twilio/status/{DeliveredSmsId}";
        var before = await RecordedAsync(DeliveredSmsId);
        Assert.Equal(HttpStatusCode.Forbidden, await PostAsync(path, Callback("undelivered"), signature: null));
        Assert.Equal(before, await RecordedAsync(DeliveredSmsId));
    }

    [Fact]
    public async Task A_callback_signed_with_the_wrong_token_is_refused_and_changes_nothing()
    {
        var path = $"/api/messaging/webhooks/twilio/status/{DeliveredSmsId}";
        var form = Callback("undelivered");
        var before = await RecordedAsync(DeliveredSmsId);
        Assert.Equal(HttpStatusCode.Forbidden, await PostAsync(path, form, TwilioSigner.Sign("not-the-token", host.Url + path, form)));
        Assert.Equal(before, await RecordedAsync(DeliveredSmsId));
    }

    [Fact]
    public async Task A_validly_signed_callback_replayed_with_a_changed_status_is_refused()
    {
        var path = $"/api/messaging/webhooks/twilio/status/{DeliveredSmsId}";
        var signature = TwilioSigner.Sign(AuthToken, host.Url + path, Callback("sent"));
        var before = await RecordedAsync(DeliveredSmsId);
        Assert.Equal(HttpStatusCode.Forbidden, await PostAsync(path, Callback("undelivered"), signature));
        Assert.Equal(before, await RecordedAsync(DeliveredSmsId));
        Assert.Equal("delivered", before.Status);
    }

    [Fact]
    public async Task A_signature_for_another_sms_url_is_refused()
    {
        var form = Callback("undelivered");
        var signature = TwilioSigner.Sign(AuthToken, $"{host.Url}/api/messaging/webhooks/twilio/status/{Guid.NewGuid()}", form);
        var before = await RecordedAsync(DeliveredSmsId);
        Assert.Equal(HttpStatusCode.Forbidden, await PostAsync($"/api/messaging/webhooks/twilio/status/{DeliveredSmsId}", form, signature));
        Assert.Equal(before, await RecordedAsync(DeliveredSmsId));
    }

    [Fact]
    public async Task A_late_sent_callback_after_delivered_is_kept_in_history_but_does_not_move_the_status_back()
    {
        var path = $"/api/messaging/webhooks/twilio/status/{DeliveredSmsId}";
        var form = Callback("sent");
        form.Remove("ErrorCode");
        var before = await RecordedAsync(DeliveredSmsId);
        Assert.Equal(HttpStatusCode.OK, await PostAsync(path, form, TwilioSigner.Sign(AuthToken, host.Url + path, form)));
        var after = await RecordedAsync(DeliveredSmsId);
        Assert.Equal(before.History + 1, after.History);
        Assert.Equal("delivered", after.Status);
    }

    [Fact]
    public async Task A_valid_callback_for_an_unknown_sms_is_kept_for_review()
    {
        var unknown = Guid.NewGuid();
        var path = $"/api/messaging/webhooks/twilio/status/{unknown}";
        var form = Callback("delivered");
        var before = await RecordedAsync(unknown);
        Assert.Equal(HttpStatusCode.OK, await PostAsync(path, form, TwilioSigner.Sign(AuthToken, host.Url + path, form)));
        Assert.Equal(before.Unmatched + 1, (await RecordedAsync(unknown)).Unmatched);
    }

    [Fact]
    public async Task An_inbound_reply_with_a_forged_signature_is_refused_and_not_stored()
    {
        const string path = "/api/messaging/webhooks/twilio/inbound";
        var form = new Dictionary<string, string>
        {
            ["MessageSid"] = "SM" + Guid.NewGuid().ToString("N"), ["From"] = "+525500000101", ["To"] = "+15005550006", ["Body"] = "BAJA",
            ["AccountSid"] = "ACsimulator00000000000000000000000", ["NumMedia"] = "0",
        };
        Assert.Equal(HttpStatusCode.Forbidden, await PostAsync(path, form, TwilioSigner.Sign("forged", host.Url + path, form)));
        Assert.Empty(await host.QueryAsync<long>("messaging", "SELECT id FROM inbound_sms WHERE provider_sid = @sid", new { sid = form["MessageSid"] }));

        Assert.Equal(HttpStatusCode.OK, await PostAsync(path, form, TwilioSigner.Sign(AuthToken, host.Url + path, form)));
        Assert.Single(await host.QueryAsync<long>("messaging", "SELECT id FROM inbound_sms WHERE provider_sid = @sid", new { sid = form["MessageSid"] }));
    }
}
