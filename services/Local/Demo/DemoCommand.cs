using System.Diagnostics;
using System.Text.Json;
using Reminders.Platform.Auth;

namespace Reminders.Local.Demo;

/// <summary>
/// <c>demo --out DIR</c>: runs the system's main job on the embedded default, on a fresh data folder, and
/// writes into DIR what happened (including the provider simulator's log, the ground truth of what was sent).
/// </summary>
public static class DemoCommand
{
    public static async Task<int> RunAsync(string[] args)
    {
        var outDir = Path.GetFullPath(Option(args, "--out") ?? "demo-out");
        var dataDir = Path.Combine(outDir, "data");
        if (Directory.Exists(dataDir)) Directory.Delete(dataDir, recursive: true);
        Directory.CreateDirectory(outDir);

        var total = Stopwatch.StartNew();
        var app = LocalHost.Build([], new Dictionary<string, string?>
        {
            ["Urls"] = "http://127.0.0.1:0",
            ["Database:SqliteFolder"] = dataDir,
            ["Logging:LogLevel:Default"] = "Warning",
            ["Logging:LogLevel:Microsoft.Hosting.Lifetime"] = "Warning",
        });
        await app.StartAsync();
        try
        {
            using var client = new ReminderClient(ServiceUrls.Single(app.Url()), app.ApiKey(Roles.Manager), app.ApiKey(Roles.Researcher));
            var log = new StringWriter();
            var console = new TeeWriter(Console.Out, log);
            console.WriteLine($"Demo on {app.Url()}, data in {dataDir}");
            var result = await SkeletonFlow.RunAsync(client, console, TimeSpan.FromSeconds(30));

            var first = result.Delivered[0];
            // Replies may still arrive with the old mobile "1" (+521...): Messaging matches them to the officer.
            var reply = await client.SimulateReplyAsync(PhoneOf(first.Badge).Replace("+52", "+521"), "+15005550006", "OK");
            console.WriteLine($"Simulated reply \"OK\" from {first.Badge}: webhook answered {reply.GetProperty("receiverStatus")}.");

            await File.WriteAllTextAsync(Path.Combine(outDir, "simulator-log.csv"), await client.SimulatorLogCsvAsync());
            await File.WriteAllTextAsync(Path.Combine(outDir, "roster.csv"), SkeletonFlow.Roster);
            await WriteJsonAsync(Path.Combine(outDir, "roster-report.json"), result.RosterReport);
            await WriteJsonAsync(Path.Combine(outDir, "randomization.json"), result.Randomization);
            await WriteJsonAsync(Path.Combine(outDir, "dosage.json"), result.Dosage.Values);
            var sms = new List<JsonElement>();
            foreach (var trace in result.Delivered) sms.Add(await client.SmsAsync(trace.SmsId));
            await WriteJsonAsync(Path.Combine(outDir, "sms.json"), sms);

            var latencies = result.Delivered.Select(d => d.LatencyMs).Order().ToList();
            console.WriteLine($"{result.Delivered.Count} SMS delivered to treatment officers, {result.ControlAttempts.Count} refused for control officers; " +
                              $"SendSms → ledger latency median {latencies[latencies.Count / 2]:F0} ms, max {latencies[^1]:F0} ms; total {total.Elapsed.TotalSeconds:F1} s.");
            console.WriteLine($"Outputs in {outDir}: simulator-log.csv, roster.csv, roster-report.json, randomization.json, sms.json, dosage.json, summary.txt");
            await File.WriteAllTextAsync(Path.Combine(outDir, "summary.txt"), log.ToString());
            return 0;
        }
        catch (Exception ex)
        {
            Console.Error.WriteLine($"Demo failed: {ex.Message}");
            return 1;
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    /// <summary>The demo roster's phone for a badge (P-1001 → +525500000101), as Enrollment stored it.</summary>
    static string PhoneOf(string badge) => $"+5255000001{badge[^2..]}";

    static Task WriteJsonAsync(string path, object value) => File.WriteAllTextAsync(path, JsonSerializer.Serialize(value, ReminderClient.Json));

    static string? Option(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    sealed class TeeWriter(TextWriter a, TextWriter b) : TextWriter
    {
        public override System.Text.Encoding Encoding => a.Encoding;
        public override void Write(char value) { a.Write(value); b.Write(value); }
        public override void WriteLine(string? value) { a.WriteLine(value); b.WriteLine(value); }
    }
}
