using System.Text.Json;
using Microsoft.Extensions.Options;
using Reminders.Contracts;

namespace Reminders.Messaging.Audit;

/// <summary>Reads the SMS the Scheduler sent to Messaging over HTTP (JSON lines, streamed), never its tables.</summary>
public sealed class SchedulerClient(HttpClient http, IOptions<AuditOptions> options)
{
    public const string Path = "/api/scheduler/dispatched";

    public async Task<IReadOnlyList<DispatchedSms>> ReadAsync(CancellationToken ct)
    {
        var scheduler = options.Value.Scheduler;
        if (string.IsNullOrEmpty(scheduler.BaseUrl) || string.IsNullOrEmpty(scheduler.ApiKey))
            throw new AuditSourceException("scheduler", "Audit:Scheduler:BaseUrl and Audit:Scheduler:ApiKey must be configured.");
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(new Uri(scheduler.BaseUrl), Path));
        request.Headers.Add("X-Api-Key", scheduler.ApiKey);
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
            if (!response.IsSuccessStatusCode)
                throw new AuditSourceException("scheduler", $"The Scheduler answered {(int)response.StatusCode} to {Path}.");
            await using var body = await response.Content.ReadAsStreamAsync(ct);
            using var reader = new StreamReader(body);
            var rows = new List<DispatchedSms>();
            while (await reader.ReadLineAsync(ct) is { } line)
                if (line.Length > 0) rows.Add(JsonSerializer.Deserialize<DispatchedSms>(line, JsonSerializerOptions.Web)!);
            return rows;
        }
        catch (Exception ex) when (ex is HttpRequestException or JsonException or IOException || ex is TaskCanceledException && !ct.IsCancellationRequested)
        {
            throw new AuditSourceException("scheduler", $"The Scheduler's dispatched SMS could not be read: {ex.Message}", ex);
        }
    }
}
