using System.Net.Http.Json;
using System.Text.Json;
using Reminders.Local.Sample;
using Reminders.Messaging.Audit;

namespace Reminders.Local.Audit;

/// <summary>
/// <c>audit [--url URL] --key KEY [--from ISO] [--to ISO]</c>: runs Messaging's consistency audit on a running host and
/// prints counts, differences by kind and the first 20 differences. Exit code 0 when clean, 1 when there are
/// differences, 2 when the audit could not run.
/// </summary>
public static class AuditCommand
{
    public const int ShownDifferences = 20;

    public static async Task<int> RunAsync(string[] args)
    {
        var url = SampleCommand.Option(args, "--url") ?? LocalHost.DefaultUrl;
        var key = SampleCommand.Option(args, "--key") ?? Environment.GetEnvironmentVariable("REMINDERS_API_KEY");
        if (string.IsNullOrEmpty(key))
        {
            Console.Error.WriteLine("--key (a manager or researcher API key, or REMINDERS_API_KEY) is required.");
            return 2;
        }
        using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(10) };
        try
        {
            var report = await RequestAsync(http, url, key, SampleCommand.Option(args, "--from"), SampleCommand.Option(args, "--to"));
            Print(report, Console.Out);
            return report.Clean ? 0 : 1;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or JsonException or InvalidOperationException)
        {
            Console.Error.WriteLine($"Audit failed: {ex.Message}");
            return 2;
        }
    }

    /// <summary>POST /api/messaging/audit; throws with the server's problem details when it does not answer 200.</summary>
    public static async Task<AuditReport> RequestAsync(HttpClient http, string url, string key, string? from = null, string? to = null)
    {
        var query = string.Join('&', new[] { ("from", from), ("to", to) }.Where(p => p.Item2 is not null).Select(p => $"{p.Item1}={Uri.EscapeDataString(p.Item2!)}"));
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{url.TrimEnd('/')}/api/messaging/audit{(query.Length > 0 ? "?" + query : "")}");
        request.Headers.Add("X-Api-Key", key);
        using var response = await http.SendAsync(request);
        if (!response.IsSuccessStatusCode)
            throw new InvalidOperationException($"{url} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return await response.Content.ReadFromJsonAsync<AuditReport>(JsonSerializerOptions.Web)
            ?? throw new InvalidOperationException("The audit answered with an empty body.");
    }

    public static void Print(AuditReport report, TextWriter output)
    {
        var (p, m, l) = (report.Sources.Provider, report.Sources.Messaging, report.Sources.Ledger);
        output.WriteLine($"Consistency audit at {report.RanAt:O} (period {report.PeriodFrom?.ToString("O") ?? "start"} – {report.PeriodTo:O}, grace {report.GraceMinutes} min)");
        output.WriteLine($"  provider   {p.Records} messages{Statuses(p)}");
        output.WriteLine($"  messaging  {m.Records} SMS, {m.Accepted} accepted{Statuses(m)}");
        output.WriteLine($"  ledger     {l.Records} rows, {l.Accepted} accepted{Statuses(l)}");
        if (report.Sources.Scheduler is { } dispatched) output.WriteLine($"  scheduler  {dispatched.Records} dispatched{Statuses(dispatched)}");
        output.WriteLine($"  unsettled  {report.Unsettled.Total}{(report.Unsettled.Total > 0 ? $" ({string.Join(", ", report.Unsettled.ByReason.Select(r => $"{r.Key} {r.Value}"))})" : "")}");
        if (report.Clean)
        {
            output.WriteLine("Clean: no differences.");
            return;
        }
        output.WriteLine($"{report.Differences.Count} differences: {string.Join(", ", report.DifferencesByKind.Select(k => $"{k.Key} {k.Value}"))}");
        foreach (var d in report.Differences.Take(ShownDifferences))
        {
            var says = string.Join("; ", new[] { ("provider", d.Provider), ("messaging", d.Messaging), ("ledger", d.Ledger), ("scheduler", d.Scheduler) }
                .Where(s => s.Item2 is not null).Select(s => $"{s.Item1}: {s.Item2}"));
            var ids = string.Join(" ", new[] { d.SmsId?.ToString(), d.ProviderSid, d.OfficerId is { } o ? $"officer {o}" : null, d.ToMasked is { Length: > 0 } t ? $"to {t}" : null }
                .Where(s => s is not null));
            output.WriteLine($"  {d.Kind,-21} {ids}  [{says}]");
        }
        if (report.Differences.Count > ShownDifferences) output.WriteLine($"  … and {report.Differences.Count - ShownDifferences} more.");
    }

    static string Statuses(SourceCounts counts) =>
        counts.ByStatus.Count == 0 ? "" : $" ({string.Join(", ", counts.ByStatus.Select(s => $"{s.Key} {s.Value}"))})";
}
