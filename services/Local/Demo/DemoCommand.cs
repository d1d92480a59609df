using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Reminders.Local.Sample;
using Reminders.Platform.Auth;
using Reminders.Platform.Hosting;
using Reminders.Platform.Protocol;

namespace Reminders.Local.Demo;

/// <summary>
/// <c>demo --out DIR [--seed N]</c>: the study on the embedded default, on a fresh data folder. Loads the synthetic
/// 60-sector sample, randomizes it 30/30 stratified by zone and size (the seed is printed), writes the allocation
/// and balance table, sends one SMS to one officer of every treatment sector and follows each to the ledger,
/// refuses a control officer, and writes into DIR what happened (the provider simulator's log included).
/// </summary>
public static class DemoCommand
{
    public const long DefaultSeed = 20261128;
    public static readonly string[] Strata = ["zona", "tamano"];

    /// <summary>GSM-7 only (no á, í, ó, ú), so it is one segment.</summary>
    public const string MessageBody = "Hola. Este es un mensaje de prueba del programa de capacitacion. No es necesario responder. Gracias por su servicio.";

    public static async Task<int> RunAsync(string[] args)
    {
        var outDir = Path.GetFullPath(SampleCommand.Option(args, "--out") ?? "demo-out");
        var seedText = SampleCommand.Option(args, "--seed");
        var seed = seedText is null ? DefaultSeed : long.TryParse(seedText, out var s) ? s : -1;
        if (seed < 0) { Console.Error.WriteLine("--seed must be a non-negative whole number."); return 2; }
        var dataDir = Path.Combine(outDir, "data");
        if (Directory.Exists(dataDir)) Directory.Delete(dataDir, recursive: true);
        Directory.CreateDirectory(outDir);

        var total = Stopwatch.StartNew();
        var protocol = ProtocolLoader.LoadDefault();
        // The demo's clock reads inside sending hours whatever hour it is run at, so every SMS it causes goes out now.
        var settings = StudyClockOptions.InsideSendingHours(protocol, DateTimeOffset.UtcNow, TimeSpan.FromHours(1));
        settings["Urls"] = "http://127.0.0.1:0";
        settings["Database:SqliteFolder"] = dataDir;
        settings["Logging:LogLevel:Default"] = "Warning";
        settings["Logging:LogLevel:Microsoft.Hosting.Lifetime"] = "Warning";
        var app = LocalHost.Build([], settings);
        await app.StartAsync();
        try
        {
            using var client = new ReminderClient(ServiceUrls.Single(app.Url()), app.ApiKey(Roles.Manager), app.ApiKey(Roles.Researcher));
            var log = new StringWriter();
            var console = new TeeWriter(Console.Out, log);
            console.WriteLine($"Demo on {app.Url()}, data in {dataDir}");
            var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(app.Services.GetRequiredService<TimeProvider>().GetUtcNow(), protocol.TimeZone).DateTime);
            await RunStudyAsync(client, console, outDir, seed, today);
            console.WriteLine($"Total {total.Elapsed.TotalSeconds:F1} s. Outputs in {outDir}: allocation.csv, balance.csv, balance.json, randomization.json, " +
                              "sectors-report.json, roster-report.json, sms.json, dosage.json, training-plan.json, attendance.csv, attendance-summary.csv, simulator-log.csv, summary.txt");
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

    static async Task RunStudyAsync(ReminderClient client, TextWriter console, string outDir, long seed, DateOnly today)
    {
        var sectors = await client.LoadSectorsAsync(SampleFiles.Sectors);
        var roster = await client.ImportRosterAsync(SampleFiles.Roster);
        console.WriteLine($"Loaded {sectors.GetProperty("created").GetInt32()} sectors and imported {roster.GetProperty("imported").GetInt32()} officers " +
                          $"and commanders ({roster.GetProperty("rejected").GetArrayLength()} rejected rows, read as {roster.GetProperty("encoding").GetString()}).");
        await WriteJsonAsync(Path.Combine(outDir, "sectors-report.json"), sectors);
        await WriteJsonAsync(Path.Combine(outDir, "roster-report.json"), roster);

        var randomization = await client.RandomizeAsync(seed, Strata);
        var id = randomization.GetProperty("id").GetGuid();
        console.WriteLine($"Randomized {randomization.GetProperty("sectorCount").GetInt32()} sectors, {randomization.GetProperty("treatedCount").GetInt32()} to treatment, " +
                          $"stratified by {string.Join(" × ", Strata)} with seed {seed} ({randomization.GetProperty("algorithmVersion").GetString()}; --seed N to change it).");
        await File.WriteAllTextAsync(Path.Combine(outDir, "allocation.csv"), await client.TextAsync("enrollment", $"/api/enrollment/randomizations/{id}/allocation.csv"));
        await File.WriteAllTextAsync(Path.Combine(outDir, "balance.csv"), await client.TextAsync("enrollment", $"/api/enrollment/randomizations/{id}/balance.csv"));
        var balance = await client.JsonAsync("enrollment", $"/api/enrollment/randomizations/{id}/balance");
        await WriteJsonAsync(Path.Combine(outDir, "balance.json"), balance);
        await WriteJsonAsync(Path.Combine(outDir, "randomization.json"), randomization);
        foreach (var arm in balance.GetProperty("arms").EnumerateArray())
            console.WriteLine($"  {arm.GetProperty("arm").GetString(),-9}  {arm.GetProperty("sectors").GetInt32()} sectors, {arm.GetProperty("officers").GetInt32()} officers, " +
                              $"{arm.GetProperty("commanders").GetInt32()} commanders, mean sector size {arm.GetProperty("meanSectorSize").GetDouble():F1}");

        // One SMS to the first officer (by badge) of each treatment sector, followed to the ledger.
        var arms = (await client.SectorsAsync()).EnumerateArray().ToDictionary(x => x.GetProperty("code").GetString()!, x => x.GetProperty("arm").GetString());
        var officers = (await client.OfficersAsync()).EnumerateArray().Where(o => o.GetProperty("role").GetString() == "officer").ToList();
        var firstPerSector = officers.GroupBy(o => o.GetProperty("sectorCode").GetString()!).ToDictionary(g => g.Key, g => g.First());
        var latencies = new List<double>();
        var sms = new List<JsonElement>();
        var dosage = new List<JsonElement>();
        foreach (var (sector, officer) in firstPerSector.Where(p => arms[p.Key] == "treatment").OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            var officerId = officer.GetProperty("id").GetGuid();
            var stopwatch = Stopwatch.StartNew();
            var (status, body) = await client.SendManualMessageWhenKnownAsync(officerId, MessageBody, TimeSpan.FromSeconds(30));
            if (status != HttpStatusCode.Accepted) throw new InvalidOperationException($"Sending to {sector} answered {(int)status}: {body}");
            var ledger = await client.WaitForDosageAsync(officerId, d => d.GetProperty("smsDelivered").GetInt64() >= 1, TimeSpan.FromSeconds(30))
                ?? throw new TimeoutException($"The ledger never showed the officer of {sector}.");
            if (ledger.GetProperty("smsDelivered").GetInt64() < 1) throw new TimeoutException($"The SMS to {sector} was not delivered: {ledger}");
            latencies.Add(stopwatch.Elapsed.TotalMilliseconds);
            dosage.Add(ledger);
            sms.Add(await client.SmsAsync(body.GetProperty("smsId").GetGuid()));
        }
        var control = firstPerSector.First(p => arms[p.Key] == "control");
        var (controlStatus, controlBody) = await client.SendManualMessageAsync(control.Value.GetProperty("id").GetGuid(), MessageBody);
        latencies.Sort();
        console.WriteLine($"{latencies.Count} SMS delivered, one per treatment sector; SendSms → ledger latency median {latencies[latencies.Count / 2]:F0} ms, " +
                          $"max {latencies[^1]:F0} ms. An SMS to an officer of control sector {control.Key} was refused: {(int)controlStatus} {controlBody.GetProperty("title").GetString()}.");
        await WriteJsonAsync(Path.Combine(outDir, "sms.json"), sms);
        await WriteJsonAsync(Path.Combine(outDir, "dosage.json"), dosage);

        var invitations = await TrainingDemo.RunAsync(client, console, outDir, seed, today, arms, officers.Concat(await CommandersAsync(client)).ToList());
        // The simulator's log is written once every SMS the demo caused reached the provider.
        var expected = latencies.Count + invitations;
        var log = "";
        for (var i = 0; i < 600; i++)
        {
            log = await client.SimulatorLogCsvAsync();
            if (log.Count(c => c == '\n') - 1 >= expected) break;
            await Task.Delay(100);
        }
        await File.WriteAllTextAsync(Path.Combine(outDir, "simulator-log.csv"), log);
    }

    static async Task<List<JsonElement>> CommandersAsync(ReminderClient client) =>
        (await client.OfficersAsync()).EnumerateArray().Where(o => o.GetProperty("role").GetString() == "commander").ToList();

    static Task WriteJsonAsync(string path, object value) => File.WriteAllTextAsync(path, JsonSerializer.Serialize(value, ReminderClient.Json));

    sealed class TeeWriter(TextWriter a, TextWriter b) : TextWriter
    {
        public override System.Text.Encoding Encoding => a.Encoding;
        public override void Write(char value) { a.Write(value); b.Write(value); }
        public override void WriteLine(string? value) { a.WriteLine(value); b.WriteLine(value); }
    }
}
