using Microsoft.Extensions.Options;
using Reminders.Messaging.Delivery;
using Twilio.Clients;
using Twilio.Exceptions;
using Twilio.Http;
using Twilio.Rest.Api.V2010.Account;

namespace Reminders.Messaging.Audit;

/// <summary>The provider answered the log's request with something that is not a page of messages.</summary>
public sealed class ProviderLogUnreadableException(string message, Exception inner) : Exception(message, inner);

/// <summary>One outbound message in the provider's log. The body is kept only as a hash (to spot the same text twice).</summary>
public sealed record ProviderMessage(string Sid, string To, int BodyHash, string Status, int? ErrorCode, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

/// <summary>
/// The provider's log of outbound messages, read through the real Twilio SDK's list API (newest first, page after page)
/// against Twilio or the simulator, with the same credentials and base URL as <see cref="TwilioSmsSender"/>.
/// </summary>
public sealed class ProviderMessages
{
    readonly TwilioRestClient client;
    readonly int pageSize;

    public ProviderMessages(IOptions<TwilioOptions> twilio, IOptions<AuditOptions> audit)
    {
        var options = twilio.Value;
        HttpMessageHandler handler = new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) };
        if (!string.IsNullOrEmpty(options.BaseUrl)) handler = new TwilioBaseUrlHandler(new Uri(options.BaseUrl), handler);
        var http = new System.Net.Http.HttpClient(handler) { Timeout = TimeSpan.FromSeconds(audit.Value.ProviderRequestTimeoutSeconds) };
        client = new TwilioRestClient(options.AccountSid, options.AuthToken, httpClient: new SystemNetHttpClient(http));
        pageSize = Math.Clamp(audit.Value.ProviderPageSize, 1, 1000);
    }

    /// <summary>
    /// Every outbound message sent in [<paramref name="from"/>, <paramref name="to"/>] (Twilio's DateSent filters, which
    /// the SDK sends in whole seconds); no bound means no filter. Inbound messages are skipped.
    /// </summary>
    public async Task<IReadOnlyList<ProviderMessage>> ReadAsync(DateTimeOffset? from, DateTimeOffset? to, CancellationToken ct)
    {
        var read = new ReadMessageOptions { PageSize = pageSize };
        if (from is { } start) read.DateSentAfter = start.UtcDateTime;
        if (to is { } end) read.DateSentBefore = end.UtcDateTime;
        var messages = new List<ProviderMessage>();
        try
        {
            foreach (var m in await MessageResource.ReadAsync(read, client))
                Add(messages, m, ct);
        }
        catch (Exception ex) when (ex is TwilioException or HttpRequestException or IOException || ex is TaskCanceledException && !ct.IsCancellationRequested)
        {
            throw new AuditSourceException("provider", $"The provider's message log could not be read: {ex.Message}", ex);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The SDK could not make sense of what came back (a gateway's HTML page, JSON cut short): a finding, never a 500.
            throw new ProviderLogUnreadableException($"The provider's message log could not be read: its answer was not a page of messages ({ex.GetType().Name}: {ex.Message}).", ex);
        }
        return messages;
    }

    static void Add(List<ProviderMessage> messages, MessageResource m, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        if (m.Direction == MessageResource.DirectionEnum.Inbound) return;
        var created = Utc(m.DateCreated) ?? Utc(m.DateSent) ?? DateTimeOffset.MinValue;
        messages.Add(new ProviderMessage(m.Sid, m.To ?? "", (m.Body ?? "").GetHashCode(StringComparison.Ordinal), m.Status?.ToString() ?? "",
            m.ErrorCode, created, Utc(m.DateUpdated) ?? created));
    }

    static DateTimeOffset? Utc(DateTime? value) => value is { } t ? new DateTimeOffset(t.ToUniversalTime(), TimeSpan.Zero) : null;
}
