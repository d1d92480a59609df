using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Reminders.Local.Sample;
using Reminders.Platform.Auth;
using Reminders.Platform.Csv;
using Reminders.Platform.Hosting;
using Reminders.Protocol;
using Reminders.Web;
using Reminders.Web.Users;

namespace Reminders.Local.Demo;

/// <summary>
/// <c>demo --out DIR [--seed N]</c>: the whole study on the embedded default, on a fresh data folder. Loads the synthetic
/// 60-sector sample, randomizes it 30/30 stratified by zone and size (the seed is printed), sends one test SMS per
/// treatment sector and refuses a control officer, plans and runs the trainings, runs the reminder months on a jumping
/// study clock, freezes the ledger at endline, audits it against the provider's log and writes the researcher's exports.
/// Along the way it acts out the study's edges (<see cref="EdgesDemo"/>) and reports each in summary.txt.
/// Exit code 1 when the audit finds a difference or any SMS reached a control officer's phone.
/// It also starts the console and makes one user per role (passwords printed, never written to the outputs);
/// <c>--serve</c> keeps the services and the console running afterwards, until Ctrl+C.
/// </summary>
public static class DemoCommand
{
    public const long DefaultSeed = 20261128;

    /// <summary>
    /// When the demo's study clock starts: a Monday morning, the trainings planned in the weeks after it; 11:30 in Mexico City
    /// is 09:30 in Tijuana, so the test SMS to the sample's Tijuana sector falls inside its sending window too.
    /// </summary>
    public static readonly DateTimeOffset StudyStart = new(2027, 1, 4, 11, 30, 0, TimeSpan.FromHours(-6));

