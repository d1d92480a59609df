using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Reminders.Contracts;
using Reminders.Local;
using Reminders.Local.Audit;
using Reminders.Local.Demo;
using Reminders.Messaging.Audit;
using Reminders.Messaging.Delivery;
using Reminders.Platform.Auth;
using Reminders.Platform.Hosting;
using Reminders.Protocol;
using Reminders.ProviderSimulator.Log;
using Twilio.Clients;
using Twilio.Rest.Api.V2010.Account;
using Twilio.Types;

namespace Reminders.EndToEnd.Tests;

/// <summary>
/// Messaging's consistency audit on the one-process default: the provider's log (read through the Twilio SDK's list
/// API), Messaging's records and Attendance's ledger (read over HTTP) agree after real sends; each difference planted on
/// purpose (a message made at the provider behind Messaging's back, a ledger row changed or deleted, a status changed
/// in Messaging, a second provider message for one SMS) is reported with its kind, ids and what each source says.
/// </summary>
public sealed class ConsistencyAuditTests(AuditHostsFixture hosts) : IClassFixture<AuditHostsFixture>
{
    static int nextPhone = 7000;
    WebApplication Clean => hosts.Clean.App;
    WebApplication Planted => hosts.Planted.App;

    static Task<EnrolledOfficer> EnrollAsync(StudyHost host, string arm) =>
        host.App.EnrollAsync(host.SectorOf(arm), $"+52550000{Interlocked.Increment(ref nextPhone)}");

    static string NewBody(string what) => $"Auditoria: {what} {Guid.NewGuid():N}";

