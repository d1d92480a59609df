using System.Text.Json;
using Reminders.Platform.Hosting;

namespace Reminders.Messaging.Audit;

/// <summary>
/// Another service's rows read over its HTTP API as JSON lines. Anything that stops them being read (configuration
/// missing, a refusal, a broken connection, a line that is not JSON) is an <see cref="AuditSourceException"/> naming the source.
/// </summary>
sealed class AuditSource(HttpClient http, AuditSourceOptions source, string name, string service, string rows, string configSection)
{
    public async Task<List<T>> ReadAsync<T>(string path, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(source.BaseUrl) || string.IsNullOrEmpty(source.ApiKey))
            throw new AuditSourceException(name, $"{configSection}:BaseUrl and {configSection}:ApiKey must be configured.");
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(new Uri(source.BaseUrl), path));
        request.Headers.Add("X-Api-Key", source.ApiKey);
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
            if (!response.IsSuccessStatusCode)
                throw new AuditSourceException(name, $"{service} answered {(int)response.StatusCode} to {path}.");
            await using var body = await response.Content.ReadAsStreamAsync(ct);
            return await JsonLines.ReadAsync<T>(body, ct);
        }
        catch (Exception ex) when (ex is HttpRequestException or JsonException or IOException || ex is TaskCanceledException && !ct.IsCancellationRequested)
        {
            throw new AuditSourceException(name, $"{rows} could not be read: {ex.Message}", ex);
        }
    }
}
