using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Reminders.Contracts;
using Reminders.Messaging.Delivery;
using Reminders.Local.Demo;
using Xunit.Abstractions;

namespace Reminders.EndToEnd.Tests;

/// <summary>The skeleton flow across four OS processes over the real RabbitMQ and PostgreSQL.</summary>
[Collection(DistributedCollection.Name)]
public sealed partial class DistributedSkeletonFlowTests(DistributedFixture services, ITestOutputHelper output) : IClassFixture<DistributedFixture>, IDisposable
{
    /// <summary>Each service's console output goes to the test's output, so a failure shows what the processes said.</summary>
    public void Dispose()
    {
        foreach (var (name, process) in services.Services)
            output.WriteLine($"--- {name}\n{string.Join('\n', process.Output.TakeLast(60))}");
    }

    [Fact]
    public async Task Treatment_officers_get_one_delivered_sms_in_the_ledger_across_four_processes()
    {
        var log = new StringWriter();
        SkeletonFlow.Result result;
        try
        {
            result = await SkeletonFlow.RunAsync(services.Client, log, TimeSpan.FromSeconds(60));
        }
        finally
        {
            output.WriteLine(log.ToString());
        }

        Assert.Equal(4, result.Delivered.Count);
        Assert.Equal(4, result.ControlAttempts.Count);
        Assert.All(result.ControlAttempts, attempt => Assert.Equal(409, attempt.Status));
        foreach (var trace in result.Delivered)
        {
            var dosage = result.Dosage[trace.OfficerId];
            Assert.Equal(1, dosage.GetProperty("smsSent").GetInt64());
            Assert.Equal(1, dosage.GetProperty("smsDelivered").GetInt64());
            Assert.Equal("treatment", dosage.GetProperty("arm").GetString());
        }
        var simulatorLog = await services.Client.SimulatorLogCsvAsync();
        Assert.Equal(4, simulatorLog.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length - 1);

        var latencies = result.Delivered.Select(d => d.LatencyMs).Order().ToList();
        output.WriteLine($"distributed mode SendSms → ledger latency: median {latencies[latencies.Count / 2]:F0} ms, max {latencies[^1]:F0} ms");

        // What the re-dispatch job and the audit read, on PostgreSQL: the Scheduler dispatched each SMS, Messaging has it accepted.
        var sent = result.Delivered.Select(d => d.SmsId).ToList();
        using var scheduler = new HttpClient { BaseAddress = new Uri(services.Urls.Scheduler) };
        scheduler.DefaultRequestHeaders.Add("X-Api-Key", DistributedFixture.ResearcherKey);
        var dispatched = (await scheduler.GetStringAsync("/api/scheduler/dispatched")).Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => System.Text.Json.JsonSerializer.Deserialize<DispatchedSms>(l, System.Text.Json.JsonSerializerOptions.Web)!).ToList();
        Assert.Equal(sent.Order(), dispatched.Where(d => d.Kind == "manual").Select(d => d.SmsId).Order());
        using var messaging = new HttpClient { BaseAddress = new Uri(services.Urls.Messaging) };
        messaging.DefaultRequestHeaders.Add("X-Api-Key", DistributedFixture.ResearcherKey);
        using var asked = await messaging.PostAsJsonAsync("/api/messaging/sms/states", new SmsStatesRequest([.. sent, Guid.NewGuid()]));
        var states = await asked.Content.ReadFromJsonAsync<List<SmsState>>(System.Text.Json.JsonSerializerOptions.Web);
        Assert.Equal(sent.Order(), states!.Select(s => s.SmsId).Order());
        Assert.All(states!, s => Assert.Equal("accepted", s.State));

