using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Reminders.Local;
using Reminders.Local.Demo;
using Reminders.Local.Sample;
using Reminders.Platform.Auth;
using Reminders.Platform.Hosting;
using Reminders.Platform.Logging;
using Reminders.Protocol;
using Xunit.Abstractions;

namespace Reminders.EndToEnd.Tests;

/// <summary>
/// No phone number (in any spelling), officer name or badge number of the roster appears in any log line, with the sample
/// study run in one local host logging at Information: roster loaded and re-imported with a bad row, officers searched by
/// name and badge, SMS sent and delivered, replies (an acknowledgment, a free text naming the officer, an opt-out) and a
/// status change whose reason names the officer. Every line is formatted by the services' own console formatter.
/// </summary>
public sealed class LogPiiTests(ITestOutputHelper output) : IAsyncLifetime
{
    const string SimulatorSender = "+15005550006";

    readonly CapturedLog log = new();
    readonly string dataFolder = Path.Combine(Path.GetTempPath(), "reminders-e2e-logs-" + Guid.NewGuid().ToString("N"));
    WebApplication app = null!;
    ReminderClient client = null!;

    public async Task InitializeAsync()
    {
        var settings = StudyClockOptions.InsideSendingHours(ProtocolLoader.LoadDefault(), DateTimeOffset.UtcNow, TimeSpan.FromHours(2));
        settings["Urls"] = "http://127.0.0.1:0";
        settings["Database:SqliteFolder"] = dataFolder;
        settings["Logging:LogLevel:Default"] = "Information";
        settings["Logging:LogLevel:Microsoft"] = "Information";
        settings["Logging:LogLevel:Microsoft.AspNetCore"] = "Information";
        app = LocalHost.Build([], settings);
        app.Services.GetRequiredService<ILoggerFactory>().AddProvider(log);
        await app.StartAsync();
        client = new ReminderClient(ServiceUrls.Single(app.Url()), app.ApiKey(Roles.Manager), app.ApiKey(Roles.Researcher), app.SimulatorKey());
    }

    public async Task DisposeAsync()
    {
        client.Dispose();
        await app.StopAsync();
        await app.DisposeAsync();
        SqliteConnection.ClearAllPools();
        try { Directory.Delete(dataFolder, recursive: true); } catch (IOException) { }
    }

