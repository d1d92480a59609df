using System.Net.Sockets;
using Microsoft.Extensions.Options;
using Reminders.Platform.Logging;
using Twilio.Clients;
using Twilio.Exceptions;
using Twilio.Http;
using Twilio.Rest.Api.V2010.Account;
using Twilio.Types;

namespace Reminders.Messaging.Delivery;

public abstract record SendOutcome
{
    public sealed record Accepted(string ProviderSid, int Segments, string Status) : SendOutcome;
    /// <summary>The provider answered and refused for good (invalid number, opted out...: <see cref="TwilioErrorCodes"/>).</summary>
    public sealed record Rejected(int Code, string Reason) : SendOutcome;
    /// <summary>The provider answered that it did not take the message (429, the sender's set-up) or the request never left: safe to retry.</summary>
    public sealed record NotTaken(string Reason, int? Code = null) : SendOutcome;
    /// <summary>The provider refused Messaging's credentials (401, 403, 20003): nothing is wrong with the SMS; sending pauses.</summary>
    public sealed record CredentialsRefused(int Code, string Reason) : SendOutcome;
    /// <summary>
    /// The request left and no answer proves what happened (a timeout, a reset connection, a 5xx, an answer the SDK could not
    /// read): the provider may have the message, so it is looked up before any retry.
    /// </summary>
    public sealed record InDoubt(string Reason) : SendOutcome;
    /// <summary>A send in doubt that more than one provider message could be: left for a person, never sent again automatically.</summary>
    public sealed record Ambiguous(IReadOnlyList<string> ProviderSids) : SendOutcome;
}

/// <summary>Sends and looks up SMS through the real Twilio SDK, against Twilio or any Twilio-compatible base URL.</summary>
public sealed class TwilioSmsSender
{
    readonly TwilioOptions options;
    readonly TwilioRestClient client;
    readonly DeliveryMetrics metrics;