    /// <summary>Commanders' numbers (never the officers the test SMS go to) the simulator fails, as real phones do.</summary>
    static readonly (string Outcome, string[] Numbers)[] DeliveryFailures =
    [
        ("Undelivered", ["+525500000713", "+525500001281", "+525500000819", "+525500001906", "+525500001569", "+525500000393", "+525500000414", "+525500001383", "+525500001787", "+525500002033", "+525500000822", "+525500001064", "+525500000853", "+525500000017", "+525500001234", "+525500000804", "+525500001977", "+525500000264", "+525500001882", "+525500001420", "+525500001046", "+525500000842", "+525500001864", "+525500002167"]),
        ("Failed", ["+525500001516", "+525500001312", "+525500000624", "+525500000229", "+525500001437", "+525500000035"]),
        ("Invalid", ["+525500000122", "+525500001568", "+525500000811"]),
        ("OptedOut", ["+525500000441", "+525500000188"]),
    ];
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
        // Progress on the console only: summary.txt keeps what the study did, which the same seed reproduces.
        void Phase(string what) => Console.WriteLine($"[{total.Elapsed.TotalSeconds,5:F1} s] {what}");
        Phase("Starting the four services, the in-memory bus and the provider simulator");
        var protocol = ProtocolLoader.LoadDefault();
        // The study runs on its own clock, from a Monday morning, jumping from one due SMS to the next.
        var settings = new Dictionary<string, string?>
        {
            ["Clock:StudyStart"] = StudyStart.ToString("O"),
            ["Clock:RealStart"] = DateTimeOffset.UtcNow.ToString("O"),
            ["Scheduler:Dispatch:IntervalMilliseconds"] = "100",
            // The endline job looks every second, so the freeze follows the clock's jump to the endline at once.
            ["Attendance:Endline:IntervalSeconds"] = "1",
            // A short-code-like sender, so the study's 10,000 SMS take seconds; Messaging paces itself just under it.
            ["Simulator:MessagesPerSecondPerSender"] = "400",
            ["Messaging:Twilio:MessagesPerSecondPerSender"] = "380",
            // 429s from network jitter are retried; their warnings would drown the demo's own lines.
            ["Logging:LogLevel:MassTransit"] = "Error",
            ["Urls"] = "http://127.0.0.1:0",
            ["Database:SqliteFolder"] = dataDir,
            ["Logging:LogLevel:Default"] = "Warning",
            ["Logging:LogLevel:Microsoft.Hosting.Lifetime"] = "Warning",
        };
        foreach (var (outcome, numbers) in DeliveryFailures)
            for (var i = 0; i < numbers.Length; i++) settings[$"Simulator:Outcomes:{outcome}:{i}"] = numbers[i];
        var app = LocalHost.Build([], settings);
        var serve = args.Contains("--serve");
        var consoleApp = LocalHost.BuildConsole(app, [], new Dictionary<string, string?>
        {
            ["Console:Urls"] = SampleCommand.Option(args, "--console-url") ?? (serve ? ConsoleHost.DefaultUrl : "http://127.0.0.1:0"),
            ["Logging:LogLevel:Default"] = "Warning",
        });
        await app.StartAsync();
        await consoleApp.StartAsync();
        try
        {
            using var client = new ReminderClient(ServiceUrls.Single(app.Url()), app.ApiKey(Roles.Manager), app.ApiKey(Roles.Researcher), app.SimulatorKey());
            var log = new StringWriter();
            var console = new TeeWriter(Console.Out, log);
            console.WriteLine($"Demo on {app.Url()}, data in {dataDir}");
            var timeline = new StudyTimeline((StudyClock)app.Services.GetRequiredService<TimeProvider>(), client);
            var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(StudyStart, protocol.TimeZone).DateTime);
            var passed = await RunStudyAsync(client, timeline, protocol, console, Phase, outDir, seed, today);
            console.WriteLine($"Total {total.Elapsed.TotalSeconds:F1} s. Outputs in {outDir}: {string.Join(", ", Outputs)}");
            await File.WriteAllTextAsync(Path.Combine(outDir, "summary.txt"), log.ToString());
            if (!passed) Console.Error.WriteLine("Demo failed: the audit found differences or an SMS reached a control officer (see above).");
            await CreateConsoleUsersAsync(consoleApp, client);
            if (serve)
            {
                Console.WriteLine($"Serving until Ctrl+C: console {consoleApp.Configuration["Urls"]}, services {app.Url()}.");
                await consoleApp.WaitForShutdownAsync();
            }
            return passed ? 0 : 1;
        }
        catch (Exception ex)
        {
            Console.Error.WriteLine($"Demo failed: {ex.Message}");
            return 1;
        }
        finally
        {
            await consoleApp.StopAsync();
            await consoleApp.DisposeAsync();
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    /// <summary>One console user per role, the trainer linked to the demo's first trainer; the passwords go to the screen only.</summary>
    static async Task CreateConsoleUsersAsync(WebApplication consoleApp, ReminderClient client)
    {
        var users = consoleApp.Services.GetRequiredService<UserStore>();
        var trainers = await client.JsonAsync("scheduler", "/api/scheduler/trainers");
        Guid? trainerId = trainers.EnumerateArray().Select(t => t.GetProperty("trainerId").GetGuid()).FirstOrDefault() is var id && id != Guid.Empty ? id : null;
        Console.WriteLine($"Console on {consoleApp.Configuration["Urls"]} — sign in as:");
        foreach (var (name, role, fullName) in new[] { ("coordinacion", Roles.Manager, "Coordinación del estudio"), ("capacitacion", Roles.Trainer, "Instructora de la demo"), ("investigacion", Roles.Researcher, "Equipo de investigación") })
        {
            if (role == Roles.Trainer && trainerId is null) continue;
            var password = UsersCommand.NewPassword();
            var (user, error) = await users.AddAsync(name, role, password, fullName, role == Roles.Trainer ? trainerId : null, "demo");
            Console.WriteLine(user is null ? $"  {name}: {error}" : $"  {role,-10} user {name,-14} password {password}");
        }
    }

    /// <summary>
    /// The rosters the manager re-imports during the demo (the sample's, with a late enrollee and transfers), kept in the data
    /// folder with the services' own databases (names and phones), never beside the exports.
    /// </summary>
    public static readonly string[] RosterUpdates = ["data/roster-before-training.csv", "data/roster-mid-study.csv"];

    /// <summary>Every file the demo writes into its output folder.</summary>
    public static readonly string[] Outputs =
    [
        "allocation.csv", "balance.csv", "balance.json", "randomization.json", "sectors-report.json", "roster-report.json", "sms.json", "dosage.json",
        "training-plan.json", "attendance.csv", "attendance-summary.csv", "reminders.csv", "simulator-log.csv",
        .. EndlineDemo.Exports.Select(e => e.File), EdgesFile, RosterLinkFile, .. RosterUpdates, "summary.txt",
    ];

    /// <summary>
    /// The demo's own key from pseudonymous officer id to the sample roster's badge (no names, no phones): what lets a
    /// test join dosage.csv to the provider's log. Not a researcher export: it is kept in the data folder, beside the
    /// services' own databases (which hold the roster), never beside the exports.
    /// </summary>
    public const string RosterLinkFile = "data/officer-badges.csv";

    /// <summary>The edges of the study (<see cref="EdgesDemo"/>): the officers involved (pseudonymous ids) and the corrected session's history.</summary>
    public const string EdgesFile = "edges.json";

    /// <summary>Runs the study; true when the audit is clean and no control officer's phone got an SMS.</summary>
    static async Task<bool> RunStudyAsync(ReminderClient client, StudyTimeline timeline, StudyProtocol protocol, TextWriter console, Action<string> phase,
        string outDir, long seed, DateOnly today)
    {
        phase("Loading the sample and randomizing");
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

        // One SMS to the first officer (by badge) of each treatment sector who consented to SMS, followed to the ledger.
        phase("One test SMS per treatment sector");
        var arms = (await client.SectorsAsync()).EnumerateArray().ToDictionary(x => x.GetProperty("code").GetString()!, x => x.GetProperty("arm").GetString());
        var officers = (await client.OfficersAsync()).EnumerateArray().Where(o => o.GetProperty("role").GetString() == "officer").ToList();
        var firstPerSector = officers.Where(o => o.GetProperty("consent").GetBoolean())
            .GroupBy(o => o.GetProperty("sectorCode").GetString()!).ToDictionary(g => g.Key, g => g.First());
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

        phase("Roster re-imported before the trainings: a late enrollee, a control officer moved into a treatment sector");
        var edges = new EdgesDemo(client, timeline, protocol, outDir);
        await edges.BeforeTrainingAsync(arms, officers, today, TrainingDemo.PlanFrom(today), TrainingDemo.PlanTo(today));
        var people = (await client.OfficersAsync()).EnumerateArray().Where(o => o.GetProperty("role").GetString() == "officer").Concat(await CommandersAsync(client)).ToList();
        await File.WriteAllTextAsync(Path.Combine(outDir, RosterLinkFile), CsvText.Line(["officer_id", "badge"]) +
            string.Concat(people.Select(p => CsvText.Line([p.GetProperty("id").GetGuid().ToString(), p.GetProperty("badge").GetString()]))));

        var answerReplies = ReminderDemo.Officers(client, seed, edges.ScriptedPhones);
        phase("Training weeks: plans, invitations, day-before reminders, roll calls (one corrected)");
        var plan = await TrainingDemo.RunAsync(client, timeline, answerReplies, console, outDir, seed, today, arms, people, edges.CorrectRollCallAsync);
        phase("Reminder months: BAJA then ALTA, STOP then START, a roster re-import with two transfers");
        var script = await edges.ScriptReminderMonthsAsync(plan, people, arms);
        await ReminderDemo.RunAsync(client, timeline, answerReplies, console, outDir, script);
        // The simulator's log is written once it holds every SMS the provider accepted.
        await timeline.SettleAsync();
        var accepted = (await client.JsonAsync("messaging", "/api/messaging/sms/summary")).GetProperty("outbound").EnumerateArray()
            .Where(c => c.GetProperty("state").GetString() == "accepted").Sum(c => c.GetProperty("count").GetInt64());
        var log = "";
        for (var i = 0; i < 600; i++)
        {
            log = await client.SimulatorLogCsvAsync();
            if (log.Count(c => c == '\n') - 1 >= accepted) break;
            await Task.Delay(100);
        }
        await File.WriteAllTextAsync(Path.Combine(outDir, "simulator-log.csv"), log);

        phase("Endline: every cohort frozen by the endline job, then the whole study");
        await EndlineDemo.FreezeAsync(client, timeline, protocol, plan, console);
        phase("Consistency audit: provider log, Messaging, the ledger");
        var audit = await EndlineDemo.AuditAsync(client, console);
        phase("Researcher exports, each officer as frozen at their endline");
        await EndlineDemo.ExportAsync(client, outDir);
        await edges.ReportAsync(console, arms);
        return StudySummary.Print(outDir, audit, console);
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