    static async Task<(HttpStatusCode Status, string Body)> PostAuditAsync(WebApplication app, string? key, string query = "")
    {
        using var http = new HttpClient { BaseAddress = new Uri(app.Url()) };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/messaging/audit" + query);
        if (key is not null) request.Headers.Add("X-Api-Key", key);
        using var response = await http.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    static async Task<(AuditReport Report, string Json)> AuditAsync(WebApplication app)
    {
        var (status, body) = await PostAuditAsync(app, app.ApiKey(Roles.Manager));
        Assert.True(status == HttpStatusCode.OK, body);
        return (JsonSerializer.Deserialize<AuditReport>(body, JsonSerializerOptions.Web)!, body);
    }

    /// <summary>A manager's one-off SMS through the Scheduler (which dispatches it to Messaging), once the Scheduler knows the officer.</summary>
    internal static async Task<Guid> SendManualAsync(WebApplication app, Guid officerId, string body)
    {
        using var client = new ReminderClient(ServiceUrls.Single(app.Url()), app.ApiKey(Roles.Manager), app.ApiKey(Roles.Researcher), app.SimulatorKey());
        var (status, answer) = await client.SendManualMessageWhenKnownAsync(officerId, body, TimeSpan.FromSeconds(15));
        Assert.True(status == HttpStatusCode.Accepted, $"{(int)status}: {answer}");
        return answer.GetProperty("smsId").GetGuid();
    }

    /// <summary>Sends one SMS through the Scheduler and waits until the ledger shows it delivered (so the provider and Messaging do too).</summary>
    static async Task<(Guid SmsId, string ProviderSid)> SendDeliveredAsync(WebApplication app, EnrolledOfficer officer, string body)
    {
        var smsId = await SendManualAsync(app, officer.Id, body);
        var sms = await app.SettledAsync(smsId);
        Assert.Equal("accepted", sms.State);
        await SmsSteps.WaitForAsync(() => app.QueryAsync<string?>("attendance", "SELECT status FROM sms_ledger WHERE sms_id = @id", new { id = smsId.ToString() }),
            rows => rows is ["delivered"], $"The ledger never showed SMS {smsId} delivered");
        return (smsId, sms.ProviderSid!);
    }

    /// <summary>Creates a message at the provider (the simulator's Twilio endpoint) through the SDK, as something other than Messaging would.</summary>
    internal static async Task<string> CreateAtProviderAsync(WebApplication app, string to, string body)
    {
        var handler = new TwilioBaseUrlHandler(new Uri(app.Url()), new SocketsHttpHandler());
        var client = new TwilioRestClient(app.Configuration["Simulator:AccountSid"], app.Configuration["Simulator:AuthToken"],
            httpClient: new Twilio.Http.SystemNetHttpClient(new System.Net.Http.HttpClient(handler)));
        var message = await MessageResource.CreateAsync(new CreateMessageOptions(new PhoneNumber(to))
        {
            From = new PhoneNumber(app.Configuration["Messaging:Twilio:From"]), Body = body,
        }, client);
        await SmsSteps.WaitForAsync(() => Task.FromResult(app.Services.GetRequiredService<SimulatorLog>().Find(message.Sid)?.Status),
            s => s == MessageStatuses.Delivered, $"The provider never delivered {message.Sid}");
        return message.Sid;
    }

    static void JumpClock(WebApplication app, TimeSpan by) =>
        ((StudyClock)app.Services.GetRequiredService<TimeProvider>()).JumpTo(app.StudyNow() + by);

    [Fact]
    public async Task Sms_sent_and_delivered_through_the_system_audit_clean_with_equal_counts_in_every_source()
    {
        var first = await EnrollAsync(hosts.Clean, StudyArms.Treatment);
        var second = await EnrollAsync(hosts.Clean, StudyArms.Treatment);
        var sent = new[]
        {
            await SendDeliveredAsync(Clean, first, NewBody("uno")),
            await SendDeliveredAsync(Clean, first, NewBody("dos")),
            await SendDeliveredAsync(Clean, second, NewBody("tres")),
        };
        // Refused by Messaging's guard: recorded by Messaging and the ledger, never at the provider. (The Scheduler would not
        // dispatch it: a reply, Messaging's own kind of SMS, is what can reach the guard for a control officer.)
        var control = await EnrollAsync(hosts.Clean, StudyArms.Control);
        var refused = await Clean.SendSmsAsync(control.Id, SmsPurposes.Reply, NewBody("control"));
        Assert.Equal("refused", (await Clean.SettledAsync(refused)).State);
        await SmsSteps.WaitForAsync(() => Clean.QueryAsync<string?>("attendance", "SELECT refusal_reason FROM sms_ledger WHERE sms_id = @id", new { id = refused.ToString() }),
            rows => rows is ["arm_mismatch"], $"The ledger never showed SMS {refused} refused");

        var (report, _) = await AuditAsync(Clean);

        Assert.True(report.Clean, string.Join("\n", report.Differences));
        Assert.Empty(report.Differences);
        Assert.Equal(0, report.Unsettled.Total);
        Assert.Equal((3L, 3L, 3L), (report.Sources.Provider.Records, report.Sources.Messaging.Accepted, report.Sources.Ledger.Accepted));
        Assert.Equal((4L, 4L), (report.Sources.Messaging.Records, report.Sources.Ledger.Records));
        Assert.Equal(3L, report.Sources.Provider.ByStatus["delivered"]);
        Assert.Equal(3L, report.Sources.Messaging.ByStatus["delivered"]);
        Assert.Equal(3L, report.Sources.Ledger.ByStatus["delivered"]);
        Assert.Equal(3L, report.Sources.Scheduler!.ByStatus["manual"]);
        Assert.Equal(0, await AuditCommand.RunAsync(["--url", Clean.Url(), "--key", Clean.ApiKey(Roles.Researcher)]));

        // The ledger's SMS rows, as the audit reads them: JSON lines with the provider's sid, pseudonymous.
        using var http = new HttpClient { BaseAddress = new Uri(Clean.Url()) };
        http.DefaultRequestHeaders.Add("X-Api-Key", Clean.ApiKey(Roles.Researcher));
        using var response = await http.GetAsync(LedgerClient.Path);
        Assert.Equal("application/x-ndjson", response.Content.Headers.ContentType?.MediaType);
        var lines = (await response.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var rows = lines.Select(l => JsonSerializer.Deserialize<LedgerSms>(l, JsonSerializerOptions.Web)!).ToList();
        Assert.Equal(sent.Select(s => (s.SmsId, s.ProviderSid)).Order(), rows.Where(r => r.Accepted).Select(r => (r.SmsId, r.ProviderSid!)).Order());
        Assert.All(rows.Where(r => r.Accepted), r => Assert.Equal("delivered", r.Status));
        Assert.Equal((control.Id, "arm_mismatch", (string?)null), rows.Where(r => !r.Accepted).Select(r => (r.OfficerId, r.RefusalReason, r.ProviderSid)).Single());
        Assert.DoesNotContain(first.Phone[3..], string.Join("\n", lines));
    }

    static async Task<(HttpStatusCode Status, string Body)> GetAsync(WebApplication app, string role, string path)
    {
        using var http = new HttpClient { BaseAddress = new Uri(app.Url()) };
        http.DefaultRequestHeaders.Add("X-Api-Key", app.ApiKey(role));
        using var response = await http.GetAsync(path);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    static async Task<List<AuditRun>> RunsAsync(WebApplication app, int limit, string role = Roles.Manager)
    {
        var (status, body) = await GetAsync(app, role, $"/api/messaging/audit/runs?limit={limit}");
        Assert.True(status == HttpStatusCode.OK, body);
        return JsonSerializer.Deserialize<List<AuditRun>>(body, JsonSerializerOptions.Web)!;
    }

    static async Task<long> SmsToControlOfficersAsync(WebApplication app)
    {
        var (status, body) = await GetAsync(app, Roles.Researcher, "/api/messaging/sms/summary");
        Assert.True(status == HttpStatusCode.OK, body);
        return JsonSerializer.Deserialize<SmsApi.SmsSummary>(body, JsonSerializerOptions.Web)!.ToControlOfficers;
    }

    [Fact]
    public async Task Each_audit_run_is_recorded_with_who_when_the_window_and_the_verdict_and_listed_newest_first()
    {
        var from = Clean.StudyNow().AddDays(-2);
        var (status, body) = await PostAuditAsync(Clean, Clean.ApiKey(Roles.Researcher), $"?from={Uri.EscapeDataString(from.ToString("O"))}");
        Assert.True(status == HttpStatusCode.OK, body);
        var cleanReport = JsonSerializer.Deserialize<AuditReport>(body, JsonSerializerOptions.Web)!;
        var (plantedReport, _) = await AuditAsync(Planted);
        await PostAuditAsync(Clean, Clean.ApiKey(Roles.Manager));

        var runs = await RunsAsync(Clean, 2, Roles.Researcher);

        Assert.Equal(2, runs.Count);
        Assert.Equal("local-manager", runs[0].RanBy);
        Assert.True(runs[0].RanAt >= runs[1].RanAt);
        var mine = runs[1];
        Assert.Equal(("local-researcher", cleanReport.RanAt, from, cleanReport.PeriodTo, true, 0L), (mine.RanBy, mine.RanAt, mine.PeriodFrom!.Value, mine.PeriodTo, mine.Clean, mine.Differences));
        Assert.Empty(mine.DifferencesByKind);
        var planted = (await RunsAsync(Planted, 1)).Single();
        Assert.Equal(("local-manager", plantedReport.RanAt, plantedReport.Clean, (long)plantedReport.Differences.Count, plantedReport.Unsettled.Total),
            (planted.RanBy, planted.RanAt, planted.Clean, planted.Differences, planted.Unsettled));
        Assert.Equal(plantedReport.DifferencesByKind.OrderBy(k => k.Key), planted.DifferencesByKind.OrderBy(k => k.Key));
    }

    [Theory]
    [InlineData("limit=0")]
    [InlineData("limit=1001")]
    public async Task A_bad_limit_on_the_audit_runs_is_400_naming_it(string query)
    {
        var (status, body) = await GetAsync(Clean, Roles.Manager, $"/api/messaging/audit/runs?{query}");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("limit", JsonSerializer.Deserialize<JsonElement>(body).GetProperty("field").GetString());
    }

    [Fact]
    public async Task The_audit_runs_are_for_managers_and_researchers()
    {
        Assert.Equal(HttpStatusCode.Forbidden, (await GetAsync(Clean, Roles.Trainer, "/api/messaging/audit/runs")).Status);
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(Clean, Roles.Researcher, "/api/messaging/audit/runs")).Status);
    }

    [Fact]
    public async Task The_sms_summary_counts_provider_accepted_sms_to_officers_randomized_to_control()
    {
        var before = await SmsToControlOfficersAsync(Planted);
        var control = await EnrollAsync(hosts.Planted, StudyArms.Control);
        Assert.Equal("refused", (await Planted.SettledAsync(await Planted.SendSmsAsync(control.Id, SmsPurposes.Manual, NewBody("control")))).State);
        Assert.Equal(before, await SmsToControlOfficersAsync(Planted));

        // As if the guard had let one through: an officer who got an SMS is, in Messaging's replica, randomized to control.
        var officer = await EnrollAsync(hosts.Planted, StudyArms.Treatment);
        await SendDeliveredAsync(Planted, officer, NewBody("a control"));
        await Planted.ExecuteAsync("messaging", "UPDATE officer_arms SET arm = 'control' WHERE officer_id = @id", new { id = officer.Id.ToString() });

        Assert.Equal(before + 1, await SmsToControlOfficersAsync(Planted));
    }

    [Fact]
    public async Task A_message_made_at_the_provider_for_a_control_officer_is_provider_only_and_control_arm_sms_and_no_phone_is_shown()
    {
        var control = await EnrollAsync(hosts.Planted, StudyArms.Control);
        var sid = await CreateAtProviderAsync(Planted, control.Phone, NewBody("fuera del sistema"));
        var stranger = await CreateAtProviderAsync(Planted, "+525500009876", NewBody("numero desconocido"));

        var (report, json) = await AuditAsync(Planted);

        Assert.False(report.Clean);
        var providerOnly = Assert.Single(report.Differences, d => d.Kind == DifferenceKinds.ProviderOnly && d.ProviderSid == sid);
        Assert.Equal((control.Id, "delivered", "absent"), (providerOnly.OfficerId, providerOnly.Provider, providerOnly.Messaging));
        var toControl = Assert.Single(report.Differences, d => d.Kind == DifferenceKinds.ControlArmSms && d.ProviderSid == sid);
        Assert.Equal(control.Id, toControl.OfficerId);
        Assert.Single(report.Differences, d => d.Kind == DifferenceKinds.ProviderOnly && d.ProviderSid == stranger && d.OfficerId is null);
        var unknown = Assert.Single(report.Differences, d => d.Kind == DifferenceKinds.ControlArmSms && d.ProviderSid == stranger);
        Assert.Equal("+52******9876", unknown.ToMasked);
        Assert.Contains(report.Differences, d => d.Kind == DifferenceKinds.CountMismatch && d.OfficerId == control.Id
            && d.Provider == "sent 1, delivered 1" && d.Ledger == "sent 0, delivered 0");
        Assert.True(report.DifferencesByKind[DifferenceKinds.ProviderOnly] >= 2);
        Assert.DoesNotContain(control.Phone[3..], json);
        Assert.DoesNotContain("5500009876", json);
        Assert.Equal(1, await AuditCommand.RunAsync(["--url", Planted.Url(), "--key", Planted.ApiKey(Roles.Manager)]));
    }

    [Fact]
    public async Task A_ledger_row_whose_status_was_changed_in_Attendance_is_a_status_mismatch_between_Messaging_and_the_ledger()
    {
        var officer = await EnrollAsync(hosts.Planted, StudyArms.Treatment);
        var (smsId, sid) = await SendDeliveredAsync(Planted, officer, NewBody("libro alterado"));
        await Planted.ExecuteAsync("attendance", "UPDATE sms_ledger SET status = 'undelivered', delivered_at = NULL WHERE sms_id = @id", new { id = smsId.ToString() });

        var (report, _) = await AuditAsync(Planted);

        var mismatch = Assert.Single(report.Differences, d => d.Kind == DifferenceKinds.StatusMismatch && d.SmsId == smsId);
        Assert.Equal((sid, officer.Id, (string?)null, "delivered", "undelivered"),
            (mismatch.ProviderSid, mismatch.OfficerId, mismatch.Provider, mismatch.Messaging, mismatch.Ledger));
        Assert.Contains(report.Differences, d => d.Kind == DifferenceKinds.CountMismatch && d.OfficerId == officer.Id
            && d.Provider == "sent 1, delivered 1" && d.Ledger == "sent 1, delivered 0");
    }

    [Fact]
    public async Task A_deleted_ledger_row_is_unsettled_within_the_grace_period_and_ledger_missing_after_it()
    {
        var officer = await EnrollAsync(hosts.Planted, StudyArms.Treatment);
        var (smsId, sid) = await SendDeliveredAsync(Planted, officer, NewBody("fila borrada"));
        await Planted.ExecuteAsync("attendance", "DELETE FROM sms_ledger WHERE sms_id = @id", new { id = smsId.ToString() });

        var (young, _) = await AuditAsync(Planted);
        Assert.DoesNotContain(young.Differences, d => d.SmsId == smsId || d.OfficerId == officer.Id);
        Assert.True(young.Unsettled.ByReason.GetValueOrDefault("ledger_catching_up") >= 1, JsonSerializer.Serialize(young.Unsettled));

        JumpClock(Planted, TimeSpan.FromMinutes(11));
        var (report, _) = await AuditAsync(Planted);

        var missing = Assert.Single(report.Differences, d => d.Kind == DifferenceKinds.LedgerMissing && d.SmsId == smsId);
        Assert.Equal((sid, officer.Id, "delivered", "absent"), (missing.ProviderSid, missing.OfficerId, missing.Messaging, missing.Ledger));
        Assert.Contains(report.Differences, d => d.Kind == DifferenceKinds.CountMismatch && d.OfficerId == officer.Id);
    }

    [Fact]
    public async Task A_status_Messaging_holds_against_the_providers_is_a_status_mismatch_with_what_each_source_says()
    {
        var officer = await EnrollAsync(hosts.Planted, StudyArms.Treatment);
        var (smsId, sid) = await SendDeliveredAsync(Planted, officer, NewBody("estado alterado"));
        await Planted.ExecuteAsync("messaging", "UPDATE outbound_sms SET status = 'failed' WHERE sms_id = @id", new { id = smsId.ToString() });

        var (report, _) = await AuditAsync(Planted);

        var withProvider = Assert.Single(report.Differences, d => d.Kind == DifferenceKinds.StatusMismatch && d.SmsId == smsId && d.Provider is not null);
        Assert.Equal((sid, "delivered", "failed", (string?)null), (withProvider.ProviderSid, withProvider.Provider, withProvider.Messaging, withProvider.Ledger));
        var withLedger = Assert.Single(report.Differences, d => d.Kind == DifferenceKinds.StatusMismatch && d.SmsId == smsId && d.Ledger is not null);
        Assert.Equal(("failed", "delivered"), (withLedger.Messaging, withLedger.Ledger));
    }

    [Fact]
    public async Task A_second_provider_message_with_the_same_recipient_and_text_is_a_duplicate_of_the_sms_Messaging_sent()
    {
        var officer = await EnrollAsync(hosts.Planted, StudyArms.Treatment);
        var body = NewBody("duplicado");
        var (smsId, sid) = await SendDeliveredAsync(Planted, officer, body);
        var copy = await CreateAtProviderAsync(Planted, officer.Phone, body);

        var (report, _) = await AuditAsync(Planted);

        var duplicate = Assert.Single(report.Differences, d => d.Kind == DifferenceKinds.DuplicateAtProvider && d.ProviderSid == copy);
        Assert.Equal((smsId, officer.Id), (duplicate.SmsId, duplicate.OfficerId));
        Assert.Contains(sid, duplicate.Messaging);
        Assert.DoesNotContain(report.Differences, d => d.Kind == DifferenceKinds.ProviderOnly && d.ProviderSid == copy);
    }

    [Fact]
    public async Task A_messaging_record_with_a_sid_the_provider_never_issued_is_missing_at_provider()
    {
        var officer = await EnrollAsync(hosts.Planted, StudyArms.Treatment);
        var (smsId, sid) = await SendDeliveredAsync(Planted, officer, NewBody("sid perdido"));
        var forged = "SM" + Guid.NewGuid().ToString("N");
        await Planted.ExecuteAsync("messaging", "UPDATE outbound_sms SET provider_sid = @forged WHERE sms_id = @id", new { forged, id = smsId.ToString() });

        var (report, _) = await AuditAsync(Planted);

        var missing = Assert.Single(report.Differences, d => d.Kind == DifferenceKinds.MissingAtProvider && d.SmsId == smsId);
        Assert.Equal((forged, "absent", "delivered"), (missing.ProviderSid, missing.Provider, missing.Messaging));
        // The real message is now one Messaging names only in its history: a second provider message for the SMS.
        Assert.Single(report.Differences, d => d.Kind == DifferenceKinds.DuplicateAtProvider && d.ProviderSid == sid && d.SmsId == smsId);
    }

    [Fact]
    public async Task A_provider_log_page_it_cannot_read_is_a_finding_of_an_unclean_audit_never_a_500()
    {
        var officer = await EnrollAsync(hosts.Planted, StudyArms.Treatment);
        await SendDeliveredAsync(Planted, officer, NewBody("pagina ilegible"));
        using (var simulator = Planted.SimulatorHttp())
        using (var fault = await simulator.PostAsJsonAsync("/simulator/faults", new { kind = "listUnreadable" }))
            Assert.True(fault.IsSuccessStatusCode, await fault.Content.ReadAsStringAsync());

        var (report, _) = await AuditAsync(Planted);

        Assert.False(report.Clean);
        var unreadable = Assert.Single(report.Differences);
        Assert.Equal(DifferenceKinds.ProviderUnreadable, unreadable.Kind);
        Assert.Contains("could not be read", unreadable.Detail);
        // Nothing is compared against a log that was not read: no SMS is called missing at the provider.
        Assert.Equal(0, report.Sources.Provider.Records);
        Assert.True(report.Sources.Messaging.Records > 0);
        // The fault was used up: the next audit reads the log again.
        Assert.DoesNotContain((await AuditAsync(Planted)).Report.Differences, d => d.Kind == DifferenceKinds.ProviderUnreadable);
    }

    [Fact]
    public async Task An_sms_Messaging_received_that_the_Scheduler_never_dispatched_is_received_not_dispatched_but_a_reply_is_not()
    {
        var officer = await EnrollAsync(hosts.Planted, StudyArms.Treatment);
        // A reminder put on Messaging's queue behind the Scheduler's back, and a reply, which Messaging sends on its own.
        var stray = await Planted.SendSmsAsync(officer.Id, SmsPurposes.Reminder, NewBody("sin despacho"));
        var reply = await Planted.SendSmsAsync(officer.Id, SmsPurposes.Reply, NewBody("respuesta"));
        Assert.Equal("accepted", (await Planted.SettledAsync(stray)).State);
        Assert.Equal("accepted", (await Planted.SettledAsync(reply)).State);
        var (dispatched, _) = await SendDeliveredAsync(Planted, officer, NewBody("despachado"));

        var (report, _) = await AuditAsync(Planted);

        var found = Assert.Single(report.Differences, d => d.Kind == DifferenceKinds.ReceivedNotDispatched && d.OfficerId == officer.Id);
        Assert.Equal((stray, "absent"), (found.SmsId!.Value, found.Scheduler));
        Assert.DoesNotContain(report.Differences, d => d.SmsId == reply || d.SmsId == dispatched);
        Assert.True(report.Sources.Scheduler!.Records >= 1);
    }

    [Fact]
    public async Task A_scheduler_that_cannot_be_read_is_a_502_naming_it_never_a_500()
    {
        await using var host = new StudyHost();
        var settings = StudyClockOptions.InsideSendingHours(ProtocolLoader.LoadDefault(), DateTimeOffset.UtcNow, TimeSpan.FromHours(2));
        settings["Audit:Scheduler:BaseUrl"] = "http://127.0.0.1:9";
        await host.StartAsync(settings);

        var (status, body) = await PostAuditAsync(host.App, host.App.ApiKey(Roles.Manager));

        Assert.Equal(HttpStatusCode.BadGateway, status);
        Assert.Equal("scheduler", JsonSerializer.Deserialize<JsonElement>(body).GetProperty("source").GetString());
    }

    [Fact]
    public async Task The_audit_needs_a_manager_or_researcher_key()
    {
        Assert.Equal(HttpStatusCode.Unauthorized, (await PostAuditAsync(Planted, null)).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await PostAuditAsync(Planted, Planted.ApiKey(Roles.Trainer))).Status);
        Assert.Equal(HttpStatusCode.OK, (await PostAuditAsync(Planted, Planted.ApiKey(Roles.Researcher))).Status);
        using var http = new HttpClient { BaseAddress = new Uri(Planted.Url()) };
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync(LedgerClient.Path)).StatusCode);
        http.DefaultRequestHeaders.Add("X-Api-Key", Planted.ApiKey(Roles.Trainer));
        Assert.Equal(HttpStatusCode.Forbidden, (await http.GetAsync(LedgerClient.Path)).StatusCode);
    }
}

/// <summary>Two one-process hosts inside sending hours: one kept clean, one where the tests plant differences.</summary>
public sealed class AuditHostsFixture : IAsyncLifetime
{
    public StudyHost Clean { get; } = new();
    public StudyHost Planted { get; } = new();

    public Task InitializeAsync()
    {
        var protocol = ProtocolLoader.LoadDefault();
        var realNow = DateTimeOffset.UtcNow;
        return Task.WhenAll(
            Clean.StartAsync(StudyClockOptions.InsideSendingHours(protocol, realNow, TimeSpan.FromHours(2))),
            Planted.StartAsync(StudyClockOptions.InsideSendingHours(protocol, realNow, TimeSpan.FromHours(2))));
    }

    public async Task DisposeAsync()
    {
        await Clean.DisposeAsync();
        await Planted.DisposeAsync();
    }
}
