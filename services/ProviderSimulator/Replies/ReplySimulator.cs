using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using Reminders.ProviderSimulator.Delivery;
using Reminders.ProviderSimulator.Log;

namespace Reminders.ProviderSimulator.Replies;

/// <summary>An officer's reply. Without <c>to</c>, it answers the sender of the latest message to <c>from</c>.</summary>
public sealed record SimulatedReply(
    [property: JsonPropertyName("from")] string? From,
    [property: JsonPropertyName("to")] string? To,
    [property: JsonPropertyName("body")] string? Body);

/// <summary>What the simulator posted to the inbound webhook, and how the receiver answered (null when unreachable).</summary>
public sealed record ReplyDelivery(
    string MessageSid,
    string Url,
    IReadOnlyDictionary<string, string> Parameters,
    string Signature,
    int? ReceiverStatus,
    string? Error);

/// <summary>
/// Posts a Twilio-shaped, signed incoming-SMS webhook to <see cref="SimulatorOptions.InboundWebhookUrl"/>, after applying
/// Twilio's opt-out and opt-in keywords (<see cref="OptOutBlocks"/>).
/// </summary>
internal sealed partial class ReplySimulator(IHttpClientFactory httpClients, SimulatorLog log, OptOutBlocks optOuts, IOptions<SimulatorOptions> options)
{
    public async Task<(ReplyDelivery? Delivery, string? Problem)> SendAsync(SimulatedReply reply, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        if (string.IsNullOrWhiteSpace(settings.InboundWebhookUrl))
        {
            return (null, "Simulator:InboundWebhookUrl is not configured.");
        }
        if (reply.From is null || !E164().IsMatch(reply.From))
        {
            return (null, "'from' must be an E.164 number.");
        }
        if (string.IsNullOrEmpty(reply.Body))
        {
            return (null, "'body' is required.");
        }
        var latest = log.LatestTo(reply.From);
        var to = reply.To ?? latest?.From ?? settings.MessagingServiceFrom;
        var service = latest is not null && latest.From == to ? latest.MessagingServiceSid : null;

        // Twilio records the opt-out or opt-in first, then passes the message on to the webhook.
        optOuts.Apply(reply.From, reply.Body, to, service);
        var sid = "SM" + Guid.NewGuid().ToString("N");
        var webhook = Webhook.Inbound(settings.InboundWebhookUrl, sid, reply.From, to, reply.Body, service, settings.AccountSid, settings.AuthToken);
        int? status = null;
        string? error = null;
        try
        {
            using var request = webhook.ToRequest();
            using var response = await httpClients.CreateClient(CallbackDispatcher.HttpClientName).SendAsync(request, cancellationToken);
            status = (int)response.StatusCode;
        }
        catch (HttpRequestException e)
        {
            error = e.Message;
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            error = "timeout";
        }
        log.CountReply();
        var parameters = webhook.Parameters.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        return (new ReplyDelivery(sid, webhook.Url, parameters, webhook.Signature, status, error), null);
    }

    [GeneratedRegex(@"^\+[1-9][0-9]{1,14}$")]
    private static partial Regex E164();
}
