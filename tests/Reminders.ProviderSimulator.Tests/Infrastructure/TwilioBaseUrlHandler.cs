namespace Reminders.ProviderSimulator.Tests.Infrastructure;

/// <summary>
/// Points the Twilio SDK (which has no base-URL option) at another server: rewrites scheme, host and
/// port of each request and keeps its path and query.
/// </summary>
public sealed class TwilioBaseUrlHandler(Uri baseAddress) : DelegatingHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.RequestUri is { } original)
        {
            request.RequestUri = new UriBuilder(original)
            {
                Scheme = baseAddress.Scheme,
                Host = baseAddress.Host,
                Port = baseAddress.Port,
            }.Uri;
        }
        return base.SendAsync(request, cancellationToken);
    }
}
