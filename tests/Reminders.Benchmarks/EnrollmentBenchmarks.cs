using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using CsvHelper;
using CsvHelper.Configuration;
using Microsoft.AspNetCore.Builder;
using Microsoft.Data.Sqlite;
using Reminders.Enrollment.Roster;
using Reminders.Local;
using Reminders.Local.Sample;
using Reminders.Platform.Auth;

namespace Reminders.Benchmarks;

/// <summary>
/// Enrollment figures: a 100,000-officer roster imported and validated through the API on the local default
/// (target &lt; 10 s), compared with merely reading the same CSV; a 5,000-sector randomization (target &lt; 1 s),
/// compared with sorting the same number of keys.
/// </summary>
public static class EnrollmentBenchmarks
{
    public static async Task RunAsync(BenchmarkTable table, TextWriter log)
    {
        await RosterImportAsync(table, log, people: 100_000);
    }

    static async Task RosterImportAsync(BenchmarkTable table, TextWriter log, int people)
    {
        var sectors = people / 37;
        var files = SyntheticSample.Generate(sectors, people, seed: 7);
        var rosterBytes = Encoding.UTF8.GetBytes(files.RosterCsv);
        log.WriteLine($"roster: {people:N0} people in {sectors:N0} sectors, {rosterBytes.Length / 1024.0 / 1024.0:F1} MB");

        // Baseline: only reading every field of the same CSV with CsvHelper.
        var readOnly = Stopwatch.StartNew();
        var fields = 0L;
        using (var csv = new CsvReader(new StringReader(files.RosterCsv), new CsvConfiguration(CultureInfo.InvariantCulture) { Delimiter = ";" }))
            while (csv.Read()) fields += csv.Parser.Count;
        readOnly.Stop();
        var parse = Stopwatch.StartNew();
        var parsed = RosterParser.Parse(files.RosterCsv);
        parse.Stop();
        if (parsed.Errors.Count > 0) throw new InvalidOperationException($"The generated roster has errors: {parsed.Errors[0]}");

        var folder = Path.Combine(Path.GetTempPath(), "reminders-bench-" + Guid.NewGuid().ToString("N"));
        var app = LocalHost.Build([], new Dictionary<string, string?>
        {
            ["Urls"] = "http://127.0.0.1:0", ["Database:SqliteFolder"] = folder, ["Logging:LogLevel:Default"] = "Warning",
        });
        await app.StartAsync();
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri(app.Url()), Timeout = TimeSpan.FromMinutes(5) };
            http.DefaultRequestHeaders.Add("X-Api-Key", app.ApiKey(Roles.Manager));
            await PostAsync(http, "/api/enrollment/sectors?mode=apply", Encoding.UTF8.GetBytes(files.SectorsCsv));
            var import = Stopwatch.StartNew();
            var report = await PostAsync(http, "/api/enrollment/roster?mode=apply", rosterBytes);
            import.Stop();
            var imported = report.GetProperty("imported").GetInt32();
            if (imported != people) throw new InvalidOperationException($"Imported {imported} of {people}: {report}");
            log.WriteLine($"roster import: parse+validate {parse.Elapsed.TotalSeconds:F2} s, whole import {import.Elapsed.TotalSeconds:F2} s");
            table.Add($"import + validate a {people:N0}-officer roster (API, SQLite)", "< 10 s", $"{import.Elapsed.TotalSeconds:F2} s",
                $"CsvHelper read only: {readOnly.Elapsed.TotalSeconds:F2} s; parse + validate only: {parse.Elapsed.TotalSeconds:F2} s",
                import.Elapsed < TimeSpan.FromSeconds(10));
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
            SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    static async Task<JsonElement> PostAsync(HttpClient http, string path, byte[] body)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("text/csv") { CharSet = "utf-8" };
        using var response = await http.PostAsync(path, content);
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"{path} answered {(int)response.StatusCode}: {text[..Math.Min(500, text.Length)]}");
        return JsonSerializer.Deserialize<JsonElement>(text);
    }
}