        // Phone numbers never appear unmasked in any service's log.
        var leaked = services.AllOutput.Where(line => FullMexicanNumber().IsMatch(line)).ToList();
        Assert.True(leaked.Count == 0, "Unmasked phone numbers in logs:\n" + string.Join('\n', leaked.Take(5)));
    }

    /// <summary>Each service runs as its own database user (as in docker-compose): its own schema only, nothing of another's, nothing in public.</summary>
    [Fact]
    public async Task Each_service_reads_and_writes_its_own_schema_and_is_refused_every_other_schema()
    {
        string[] schemas = ["enrollment", "scheduler", "messaging", "attendance"];
        foreach (var own in schemas)
        {
            await using var connection = new Npgsql.NpgsqlConnection(services.ServiceConnectionStrings[own]);
            await connection.OpenAsync();
            await using (var ownJournal = new Npgsql.NpgsqlCommand($"SELECT count(*) FROM {own}.schema_migrations", connection))
                Assert.True((long)(await ownJournal.ExecuteScalarAsync())! > 0, $"{own} migrated its schema as its own user");
            foreach (var other in schemas.Where(s => s != own))
            {
                await using var read = new Npgsql.NpgsqlCommand($"SELECT count(*) FROM {other}.schema_migrations", connection);
                var refused = await Assert.ThrowsAsync<Npgsql.PostgresException>(() => read.ExecuteScalarAsync());
                Assert.Equal("42501", refused.SqlState);
            }
            await using var create = new Npgsql.NpgsqlCommand("CREATE TABLE public.not_mine (id int)", connection);
            Assert.Equal("42501", (await Assert.ThrowsAsync<Npgsql.PostgresException>(() => create.ExecuteNonQueryAsync())).SqlState);
        }
    }

    /// <summary>The console's Messaging routes on PostgreSQL: a reply for a person marked handled, the audit runs, SMS to control officers.</summary>
    [Fact]
    public async Task A_reply_from_an_unknown_number_is_marked_handled_and_the_summary_and_audit_runs_answer_on_postgres()
    {
        var messaging = services.Services["Messaging"].Url;
        const string path = "/api/messaging/webhooks/twilio/inbound";
        var sid = "SM" + Guid.NewGuid().ToString("N");
        var form = new Dictionary<string, string>
        {
            ["MessageSid"] = sid, ["AccountSid"] = "ACsimulator00000000000000000000000", ["From"] = "+525599998888", ["To"] = "+15005550006", ["Body"] = "Hola, quien es?",
        };
        using var http = new HttpClient { BaseAddress = new Uri(messaging) };
        using var webhook = new HttpRequestMessage(HttpMethod.Post, path) { Content = new FormUrlEncodedContent(form) };
        webhook.Headers.Add("X-Twilio-Signature", TwilioSigner.Sign(DistributedFixture.AuthToken, messaging + path, form));
        Assert.Equal(System.Net.HttpStatusCode.OK, (await http.SendAsync(webhook)).StatusCode);
        http.DefaultRequestHeaders.Add("X-Api-Key", DistributedFixture.ManagerKey);

        var waiting = await http.GetFromJsonAsync<List<SmsApi.InboundView>>("/api/messaging/inbound?category=unknown_sender&handled=false");
        var reply = Assert.Single(waiting!, r => r.Body == "Hola, quien es?");
        using var handled = await http.PostAsJsonAsync($"/api/messaging/inbound/{reply.Id}/handled", new { note = "numero equivocado" });
        Assert.True(handled.IsSuccessStatusCode, await handled.Content.ReadAsStringAsync());
        var done = await http.GetFromJsonAsync<List<SmsApi.InboundView>>("/api/messaging/inbound?handled=true");
        var summary = await http.GetFromJsonAsync<SmsApi.SmsSummary>("/api/messaging/sms/summary");
        using var runs = await http.GetAsync("/api/messaging/audit/runs?limit=5");

        Assert.Equal(("test-manager", "numero equivocado"), done!.Where(r => r.Id == reply.Id).Select(r => (r.HandledBy!, r.HandledNote!)).Single());
        Assert.Equal(0, summary!.ToControlOfficers);
        Assert.True(runs.IsSuccessStatusCode, await runs.Content.ReadAsStringAsync());
    }

    [GeneratedRegex(@"\+?52\s?1?\s?\d{2}\s?\d{4}\s?\d{4}")]
    private static partial Regex FullMexicanNumber();
}
