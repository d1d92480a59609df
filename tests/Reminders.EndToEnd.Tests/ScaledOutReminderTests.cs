using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Reminders.Local.Demo;
using Reminders.Local.Sample;
using Xunit.Abstractions;

namespace Reminders.EndToEnd.Tests;

/// <summary>
/// Two Schedulers and two Messagings (competing on the same queues and database), the study's sample trained a week ago,
/// its first reminder due now; the simulator answers some sends with 429, 500 and accept-then-timeout.
/// </summary>
public sealed class ScaledOutFixture : DistributedFixture
{
    /// <summary>
    /// Training Tuesday 2 to Thursday 4 February 2027 (Monday the 1st is a holiday); the first reminder is due on the 11th at
    /// 10:00 on each sector's clock: 12:05 in Mexico City is 10:05 in the sample's Tijuana sector, so every first reminder is due.
    /// </summary>
    public static readonly DateOnly FirstTrainingDay = new(2027, 2, 2);
    public static readonly DateTimeOffset StudyStart = new(2027, 2, 11, 12, 5, 0, TimeSpan.FromHours(-6));

    protected override IReadOnlyDictionary<string, int> Instances => new Dictionary<string, int> { ["Scheduler"] = 2, ["Messaging"] = 2 };

    protected override Dictionary<string, string?> Clock() => new()
    {
        ["Clock:StudyStart"] = StudyStart.ToString("O", CultureInfo.InvariantCulture),
        ["Clock:RealStart"] = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture),
    };

    protected override IReadOnlyDictionary<string, string?> ExtraSettings => new Dictionary<string, string?>
    {
        ["Simulator:MessagesPerSecondPerSender"] = "400",
        ["Messaging:Twilio:MessagesPerSecondPerSender"] = "380",
        // Shorter than the simulator's accept-then-timeout hold, so those sends are in doubt.
        ["Messaging:Twilio:RequestTimeoutSeconds"] = "2",
        ["Scheduler:Dispatch:IntervalMilliseconds"] = "200",
        ["Logging:LogLevel:Default"] = "Warning",
    };
}

[Collection(DistributedCollection.Name)]
public sealed class ScaledOutReminderTests(ScaledOutFixture services, ITestOutputHelper output) : IClassFixture<ScaledOutFixture>, IDisposable
{
    public void Dispose()
    {
        foreach (var (name, process) in services.Services)
            output.WriteLine($"--- {name}\n{string.Join('\n', process.Output.TakeLast(30))}");
    }

