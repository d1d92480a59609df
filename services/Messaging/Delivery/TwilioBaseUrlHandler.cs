namespace Reminders.Messaging.Delivery;

/// <summary>
/// Points the Twilio SDK at a Twilio-compatible server (the SDK has no base-URL option): rewrites scheme,
/// host and port of each request and keeps the path and query.
/// </summary>
public sealed class TwilioBaseUrlHandler(Uri baseUrl, HttpMessageHandler inner) : DelegatingHandler(inner)
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.RequestUri is { } uri)
            request.RequestUri = new UriBuilder(uri) { Scheme = baseUrl.Scheme, Host = baseUrl.Host, Port = baseUrl.Port }.Uri;
        return base.SendAsync(request, cancellationToken);
    }
}
