using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;
using Reminders.Messaging.Delivery;

namespace Reminders.Messaging.Webhooks;

/// <summary>
/// The public addresses of Messaging's webhooks: the status-callback URL given to the provider for each SMS,
/// and the URL a received webhook's signature is checked against (Twilio signs the exact URL it called).
/// Without <c>Messaging:PublicBaseUrl</c>, the address this server listens on is used (the one-process default).
/// </summary>
public sealed class WebhookUrls(IOptions<MessagingOptions> options, IServer server)
{
    public const string StatusPath = "/api/messaging/webhooks/twilio/status";
    public const string InboundPath = "/api/messaging/webhooks/twilio/inbound";

    public Uri StatusCallback(Guid smsId) => new($"{BaseUrl()}{StatusPath}/{smsId}");

    public string ForSignature(HttpRequest request) => $"{BaseUrl()}{request.Path}{request.QueryString}";

    string BaseUrl()
    {
        if (!string.IsNullOrWhiteSpace(options.Value.PublicBaseUrl)) return options.Value.PublicBaseUrl.TrimEnd('/');
        var address = server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()
            ?? throw new InvalidOperationException("Messaging:PublicBaseUrl is not set and the server has no address yet.");
        return address.Replace("://+", "://127.0.0.1").Replace("://*", "://127.0.0.1").Replace("://0.0.0.0", "://127.0.0.1")
            .Replace("://[::]", "://127.0.0.1").TrimEnd('/');
    }
}
