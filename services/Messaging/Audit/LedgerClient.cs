using System.Text.Json;
using Microsoft.Extensions.Options;
using Reminders.Contracts;

namespace Reminders.Messaging.Audit;

/// <summary>A source the audit could not read; the endpoint answers 502 naming it.</summary>
public sealed class AuditSourceException(string source, string message, Exception? inner = null) : Exception(message, inner)
{
    public string SourceName { get; } = source;
}

/// <summary>Reads the ledger's SMS rows from Attendance over HTTP (JSON lines, streamed), never its tables.</summary>
public sealed class LedgerClient(HttpClient http, IOptions<AuditOptions> options)
{
    public const string Path = "/api/attendance/dosage/sms";

    public async Task<IReadOnlyList<LedgerSms>> ReadAsync(CancellationToken ct)
    {
        var attendance = options.Value.Attendance;
        if (string.IsNullOrEmpty(attendance.BaseUrl) || string.IsNullOrEmpty(attendance.ApiKey))
            throw new AuditSourceException("ledger", "Audit:Attendance:BaseUrl and Audit:Attendance:ApiKey must be configured.");
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(new Uri(attendance.BaseUrl), Path));
        request.Headers.Add("X-Api-Key", attendance.ApiKey);
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
            if (!response.IsSuccessStatusCode)
                throw new AuditSourceException("ledger", $"Attendance answered {(int)response.StatusCode} to {Path}.");
            await using var body = await response.Content.ReadAsStreamAsync(ct);
            using var reader = new StreamReader(body);
            var rows = new List<LedgerSms>();
            while (await reader.ReadLineAsync(ct) is { } line)
                if (line.Length > 0) rows.Add(JsonSerializer.Deserialize<LedgerSms>(line, JsonSerializerOptions.Web)!);
            return rows;
        }
        catch (Exception ex) when (ex is HttpRequestException or JsonException or IOException || ex is TaskCanceledException && !ct.IsCancellationRequested)
        {
            throw new AuditSourceException("ledger", $"Attendance's ledger could not be read: {ex.Message}", ex);
        }
    }
}
