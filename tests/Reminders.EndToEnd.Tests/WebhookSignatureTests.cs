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

    [Fact]
    public async Task A_validly_signed_callback_replayed_with_any_one_parameter_changed_added_or_removed_is_refused()
    {
        var path = $"/api/messaging/webhooks/twilio/status/{DeliveredSmsId}";
        var signed = Callback("undelivered");
        var signature = TwilioSigner.Sign(AuthToken, host.Url + path, signed);
        var before = await RecordedAsync(DeliveredSmsId);
        var tampered = new List<(string Change, Dictionary<string, string> Form)>();
        foreach (var key in signed.Keys)
        {
            tampered.Add(($"{key} changed", new Dictionary<string, string>(signed) { [key] = signed[key] + "0" }));
            var removed = new Dictionary<string, string>(signed);
            removed.Remove(key);
            tampered.Add(($"{key} removed", removed));
        }
        tampered.Add(("a parameter added", new Dictionary<string, string>(signed) { ["Price"] = "-0.0075" }));
        tampered.Add(("a value's case changed", new Dictionary<string, string>(signed) { ["MessageStatus"] = "Undelivered" }));

        foreach (var (change, form) in tampered)
            Assert.True(await PostAsync(path, form, signature) == HttpStatusCode.Forbidden, change);
        // The same signed form on the same URL with a query string added is another URL.
        Assert.Equal(HttpStatusCode.Forbidden, await PostAsync(path + "?retry=1", signed, signature));

        Assert.Equal(before, await RecordedAsync(DeliveredSmsId));
        Assert.Equal("delivered", before.Status);
    }

    [Fact]
    public async Task An_inbound_reply_replayed_with_a_changed_body_or_sender_is_refused_and_not_stored()
    {
        const string path = "/api/messaging/webhooks/twilio/inbound";
        var signed = new Dictionary<string, string>
        {
            ["MessageSid"] = "SM" + Guid.NewGuid().ToString("N"), ["From"] = "+525500000101", ["To"] = "+15005550006", ["Body"] = "OK",
            ["AccountSid"] = "ACsimulator00000000000000000000000", ["NumMedia"] = "0",
        };
        var signature = TwilioSigner.Sign(AuthToken, host.Url + path, signed);
        var inboundBefore = (await host.QueryAsync<long>("messaging", "SELECT COUNT(*) FROM inbound_sms"))[0];

        Assert.Equal(HttpStatusCode.Forbidden, await PostAsync(path, new Dictionary<string, string>(signed) { ["Body"] = "BAJA" }, signature));
        Assert.Equal(HttpStatusCode.Forbidden, await PostAsync(path, new Dictionary<string, string>(signed) { ["From"] = "+525500000102" }, signature));
        Assert.Equal(HttpStatusCode.Forbidden, await PostAsync(path, signed, signature: ""));

        Assert.Equal(inboundBefore, (await host.QueryAsync<long>("messaging", "SELECT COUNT(*) FROM inbound_sms"))[0]);
    }

    [Fact]
    public async Task A_signed_webhook_that_is_not_a_form_is_refused()
    {
        var path = $"/api/messaging/webhooks/twilio/status/{DeliveredSmsId}";
        var before = await RecordedAsync(DeliveredSmsId);
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, host.Url + path)
        {
            Content = new StringContent("""{"MessageStatus":"undelivered"}""", System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("X-Twilio-Signature", TwilioSigner.Sign(AuthToken, host.Url + path, new Dictionary<string, string>()));
        using var response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal(before, await RecordedAsync(DeliveredSmsId));
    }

    [Fact]
    public async Task Odd_but_validly_signed_callbacks_for_unknown_sms_are_kept_for_review_with_phones_masked_and_no_crash()
    {
        var odd = new[]
        {
            new Dictionary<string, string>(),
            new Dictionary<string, string> { ["MessageStatus"] = "not-a-status", ["ErrorCode"] = "99999999999999999999", ["To"] = "+525500000101" },
            new Dictionary<string, string> { ["MessageSid"] = new string('S', 5000), ["MessageStatus"] = "delivered'; DROP TABLE outbound_sms; --\u202E" },
        };
        foreach (var form in odd)
        {
            var unknown = Guid.NewGuid();
            var path = $"/api/messaging/webhooks/twilio/status/{unknown}";
            Assert.Equal(HttpStatusCode.OK, await PostAsync(path, form, TwilioSigner.Sign(AuthToken, host.Url + path, form)));
            var payload = Assert.Single(await host.QueryAsync<string>("messaging", "SELECT payload FROM unmatched_callbacks WHERE sms_id = @id", new { id = unknown.ToString() }));
            Assert.DoesNotContain("5500000101", payload);
        }
        Assert.Equal("delivered", (await RecordedAsync(DeliveredSmsId)).Status);
    }

    [Fact]
    public async Task A_validly_signed_callback_with_an_unknown_status_is_kept_in_history_and_does_not_move_the_status()
    {
        var path = $"/api/messaging/webhooks/twilio/status/{DeliveredSmsId}";
        var form = Callback("exploded");
        var before = await RecordedAsync(DeliveredSmsId);
        Assert.Equal(HttpStatusCode.OK, await PostAsync(path, form, TwilioSigner.Sign(AuthToken, host.Url + path, form)));
        var after = await RecordedAsync(DeliveredSmsId);
        Assert.Equal((before.History + 1, "delivered"), (after.History, after.Status));
    }

    [Fact]
    public async Task A_validly_signed_inbound_reply_without_a_message_sid_is_a_400_naming_the_field()
    {
        const string path = "/api/messaging/webhooks/twilio/inbound";
        var form = new Dictionary<string, string> { ["From"] = "+525500000101", ["Body"] = "OK" };
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, host.Url + path) { Content = new FormUrlEncodedContent(form) };
        request.Headers.Add("X-Twilio-Signature", TwilioSigner.Sign(AuthToken, host.Url + path, form));
        using var response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("\"field\":\"MessageSid\"", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_signed_form_with_a_nul_character_is_a_400_naming_the_body_and_records_nothing()
    {
        var unknown = Guid.NewGuid();
        var path = $"/api/messaging/webhooks/twilio/status/{unknown}";
        var form = new Dictionary<string, string> { ["MessageStatus"] = "delivered\u0000" };
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, host.Url + path) { Content = new FormUrlEncodedContent(form) };
        request.Headers.Add("X-Twilio-Signature", TwilioSigner.Sign(AuthToken, host.Url + path, form));
        using var response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("\"field\":\"body\"", await response.Content.ReadAsStringAsync());
        Assert.Empty(await host.QueryAsync<string>("messaging", "SELECT payload FROM unmatched_callbacks WHERE sms_id = @id", new { id = unknown.ToString() }));
    }
}