    public TwilioSmsSender(IOptions<TwilioOptions> options, DeliveryMetrics metrics)
    {
        this.options = options.Value;
        this.metrics = metrics;
        if (string.IsNullOrEmpty(this.options.AccountSid) || string.IsNullOrEmpty(this.options.AuthToken))
            throw new InvalidOperationException("Messaging:Twilio:AccountSid and Messaging:Twilio:AuthToken must be configured.");
        HttpMessageHandler handler = new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5), MaxConnectionsPerServer = 64 };
        if (!string.IsNullOrEmpty(this.options.BaseUrl)) handler = new TwilioBaseUrlHandler(new Uri(this.options.BaseUrl), handler);
        var http = new System.Net.Http.HttpClient(handler) { Timeout = TimeSpan.FromSeconds(this.options.RequestTimeoutSeconds) };
        client = new TwilioRestClient(this.options.AccountSid, this.options.AuthToken, httpClient: new SystemNetHttpClient(http));
    }

    public TimeSpan RequestTimeout => TimeSpan.FromSeconds(options.RequestTimeoutSeconds);

    /// <summary>Twilio's largest ValidityPeriod.</summary>
    public const int MaxValiditySeconds = 36_000;

    /// <param name="validFor">Set as ValidityPeriod (whole seconds, 1 to 36,000): the provider drops the message rather than deliver it later.</param>
    /// <param name="from">The sender (number or Messaging Service sid) <see cref="SenderPacer"/> gave a slot to.</param>
    public async Task<SendOutcome> SendAsync(string to, string body, Uri statusCallback, string from, TimeSpan? validFor = null)
    {
        var outcome = await CreateMessageAsync(to, body, statusCallback, from, validFor);
        metrics.ProviderAnswered(outcome);
        return outcome;
    }

    async Task<SendOutcome> CreateMessageAsync(string to, string body, Uri statusCallback, string from, TimeSpan? validFor)
    {
        try
        {
            var create = new CreateMessageOptions(new PhoneNumber(to)) { Body = body, StatusCallback = statusCallback };
            if (validFor is { } validity) create.ValidityPeriod = (int)Math.Clamp(Math.Floor(validity.TotalSeconds), 1, MaxValiditySeconds);
            if (!string.IsNullOrEmpty(options.MessagingServiceSid)) create.MessagingServiceSid = from;
            else create.From = new PhoneNumber(from);
            var message = await MessageResource.CreateAsync(create, client);
            // A 2xx that names no message proves nothing either.
            if (string.IsNullOrEmpty(message.Sid)) return new SendOutcome.InDoubt($"provider answered without a message sid (status {message.Status})");
            return new SendOutcome.Accepted(message.Sid, int.TryParse(message.NumSegments, out var segments) ? segments : 0, message.Status?.ToString() ?? "queued");
        }
        catch (ApiException ex)
        {
            var (verdict, meaning) = TwilioErrorCodes.Classify(ex.Status, ex.Code);
            var reason = $"{meaning}: provider answered {ex.Status} ({ex.Code}) {Shorten(ex.Message)}";
            return verdict switch
            {
                ProviderVerdict.Refused => new SendOutcome.Rejected(ex.Code, reason),
                ProviderVerdict.NotTaken => new SendOutcome.NotTaken(reason, ex.Code),
                ProviderVerdict.CredentialsRefused => new SendOutcome.CredentialsRefused(ex.Code, reason),
                _ => new SendOutcome.InDoubt(reason),
            };
        }
        catch (Exception ex) when (NeverLeft(ex))
        {
            return new SendOutcome.NotTaken($"provider unreachable: {ex.GetBaseException().Message}");
        }
        // Once the request has left, nothing short of the provider's own refusal says the message was not taken.
        catch (Exception ex)
        {
            return new SendOutcome.InDoubt($"{ex.GetType().Name}: {Shorten(ex.Message)}");
        }
    }

    /// <summary>A gateway's whole HTML page is no reason to log, and the provider's text can name the number: the reason travels in events.</summary>
    static string Shorten(string text) => PhoneMask.MaskAll(text.Length <= 200 ? text : text[..200] + "…");

    /// <summary>
    /// After a send in doubt: the messages the provider accepted for <paramref name="to"/> with this body, created between
    /// <paramref name="from"/> and <paramref name="until"/> by its clock (see <see cref="InDoubtLookup"/>).
    /// </summary>
    public async Task<IReadOnlyList<SendOutcome.Accepted>> FindCandidatesAsync(string to, string body, DateTimeOffset from, DateTimeOffset until)
    {
        // Newest first; a queued message has no date_sent yet, so filter by To and stop at our own time bound.
        Twilio.Base.ResourceSet<MessageResource> messages;
        try
        {
            messages = await MessageResource.ReadAsync(to: new PhoneNumber(to), pageSize: 100, client: client);
        }
        catch (ApiException ex) when (TwilioErrorCodes.Classify(ex.Status, ex.Code).Verdict == ProviderVerdict.CredentialsRefused)
        {
            throw new CredentialsRefusedException(ex.Code, $"provider answered {ex.Status} ({ex.Code}) {ex.Message}");
        }
        var found = new List<SendOutcome.Accepted>();
        foreach (var message in messages)
        {
            if (message.DateCreated is not { } created) continue;
            var at = new DateTimeOffset(created.ToUniversalTime(), TimeSpan.Zero);
            if (at < from) break;
            if (at <= until && message.Body == body && !string.IsNullOrEmpty(message.Sid))
                found.Add(new SendOutcome.Accepted(message.Sid, int.TryParse(message.NumSegments, out var s) ? s : 0, message.Status?.ToString() ?? "queued"));
        }
        return found;
    }

    /// <summary>The provider's current status of a message (for receipts that never came); null when the provider cannot say now.</summary>
    public async Task<(string Status, int? ErrorCode, DateTimeOffset? UpdatedAt)?> FetchStatusAsync(string providerSid)
    {
        try
        {
            var message = await MessageResource.FetchAsync(pathSid: providerSid, client: client);
            return message.Status is null ? null
                : (message.Status.ToString(), message.ErrorCode, message.DateUpdated is { } updated ? new DateTimeOffset(updated.ToUniversalTime(), TimeSpan.Zero) : null);
        }
        catch (Exception ex) when (ex is ApiException or TwilioException or HttpRequestException or TaskCanceledException or IOException)
        {
            return null;
        }
    }

    /// <summary>
    /// Whether the provider accepts the credentials now (a one-message list, which sends nothing); null when it cannot say
    /// (unreachable, a 5xx).
    /// </summary>
    public async Task<bool?> CredentialsWorkAsync()
    {
        try
        {
            await MessageResource.ReadAsync(pageSize: 1, limit: 1, client: client);
            return true;
        }
        catch (ApiException ex) when (TwilioErrorCodes.Classify(ex.Status, ex.Code).Verdict == ProviderVerdict.CredentialsRefused)
        {
            return false;
        }
        catch (Exception ex) when (ex is TwilioException or HttpRequestException or TaskCanceledException or IOException)
        {
            return null;
        }
    }

    /// <summary>A refused or unresolvable connection: the request never reached the provider.</summary>
    static bool NeverLeft(Exception ex)
    {
        for (var e = ex; e is not null; e = e.InnerException)
            if (e is SocketException { SocketErrorCode: SocketError.ConnectionRefused or SocketError.HostNotFound or SocketError.NetworkUnreachable })
                return true;
        return false;
    }
}

/// <summary>The provider refused Messaging's credentials on a lookup: the SMS waits, nothing about it is decided.</summary>
public sealed class CredentialsRefusedException(int code, string message) : Exception(message)
{
    public int Code { get; } = code;
}