    [Fact]
    public async Task No_log_line_contains_a_phone_name_or_badge_from_the_roster()
    {
        var roster = RosterPii.Roster();
        await client.LoadSectorsAsync(SampleFiles.Sectors);
        await client.ImportRosterAsync(SampleFiles.Roster);
        await client.RandomizeAsync(20261128, DemoCommand.Strata);

        using var manager = new HttpClient { BaseAddress = new Uri(app.Url()) };
        manager.DefaultRequestHeaders.Add("X-Api-Key", app.ApiKey(Roles.Manager));
        var arms = (await client.SectorsAsync()).EnumerateArray().ToDictionary(s => s.GetProperty("code").GetString()!, s => s.GetProperty("arm").GetString());
        var officers = (await client.OfficersAsync()).EnumerateArray().ToList();
        var treated = officers.Where(o => arms[o.GetProperty("sectorCode").GetString()!] == "treatment").Take(3)
            .Select(o => (Id: o.GetProperty("id").GetGuid(), Entry: roster.Single(r => r.Badge == o.GetProperty("badge").GetString()))).ToList();

        // A re-import with one bad phone (dry run) and a wrong-number row: the rejects name the value in the report, never in a log.
        var first = roster[0];
        var badRoster = $"Número de empleado;Nombre completo;Rol;Sector;Teléfono celular;Consentimiento\n{first.Badge};{first.Name};mando;IZP-01;55 {first.NationalNumber[2..6]};si\n";
        Assert.Equal(HttpStatusCode.UnprocessableEntity,
            (await manager.PostAsync("/api/enrollment/roster?mode=apply", new StringContent(badRoster, Encoding.UTF8, "text/csv"))).StatusCode);
        // A manager looks officers up by name, badge and phone.
        foreach (var search in new[] { first.Name, first.Badge, first.NationalNumber })
            Assert.Equal(HttpStatusCode.OK, (await manager.GetAsync($"/api/enrollment/officers?search={Uri.EscapeDataString(search)}")).StatusCode);

        foreach (var (id, _) in treated)
        {
            var (status, _) = await client.SendManualMessageWhenKnownAsync(id, SkeletonFlow.MessageBody, TimeSpan.FromSeconds(30));
            Assert.Equal(HttpStatusCode.Accepted, status);
            Assert.NotNull(await client.WaitForDosageAsync(id, d => d.GetProperty("smsDelivered").GetInt64() >= 1, TimeSpan.FromSeconds(30)));
        }
        // Replies from officers' own phones, as the provider would post them: an acknowledgment, free text naming the officer, an opt-out.
        var replies = new[] { "OK", $"Soy {treated[1].Entry.Name}, placa {treated[1].Entry.Badge}, mi otro número es 55 {treated[0].Entry.NationalNumber[2..6]} {treated[0].Entry.NationalNumber[6..]}", "BAJA" };
        for (var i = 0; i < treated.Count; i++)
            await client.SimulateReplyAsync("+52" + treated[i].Entry.NationalNumber, SimulatorSender, replies[i]);
        var optedOut = treated[2];
        await WaitAsync(async () => (await client.JsonAsync("enrollment", $"/api/enrollment/officers/{optedOut.Id}")).GetProperty("officer").GetProperty("status").GetString() == "sms_opted_out");
        // A manager's reason naming the officer.
        Assert.Equal(HttpStatusCode.OK, (await manager.PostAsJsonAsync($"/api/enrollment/officers/{treated[0].Id}/status",
            new { status = "withdrawn", reason = $"{treated[0].Entry.Name} ({treated[0].Entry.Badge}) pidió salir del estudio" })).StatusCode);
        await Task.Delay(500);

        var lines = log.Lines;
        output.WriteLine($"{lines.Count} log lines captured");
        // The capture sees what the services log at Information, requests included, and the scanner finds what it must.
        Assert.Contains(lines, l => l.Contains("Microsoft.AspNetCore.Hosting.Diagnostics", StringComparison.Ordinal));
        var scan = RosterPii.Scanner(roster);
        Assert.True(scan(Encoding.UTF8.GetString(SampleFiles.Roster)).Count >= roster.Count * 3);
        var leaks = lines.Select(line => (Line: line, Found: scan(line))).Where(l => l.Found.Count > 0).ToList();
        Assert.True(leaks.Count == 0, $"{leaks.Count} log lines hold roster data:\n" + string.Join("\n", leaks.Take(8).Select(l => $"[{string.Join(", ", l.Found)}] {Shorten(l.Line)}")));
    }

    static async Task WaitAsync(Func<Task<bool>> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!await done())
        {
            Assert.True(DateTime.UtcNow < deadline, "The opt-out never reached Enrollment.");
            await Task.Delay(100);
        }
    }

    static string Shorten(string text) => text.Length <= 300 ? text : text[..300] + "…";

    /// <summary>Every entry the host logs, written by the services' own console formatter (the masking one) into memory.</summary>
    sealed class CapturedLog : ILoggerProvider
    {
        readonly MaskingConsoleFormatter formatter = new();
        readonly ConcurrentQueue<string> lines = new();

        public IReadOnlyList<string> Lines => lines.ToList();

        public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

        public void Dispose() { }

        sealed class Logger(CapturedLog log, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                if (!IsEnabled(logLevel)) return;
                using var writer = new StringWriter();
                log.formatter.Write(new LogEntry<TState>(logLevel, category, eventId, state, exception, formatter), null, writer);
                log.lines.Enqueue(writer.ToString());
            }
        }
    }
}
