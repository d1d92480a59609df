using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Reminders.Contracts;
using Reminders.Messaging.Contacts;
using Reminders.Messaging.Delivery;
using Reminders.Messaging.Replies;
using Reminders.Platform;
using Reminders.Platform.Data;
using Reminders.Platform.Hosting;
using Reminders.Platform.Logging;
using Twilio.Security;

namespace Reminders.Messaging.Webhooks;

/// <summary>
/// The provider's calls into Messaging: status callbacks and inbound replies. Each must carry a valid
/// X-Twilio-Signature for the exact URL called; otherwise 403 and nothing is recorded.
/// </summary>
public static class TwilioWebhooksApi
{
    public static IEndpointRouteBuilder MapTwilioWebhooks(this IEndpointRouteBuilder app)
    {
        var hooks = app.MapGroup("").WithTags("Provider webhooks").AllowAnonymous().DisableAntiforgery();
        hooks.MapPost($"{WebhookUrls.StatusPath}/{{smsId:guid}}", ReceiveStatus)
            .WithSummary("The provider's status callback for one SMS (form fields as Twilio sends them; X-Twilio-Signature checked).");
        hooks.MapPost(WebhookUrls.InboundPath, ReceiveInbound)
            .WithSummary("An officer's reply, from the provider (form fields as Twilio sends them; X-Twilio-Signature checked).");
        return app;
    }

    static async Task<Results<Ok, ProblemHttpResult>> ReceiveStatus(
        Guid smsId, HttpRequest request, WebhookUrls urls, IOptions<TwilioOptions> twilio,
        StatusCallbackRecorder recorder, TimeProvider clock, CancellationToken ct)
    {
        var form = await ReadSignedFormAsync(request, urls, twilio.Value);
        if (form is null) return BadSignature();

        var status = form.GetValueOrDefault("MessageStatus") ?? form.GetValueOrDefault("SmsStatus") ?? "";
        var providerSid = form.GetValueOrDefault("MessageSid") ?? form.GetValueOrDefault("SmsSid");
        int? errorCode = int.TryParse(form.GetValueOrDefault("ErrorCode"), out var code) ? code : null;
        var payload = PhoneMask.MaskAll(string.Join('&', form.Select(p => $"{p.Key}={p.Value}")));
        // Answered only once recorded: a 200 tells the provider it need not send this callback again.
        await recorder.RecordAsync(new StatusCallback(smsId, status, providerSid, errorCode, payload, clock.GetUtcNow()), ct);
        return TypedResults.Ok();
    }

    static async Task<Results<ContentHttpResult, ProblemHttpResult>> ReceiveInbound(
        HttpRequest request, WebhookUrls urls, IOptions<TwilioOptions> twilio,
        MessagingDatabase database, InboundReplies replies, TimeProvider clock, CancellationToken ct)
    {
        var form = await ReadSignedFormAsync(request, urls, twilio.Value);
        if (form is null) return BadSignature();
        var providerSid = form.GetValueOrDefault("MessageSid") ?? form.GetValueOrDefault("SmsSid");
        var from = form.GetValueOrDefault("From") ?? "";
        if (string.IsNullOrEmpty(providerSid))
            return Refusals.Refuse(StatusCodes.Status400BadRequest, "MessageSid", "Invalid webhook", "MessageSid is missing.");

        var body = form.GetValueOrDefault("Body") ?? "";
        var now = clock.GetUtcNow();
        await replies.WaitForSendsInFlightAsync(database, from, body, ct);
        await using var work = await database.BeginAsync(ct);
        // During a phone's hand-over two officers briefly share it: the reply is the one still on the roster's, else the latest holder's.
        var officerId = await work.QuerySingleOrDefaultAsync<Guid?>($"""
            SELECT c.officer_id FROM contacts c LEFT JOIN officer_statuses s ON s.officer_id = c.officer_id
            WHERE c.phone_e164 = @phone
            ORDER BY CASE WHEN s.status = '{OfficerStatuses.Inactive}' THEN 1 ELSE 0 END, c.updated_at DESC LIMIT 1
            """, new { phone = MexicanPhones.Canonical(from) }, ct);
        // The provider retries a webhook it did not see answered: the same MessageSid is stored and acted on once.
        var inboundId = await work.QuerySingleOrDefaultAsync<long?>("""
            INSERT INTO inbound_sms (provider_sid, from_phone, to_phone, body, officer_id, received_at)
            VALUES (@providerSid, @from, @to, @body, @officerId, @now) ON CONFLICT (provider_sid) DO NOTHING RETURNING id
            """, new { providerSid, from, to = form.GetValueOrDefault("To") ?? "", body, officerId, now }, ct);
        if (inboundId is { } id) await replies.HandleAsync(work, id, officerId, body, now, ct);
        await work.CommitAsync(ct);
        return TypedResults.Content("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response></Response>", "text/xml");
    }

    /// <summary>The posted form when its X-Twilio-Signature is valid for the URL called; null otherwise.</summary>
    static async Task<Dictionary<string, string>?> ReadSignedFormAsync(HttpRequest request, WebhookUrls urls, TwilioOptions twilio)
    {
        var signature = request.Headers["X-Twilio-Signature"].ToString();
        if (string.IsNullOrEmpty(signature) || !request.HasFormContentType) return null;
        IFormCollection posted;
        try { posted = await request.ReadFormAsync(); }
        // A form ASP.NET refuses to read (a NUL character, too many or too long values) is the caller's mistake: 400, not a crash.
        catch (InvalidDataException ex) { throw new BadHttpRequestException($"The form cannot be read: {ex.Message}", StatusCodes.Status400BadRequest, ex); }
        var form = posted.ToDictionary(p => p.Key, p => p.Value.ToString());
        return new RequestValidator(twilio.AuthToken).Validate(urls.ForSignature(request), form, signature) ? form : null;
    }

    static ProblemHttpResult BadSignature() =>
        Refusals.Forbidden("X-Twilio-Signature", "Invalid signature", "X-Twilio-Signature is missing or does not match this request.");
}
