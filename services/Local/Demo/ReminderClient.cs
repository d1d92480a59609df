using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Reminders.Local.Audit;
using Reminders.Messaging.Audit;
using Reminders.ProviderSimulator;

namespace Reminders.Local.Demo;

/// <summary>
/// A small HTTP client for the skeleton flow, used by the demo and the end-to-end tests: the same calls work
/// against the one-process host (one base URL) and the four services (one base URL each).
/// </summary>
public sealed class ReminderClient(ServiceUrls urls, string managerKey, string researcherKey, string simulatorKey) : IDisposable
{
    readonly HttpClient http = new() { Timeout = TimeSpan.FromSeconds(30) };
    // Relaxed escaping: the demo writes these files for people to read (accents, +52...).
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public Task<JsonElement> LoadSectorsAsync(string csv, string mode = "apply") => LoadSectorsAsync(Encoding.UTF8.GetBytes(csv), mode);

    public async Task<JsonElement> LoadSectorsAsync(byte[] csv, string mode = "apply")
    {
        using var request = Request(HttpMethod.Post, $"{urls.Enrollment}/api/enrollment/sectors?mode={mode}", managerKey);
        request.Content = CsvContent(csv);
        return await SendAsync(request, HttpStatusCode.OK);
    }

    public Task<JsonElement> ImportRosterAsync(string csv, string mode = "apply") => ImportRosterAsync(Encoding.UTF8.GetBytes(csv), mode);

    /// <summary>Imports (or re-imports) a roster; a sector that changed is a transfer on <paramref name="transferDate"/> (default: today).</summary>
    public async Task<JsonElement> ImportRosterAsync(byte[] csv, string mode = "apply", DateOnly? transferDate = null)
    {
        var on = transferDate is { } date ? $"&transferDate={date:yyyy-MM-dd}" : "";
        using var request = Request(HttpMethod.Post, $"{urls.Enrollment}/api/enrollment/roster?mode={mode}{on}", managerKey);
        request.Content = CsvContent(csv);
        return await SendAsync(request, HttpStatusCode.OK);
    }

    public async Task<JsonElement> RandomizeAsync(long seed, IReadOnlyList<string>? strata = null)
    {
        using var request = Request(HttpMethod.Post, $"{urls.Enrollment}/api/enrollment/randomizations", managerKey);
        request.Content = JsonContent.Create(new { seed, strata = strata ?? [] });
        return await SendAsync(request, HttpStatusCode.Created);
    }