    HttpClient As(string url, string key)
    {
        var http = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromMinutes(2) };
        http.DefaultRequestHeaders.Add("X-Api-Key", key);
        return http;
    }

    [Fact]
    public async Task Every_due_reminder_and_invitation_reaches_the_provider_exactly_once_and_none_goes_to_control_despite_faults()
    {
        var client = services.Client;
        using var scheduler = As(services.Urls.Scheduler, DistributedFixture.ManagerKey);
        using var attendanceManager = As(services.Urls.Attendance, DistributedFixture.ManagerKey);
        using var trainer = As(services.Urls.Attendance, DistributedFixture.TrainerKey);
        using var simulator = services.Client.SimulatorHttp();

        await client.LoadSectorsAsync(SampleFiles.Sectors);
        await client.ImportRosterAsync(SampleFiles.Roster);
        var randomization = await client.RandomizeAsync(DemoCommand.DefaultSeed, DemoCommand.Strata);
        var balance = await client.JsonAsync("enrollment", $"/api/enrollment/randomizations/{randomization.GetProperty("id").GetGuid()}/balance");
        var treated = balance.GetProperty("arms").EnumerateArray().Where(a => a.GetProperty("arm").GetString() == "treatment")
            .Sum(a => a.GetProperty("officers").GetInt32() + a.GetProperty("commanders").GetInt32());

        // Enough rooms and trainers for every cohort to train on the same three days.
        for (var i = 1; i <= 80; i++)
        {
            await scheduler.PostAsJsonAsync("/api/scheduler/venues", new { name = $"Aula {i}", capacity = 80 });
            await scheduler.PostAsJsonAsync("/api/scheduler/trainers", new { name = $"Instructor {i}" });
        }
        var window = new { from = ScaledOutFixture.FirstTrainingDay.ToString("yyyy-MM-dd"), to = ScaledOutFixture.FirstTrainingDay.AddDays(2).ToString("yyyy-MM-dd") };
        // The Scheduler learns officers and arms from Enrollment's events: plan once it knows every treated one.
        var dryRun = default(JsonElement);
        await WaitAsync(async () =>
        {
            dryRun = await (await scheduler.PostAsJsonAsync("/api/scheduler/plans", new { window.from, window.to, dryRun = true })).Content.ReadFromJsonAsync<JsonElement>();
            return dryRun.GetProperty("officers").GetInt32() == treated;
        }, () => $"the Scheduler to learn every one of {treated} treated officers: {dryRun.GetProperty("officers")} placed, unplaced {dryRun.GetProperty("unplaced")}");

        foreach (var (kind, probability, seed) in new[] { ("error429", 0.05, 1), ("error500", 0.03, 2), ("acceptThenTimeout", 0.01, 3) })
            (await simulator.PostAsJsonAsync("/simulator/faults", new { kind, probability, seed, delayMs = 3000 })).EnsureSuccessStatusCode();

        var planResponse = await scheduler.PostAsJsonAsync("/api/scheduler/plans", window);
        var plan = await planResponse.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(planResponse.IsSuccessStatusCode, plan.ToString());
        Assert.Equal(0, plan.GetProperty("unplaced").GetArrayLength());

        // Everyone attended every session; each cohort is closed, which plans its six reminders.
        foreach (var cohort in plan.GetProperty("plan").EnumerateArray())
        {
            foreach (var session in cohort.GetProperty("sessions").EnumerateArray())
            {
                var sessionId = session.GetProperty("sessionId").GetGuid();
                var members = new List<Guid>();
                await WaitAsync(async () =>
                {
                    using var response = await attendanceManager.GetAsync($"/api/attendance/sessions/{sessionId}");
                    if (!response.IsSuccessStatusCode) return false;
                    members = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("officers").EnumerateArray()
                        .Select(o => o.GetProperty("officerId").GetGuid()).ToList();
                    return members.Count == cohort.GetProperty("members").GetInt32();
                }, $"Attendance to learn session {sessionId}");
                var csv = new StringBuilder("officer_id,check_in,check_out,excused\r\n");
                foreach (var officerId in members)
                    csv.Append(CultureInfo.InvariantCulture, $"{officerId},{session.GetProperty("startsAt").GetDateTimeOffset():O},{session.GetProperty("endsAt").GetDateTimeOffset():O},\r\n");
                using var upload = await trainer.PostAsync($"/api/attendance/sessions/{sessionId}/roll-call", new StringContent(csv.ToString(), Encoding.UTF8, "text/csv"));
                Assert.True(upload.IsSuccessStatusCode, await upload.Content.ReadAsStringAsync());
            }
            using var close = await attendanceManager.PostAsync($"/api/attendance/cohorts/{cohort.GetProperty("cohortId").GetGuid()}/close", null);
            Assert.True(close.IsSuccessStatusCode, await close.Content.ReadAsStringAsync());
        }

        // Settled: every reminder planned, the first one of each officer dispatched, nothing in flight at Messaging.
        await WaitAsync(async () =>
        {
            var dispatch = await scheduler.GetFromJsonAsync<JsonElement>("/api/scheduler/dispatch");
            var counts = dispatch.GetProperty("counts").EnumerateArray().ToList();
            var reminders = counts.Where(c => c.GetProperty("kind").GetString() == "reminder").Sum(c => c.GetProperty("count").GetInt64());
            var dispatched = counts.Where(c => c.GetProperty("status").GetString() == "dispatched").Sum(c => c.GetProperty("count").GetInt64());
            var sms = await client.JsonAsync("messaging", "/api/messaging/sms/summary");
            var known = sms.GetProperty("outbound").EnumerateArray().Sum(c => c.GetProperty("count").GetInt64());
            return reminders == 6 * treated && dispatch.GetProperty("due").GetInt64() == 0 && known >= dispatched && sms.GetProperty("inFlight").GetInt64() == 0;
        }, "every reminder planned and every due SMS settled", TimeSpan.FromMinutes(4));

        var log = await client.SimulatorLogCsvAsync();
        var messages = log.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(ParseLogLine).ToList();
        var duplicates = messages.GroupBy(m => (m.To, m.Body)).Where(g => g.Count() > 1).Select(g => $"{g.Key.To}: {g.Key.Body[..30]} ×{g.Count()}").ToList();
        Assert.True(duplicates.Count == 0, "Sent twice:\n" + string.Join('\n', duplicates.Take(10)));
        var arms = (await client.SectorsAsync()).EnumerateArray().ToDictionary(x => x.GetProperty("code").GetString()!, x => x.GetProperty("arm").GetString());
        var rosterRows = Encoding.UTF8.GetString(SampleFiles.Roster).TrimStart('\uFEFF').Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1)
            .Select(l => l.TrimEnd('\r').Split(';')).ToList();
        static string Phone(string[] row) => "+52" + new string(row[4].Where(char.IsDigit).ToArray())[^10..];
        var controlPhones = rosterRows.Where(f => arms.GetValueOrDefault(f[3]) == "control").Select(Phone).ToHashSet();
        // Treatment officers whose roster says no consent are trained but get no SMS of any kind.
        var noConsentPhones = rosterRows.Where(f => arms.GetValueOrDefault(f[3]) == "treatment" && f[5].Trim() == "no").Select(Phone).ToHashSet();
        Assert.NotEmpty(noConsentPhones);
        Assert.Equal(treated - noConsentPhones.Count, messages.Count(m => m.Body.StartsWith("Curso de Justicia Procedimental: inicia", StringComparison.Ordinal)));
        Assert.Equal(treated - noConsentPhones.Count, messages.Count(m => m.Body.Contains("Responda OK de recibido", StringComparison.Ordinal)));
        Assert.DoesNotContain(messages, m => controlPhones.Contains(m.To));
        Assert.DoesNotContain(messages, m => noConsentPhones.Contains(m.To));

        // The faults did happen: sends were refused, retried and looked up, and still nothing doubled.
        var faults = await simulator.GetFromJsonAsync<JsonElement>("/simulator/faults");
        output.WriteLine(faults.ToString());
        Assert.All(faults.EnumerateArray(), f => Assert.True(f.GetProperty("applied").GetInt64() > 0, f.ToString()));
    }

    static (string To, string Body) ParseLogLine(string line)
    {
        // sid,from,to,body,...: the body is quoted when it holds a comma.
        var fields = line.Split(',', 4);
        var rest = fields[3];
        var body = rest.StartsWith('"') ? rest[1..rest.IndexOf("\",", 1, StringComparison.Ordinal)].Replace("\"\"", "\"") : rest[..rest.IndexOf(',')];
        return (fields[2], body);
    }

    static Task WaitAsync(Func<Task<bool>> done, string what, TimeSpan? timeout = null) => WaitAsync(done, () => what, timeout);

    static async Task WaitAsync(Func<Task<bool>> done, Func<string> what, TimeSpan? timeout = null)
    {
        var deadline = DateTimeOffset.UtcNow + (timeout ?? TimeSpan.FromSeconds(90));
        while (!await done())
        {
            if (DateTimeOffset.UtcNow > deadline) throw new TimeoutException($"Timed out waiting for {what()}.");
            await Task.Delay(200);
        }
    }
}
