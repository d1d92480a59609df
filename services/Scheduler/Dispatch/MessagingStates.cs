using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Reminders.Contracts;

namespace Reminders.Scheduler.Dispatch;

/// <summary>Configuration section <c>Scheduler:Messaging</c>: where Messaging serves <c>POST /api/messaging/sms/states</c>, and a researcher or manager key for it (configuration only, never the repo).</summary>
public sealed class MessagingApiOptions
{
    public const string Section = "Scheduler:Messaging";
    public string? BaseUrl { get; set; }
    public string? ApiKey { get; set; }
}

/// <summary>Messaging could not be asked (not configured, unreachable, or an answer that is not a list of states).</summary>
public sealed class MessagingUnavailableException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>Asks Messaging over HTTP where it stands with SMS the Scheduler dispatched, never its tables: one call per batch.</summary>
public sealed class MessagingStates(HttpClient http, IOptions<MessagingApiOptions> options)
{
    public const string Path = "/api/messaging/sms/states";

    /// <summary>The states of those of <paramref name="smsIds"/> Messaging has received; an id it never received is absent.</summary>
    public async Task<IReadOnlyDictionary<Guid, SmsState>> ReadAsync(IReadOnlyList<Guid> smsIds, CancellationToken ct)
    {
        var messaging = options.Value;
        if (string.IsNullOrEmpty(messaging.BaseUrl) || string.IsNullOrEmpty(messaging.ApiKey))
            throw new MessagingUnavailableException($"{MessagingApiOptions.Section}:BaseUrl and {MessagingApiOptions.Section}:ApiKey must be configured.");
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(new Uri(messaging.BaseUrl), Path)) { Content = JsonContent.Create(new SmsStatesRequest(smsIds)) };
        request.Headers.Add("X-Api-Key", messaging.ApiKey);
        try
        {
            using var response = await http.SendAsync(request, ct);
            if (!response.IsSuccessStatusCode)
                throw new MessagingUnavailableException($"Messaging answered {(int)response.StatusCode} to {Path}.");
            var states = await response.Content.ReadFromJsonAsync<List<SmsState>>(JsonSerializerOptions.Web, ct)
                ?? throw new MessagingUnavailableException($"Messaging answered null to {Path}.");
            return states.ToDictionary(s => s.SmsId);
        }
        catch (Exception ex) when (ex is HttpRequestException or JsonException or IOException or NotSupportedException || ex is TaskCanceledException && !ct.IsCancellationRequested)
        {
            throw new MessagingUnavailableException($"Messaging could not be asked: {ex.Message}", ex);
        }
    }
}