    /// <summary>A CSV (or any text) a service serves to managers and researchers.</summary>
    public async Task<string> TextAsync(string service, string path)
    {
        var baseUrl = service switch
        {
            "enrollment" => urls.Enrollment, "scheduler" => urls.Scheduler, "messaging" => urls.Messaging, "attendance" => urls.Attendance,
            _ => throw new ArgumentOutOfRangeException(nameof(service)),
        };
        using var request = Request(HttpMethod.Get, baseUrl + path, managerKey);
        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode) throw new HttpRequestException($"GET {path} answered {(int)response.StatusCode}: {text}");
        return text;
    }

    public async Task<JsonElement> JsonAsync(string service, string path) => JsonSerializer.Deserialize<JsonElement>(await TextAsync(service, path));

    /// <summary>An Attendance export as a researcher downloads it (the researcher key, not the manager's).</summary>
    public async Task<string> ResearchExportAsync(string path)
    {
        using var request = Request(HttpMethod.Get, urls.Attendance + path, researcherKey);
        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode) throw new HttpRequestException($"GET {path} answered {(int)response.StatusCode}: {text}");
        return text;
    }

    /// <summary>The endline snapshots taken so far, oldest first.</summary>
    public async Task<JsonElement> SnapshotsAsync()
    {
        using var request = Request(HttpMethod.Get, $"{urls.Attendance}/api/attendance/dosage/snapshots", researcherKey);
        return await SendAsync(request, HttpStatusCode.OK);
    }

    /// <summary>Freezes the whole study's ledger (both arms) as the next snapshot, by the manager's command.</summary>
    public async Task<JsonElement> FreezeStudyAsync(string reason)
    {
        using var request = Request(HttpMethod.Post, $"{urls.Attendance}/api/attendance/dosage/snapshots", managerKey);
        request.Content = JsonContent.Create(new { reason });
        return await SendAsync(request, HttpStatusCode.Created);
    }

    /// <summary>Messaging's consistency audit (provider log, its own records, Attendance's ledger), run with the researcher key.</summary>
    public async Task<AuditReport> AuditAsync()
    {
        using var auditHttp = new HttpClient { Timeout = TimeSpan.FromMinutes(5) };
        return await AuditCommand.RequestAsync(auditHttp, urls.Messaging, researcherKey);
    }

    public async Task<JsonElement> OfficersAsync()
    {
        using var request = Request(HttpMethod.Get, $"{urls.Enrollment}/api/enrollment/officers?pageSize=5000", managerKey);
        return await SendAsync(request, HttpStatusCode.OK);
    }

    public async Task<JsonElement> SectorsAsync()
    {
        using var request = Request(HttpMethod.Get, $"{urls.Enrollment}/api/enrollment/sectors", managerKey);
        return await SendAsync(request, HttpStatusCode.OK);
    }

    /// <summary>Asks the Scheduler to send one SMS; returns the status code and body (409 for a control officer).</summary>
    public async Task<(HttpStatusCode Status, JsonElement Body)> SendManualMessageAsync(Guid officerId, string body)
    {
        using var request = Request(HttpMethod.Post, $"{urls.Scheduler}/api/scheduler/messages", managerKey);
        request.Content = JsonContent.Create(new { officerId, body });
        using var response = await http.SendAsync(request);
        return (response.StatusCode, await ReadJsonAsync(response));
    }

    /// <summary>Sends once the Scheduler has learned the officer and the arms (events are asynchronous).</summary>
    public async Task<(HttpStatusCode Status, JsonElement Body)> SendManualMessageWhenKnownAsync(Guid officerId, string body, TimeSpan timeout)
    {
        var stopwatch = Stopwatch.StartNew();
        while (true)
        {
            var result = await SendManualMessageAsync(officerId, body);
            var unknown = result.Status == HttpStatusCode.NotFound
                || (result.Status == HttpStatusCode.Conflict && result.Body.GetProperty("detail").GetString()!.Contains("unrandomized"));
            if (!unknown || stopwatch.Elapsed > timeout) return result;
            await Task.Delay(50);
        }
    }

    public async Task<JsonElement?> DosageAsync(Guid officerId)
    {
        using var request = Request(HttpMethod.Get, $"{urls.Attendance}/api/attendance/dosage/officers/{officerId}", researcherKey);
        using var response = await http.SendAsync(request);
        if (response.StatusCode == HttpStatusCode.NotFound) return null;
        return await EnsureAsync(response, HttpStatusCode.OK);
    }

    /// <summary>Polls the ledger until <paramref name="done"/> holds for the officer's dosage, or the timeout passes.</summary>
    public async Task<JsonElement?> WaitForDosageAsync(Guid officerId, Func<JsonElement, bool> done, TimeSpan timeout)
    {
        var stopwatch = Stopwatch.StartNew();
        JsonElement? last = null;
        while (stopwatch.Elapsed < timeout)
        {
            last = await DosageAsync(officerId);
            if (last is { } dosage && done(dosage)) return dosage;
            await Task.Delay(10);
        }
        return last;
    }

    /// <summary>The training plan the Scheduler would make, without recording it (dryRun).</summary>
    public async Task<JsonElement> DryRunPlanAsync(DateOnly from, DateOnly to, IReadOnlyList<string> sectorCodes)
    {
        using var request = Request(HttpMethod.Post, $"{urls.Scheduler}/api/scheduler/plans", managerKey);
        request.Content = JsonContent.Create(new { from = from.ToString("yyyy-MM-dd"), to = to.ToString("yyyy-MM-dd"), sectorCodes, dryRun = true });
        return await SendAsync(request, HttpStatusCode.OK);
    }

    /// <summary>Uploads a session's roll call (CSV: officer_id, check_in, check_out, excused); a different one replaces it, with a reason.</summary>
    public async Task<JsonElement> UploadRollCallAsync(Guid sessionId, string csv, string? reason = null)
    {
        var query = reason is null ? "" : $"?reason={Uri.EscapeDataString(reason)}";
        using var request = Request(HttpMethod.Post, $"{urls.Attendance}/api/attendance/sessions/{sessionId}/roll-call{query}", managerKey);
        request.Content = new StringContent(csv, Encoding.UTF8, "text/csv");
        return await SendAsync(request, HttpStatusCode.OK);
    }

    /// <summary>Each officer's minutes and status in one session, from the events in force.</summary>
    public Task<JsonElement> SessionAttendanceAsync(Guid sessionId) => JsonAsync("attendance", $"/api/attendance/sessions/{sessionId}");

    /// <summary>Every event of a session, in force and superseded, with its roll calls and correction history.</summary>
    public Task<JsonElement> SessionEventsAsync(Guid sessionId) => JsonAsync("attendance", $"/api/attendance/sessions/{sessionId}/events");

    public async Task<JsonElement> SmsAsync(Guid smsId)
    {
        using var request = Request(HttpMethod.Get, $"{urls.Messaging}/api/messaging/sms/{smsId}", managerKey);
        return await SendAsync(request, HttpStatusCode.OK);
    }

    public async Task<string> SimulatorLogCsvAsync()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{urls.Simulator}/simulator/messages.csv");
        request.Headers.Add(SimulatorOptions.ControlKeyHeader, simulatorKey);
        using var response = await http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadAsStringAsync();
    }

    public async Task<JsonElement> SimulateReplyAsync(string from, string to, string body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{urls.Simulator}/simulator/replies") { Content = JsonContent.Create(new { from, to, body }) };
        request.Headers.Add(SimulatorOptions.ControlKeyHeader, simulatorKey);
        return await SendAsync(request, HttpStatusCode.OK);
    }

    /// <summary>An HTTP client on the provider simulator holding its control key, for its <c>/simulator/*</c> routes.</summary>
    public HttpClient SimulatorHttp()
    {
        var client = new HttpClient { BaseAddress = new Uri(urls.Simulator), Timeout = TimeSpan.FromMinutes(2) };
        client.DefaultRequestHeaders.Add(SimulatorOptions.ControlKeyHeader, simulatorKey);
        return client;
    }

    /// <summary>An HTTP client on the Scheduler/Attendance host (the one-process default) holding the manager key.</summary>
    public HttpClient ManagerHttp()
    {
        var client = new HttpClient { BaseAddress = new Uri(urls.Scheduler), Timeout = TimeSpan.FromMinutes(2) };
        client.DefaultRequestHeaders.Add("X-Api-Key", managerKey);
        return client;
    }

    static ByteArrayContent CsvContent(byte[] csv)
    {
        var content = new ByteArrayContent(csv);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("text/csv");
        return content;
    }

    static HttpRequestMessage Request(HttpMethod method, string url, string key)
    {
        var request = new HttpRequestMessage(method, url);
        request.Headers.Add("X-Api-Key", key);
        return request;
    }

    async Task<JsonElement> SendAsync(HttpRequestMessage request, HttpStatusCode expected)
    {
        using var response = await http.SendAsync(request);
        return await EnsureAsync(response, expected);
    }

    static async Task<JsonElement> EnsureAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        var body = await ReadJsonAsync(response);
        if (response.StatusCode != expected)
            throw new HttpRequestException($"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri} answered {(int)response.StatusCode}: {body}");
        return body;
    }

    static async Task<JsonElement> ReadJsonAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        return text.Length == 0 ? default : JsonSerializer.Deserialize<JsonElement>(text);
    }

    public void Dispose() => http.Dispose();
}

/// <summary>Where each service answers: all the same in the one-process host.</summary>
public sealed record ServiceUrls(string Enrollment, string Scheduler, string Messaging, string Attendance, string Simulator)
{
    public static ServiceUrls Single(string url) => new(url, url, url, url, url);
}
