using Reminders.ProviderSimulator.Log;
using Reminders.ProviderSimulator.Segments;

namespace Reminders.ProviderSimulator.Delivery;

/// <summary>A signed, form-encoded POST the simulator makes to the application, as Twilio would.</summary>
internal sealed record Webhook(string Url, IReadOnlyList<KeyValuePair<string, string>> Parameters, string Signature, string IdempotencyToken)
{
    public static Webhook Signed(string url, List<KeyValuePair<string, string>> parameters, string authToken, string idempotencyToken) =>
        new(url, parameters, TwilioSignature.Compute(authToken, url, parameters), idempotencyToken);

    /// <summary>Twilio's status callback for one status of an outbound message.</summary>
    public static Webhook StatusCallback(SimulatedMessage m, string status, int? errorCode, string accountSid, string authToken)
    {
        var parameters = new List<KeyValuePair<string, string>>
        {
            new("MessageSid", m.Sid),
            new("SmsSid", m.Sid),
            new("SmsStatus", status),
            new("MessageStatus", status),
            new("AccountSid", accountSid),
            new("From", m.From ?? ""),
            new("To", m.To),
            new("ApiVersion", "2010-04-01"),
        };
        if (m.MessagingServiceSid is { } service)
        {
            parameters.Add(new("MessagingServiceSid", service));
        }
        if (errorCode is { } code)
        {
            parameters.Add(new("ErrorCode", code.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }
        return Signed(m.StatusCallback!, parameters, authToken, $"{m.Sid}-{status}");
    }

    /// <summary>Twilio's incoming-message webhook.</summary>
    public static Webhook Inbound(string url, string sid, string from, string to, string body, string? messagingServiceSid, string accountSid, string authToken)
    {
        var parameters = new List<KeyValuePair<string, string>>
        {
            new("MessageSid", sid),
            new("SmsSid", sid),
            new("SmsMessageSid", sid),
            new("AccountSid", accountSid),
            new("From", from),
            new("To", to),
            new("Body", body),
            new("NumMedia", "0"),
            new("NumSegments", SmsSegments.Count(body).Segments.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            new("SmsStatus", "received"),
            new("ApiVersion", "2010-04-01"),
        };
        if (messagingServiceSid is not null)
        {
            parameters.Add(new("MessagingServiceSid", messagingServiceSid));
        }
        return Signed(url, parameters, authToken, sid);
    }

    public HttpRequestMessage ToRequest()
    {
        var request = new HttpRequestMessage(HttpMethod.Post, Url) { Content = new FormUrlEncodedContent(Parameters) };
        request.Headers.TryAddWithoutValidation(TwilioSignature.Header, Signature);
        request.Headers.TryAddWithoutValidation("I-Twilio-Idempotency-Token", IdempotencyToken);
        request.Headers.TryAddWithoutValidation("User-Agent", "TwilioProxy/1.1");
        return request;
    }
}
