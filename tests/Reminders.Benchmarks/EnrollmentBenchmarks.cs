using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using CsvHelper;
using CsvHelper.Configuration;
using Microsoft.AspNetCore.Builder;
using Microsoft.Data.Sqlite;
using Reminders.Enrollment.Randomization;
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
        Randomization(table, log, sectors: 5_000);
        await RandomizationThroughApiAsync(table, log, sectors: 5_000);
        await RosterImportAsync(table, log, people: 100_000);
    }

    /// <summary>The pure allocation of 5,000 sectors in 5 zones × 3 sizes, against sorting as many random keys.</summary>
    static void Randomization(BenchmarkTable table, TextWriter log, int sectors)
    {
        var zones = new[] { "Centro", "Norte", "Oriente", "Poniente", "Sur" };
        var sizes = new[] { "chico", "mediano", "grande" };
        var input = Enumerable.Range(0, sectors).Select(i => new SectorForRandomization($"S-{i:D5}",
            new Dictionary<string, string> { ["zona"] = zones[i % 5], ["tamano"] = sizes[i / 5 % 3] })).ToList();
        string[] strata = ["zona", "tamano"];
        StratifiedRandomizer.Allocate(input, 1, strata, 0.5);
        var times = new List<TimeSpan>();
        for (var seed = 2L; seed < 7; seed++)
        {
            var stopwatch = Stopwatch.StartNew();
            StratifiedRandomizer.Allocate(input, seed, strata, 0.5);
            times.Add(stopwatch.Elapsed);
        }
        var median = times.Order().ElementAt(2);
        var random = new Random(1);
        var keys = Enumerable.Range(0, sectors).Select(_ => random.NextInt64()).ToArray();
        var sort = Stopwatch.StartNew();
        Array.Sort(keys);
        sort.Stop();
        log.WriteLine($"randomization of {sectors:N0} sectors: median {median.TotalMilliseconds:F1} ms over 5 seeds");
        table.Add($"randomize {sectors:N0} sectors (algorithm, 15 strata)", "< 1 s", $"{median.TotalMilliseconds:F1} ms",
            $"sorting {sectors:N0} random keys: {sort.Elapsed.TotalMilliseconds:F2} ms", median < TimeSpan.FromSeconds(1));
    }

    /// <summary>A dry run through the API (read sectors and officers, allocate, balance table) on the local default.</summary>
    static async Task RandomizationThroughApiAsync(BenchmarkTable table, TextWriter log, int sectors)
    {
        var files = SyntheticSample.Generate(sectors, sectors * 4, seed: 11);
        await WithLocalHostAsync(async http =>
        {
            await PostAsync(http, "/api/enrollment/sectors?mode=apply", Encoding.UTF8.GetBytes(files.SectorsCsv));
            await PostAsync(http, "/api/enrollment/roster?mode=apply", Encoding.UTF8.GetBytes(files.RosterCsv));
            var body = Encoding.UTF8.GetBytes("""{"seed": 20261128, "strata": ["zona", "tamano"], "dryRun": true}""");
            var median = await BenchmarkTable.MedianAsync(3, () => PostAsync(http, "/api/enrollment/randomizations", body, "application/json"));
            var stopwatch = Stopwatch.StartNew();
            await GetAsync(http, "/api/enrollment/sectors");
            var listing = stopwatch.Elapsed;
            log.WriteLine($"randomization dry run over the API: median {median.TotalMilliseconds:F0} ms");
            table.Add($"randomize {sectors:N0} sectors (API dry run, SQLite)", "< 1 s", $"{median.TotalMilliseconds:F0} ms",
                $"listing the same sectors over the API: {listing.TotalMilliseconds:F0} ms", median < TimeSpan.FromSeconds(1));
        });
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

        await WithLocalHostAsync(async http =>
        {
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
        });
    }

    /// <summary>The one-process default on a fresh SQLite folder, with an HTTP client holding a manager key.</summary>
    static async Task WithLocalHostAsync(Func<HttpClient, Task> body)
    {
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
            await body(http);
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
            SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    static async Task<JsonElement> GetAsync(HttpClient http, string path)
    {
        using var response = await http.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"{path} answered {(int)response.StatusCode}: {text[..Math.Min(500, text.Length)]}");
        return JsonSerializer.Deserialize<JsonElement>(text);
    }

    static async Task<JsonElement> PostAsync(HttpClient http, string path, byte[] body, string contentType = "text/csv")
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue(contentType) { CharSet = "utf-8" };
        using var response = await http.PostAsync(path, content);
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"{path} answered {(int)response.StatusCode}: {text[..Math.Min(500, text.Length)]}");
        return JsonSerializer.Deserialize<JsonElement>(text);
    }
}
