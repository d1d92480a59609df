using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Reminders.Contracts;
using Reminders.Local;
using Reminders.Messaging.Delivery;
using Reminders.Platform.Data;
using Reminders.Platform.Hosting;
using Reminders.Protocol;
using Reminders.ProviderSimulator.Faults;
using Reminders.ProviderSimulator.Log;

namespace Reminders.EndToEnd.Tests;

/// <summary>
/// What the bus and the provider's callbacks leave undone, settled by Messaging's reconciliation: a receipt that never
/// came is fetched from the provider (and the ledger follows), a send whose bus retries ran out is put back on the queue
/// and sent once, and a send that tried too often or too long is given up as failed without reaching the provider.
/// Every host here loses the simulator's status callbacks (they are posted to a closed port).
/// </summary>
public sealed class SmsReconciliationTests(ReconciliationHostsFixture hosts) : IClassFixture<ReconciliationHostsFixture>
{
    static int nextPhone = 4000;
    WebApplication Day => hosts.Day.App;
    static ReconciliationOptions Thresholds(WebApplication app) => app.Services.GetRequiredService<IOptions<ReconciliationOptions>>().Value;

    static Task<EnrolledOfficer> EnrollAsync(StudyHost host, string? phone = null) =>
        host.App.EnrollAsync(host.SectorOf(StudyArms.Treatment), phone ?? $"+52550000{Interlocked.Increment(ref nextPhone)}");

    static string NewBody(string what) => $"Conciliación: {what} {Guid.NewGuid():N}";

    static Task<ReconciliationRound> ReconcileAsync(WebApplication app) =>
        app.Services.GetRequiredService<SmsReconciliation>().RunAsync(CancellationToken.None);

    static int AtProvider(WebApplication app, string body) =>
        app.Services.GetRequiredService<SimulatorLog>().Snapshot(null).Count(m => m.Body == body);

    static async Task<OutboundSms> RowAsync(WebApplication app, Guid smsId) =>
        (await app.QueryAsync<OutboundSms>("messaging", """
            SELECT state AS State, purpose AS Purpose, body AS Body, refusal_reason AS RefusalReason, error_code AS ErrorCode, status AS Status,
                   provider_sid AS ProviderSid
            FROM outbound_sms WHERE sms_id = @id
            """, new { id = smsId.ToString() })).Single();

    static async Task<long> AttemptsAsync(WebApplication app, Guid smsId) =>
        (await app.QueryAsync<long>("messaging", "SELECT attempts FROM outbound_sms WHERE sms_id = @id", new { id = smsId.ToString() })).Single();

    static async Task<IReadOnlyList<(string Status, string Source)>> HistoryAsync(WebApplication app, Guid smsId) =>
        await app.QueryAsync<(string, string)>("messaging", "SELECT status, source FROM sms_status_history WHERE sms_id = @id ORDER BY id",
            new { id = smsId.ToString() });

    /// <summary>Puts a SendSms on the bus and waits until the provider took it and, at the provider, the message reached <paramref name="providerStatus"/>.</summary>
    static async Task<(Guid SmsId, OutboundSms Sms)> SendAcceptedAsync(WebApplication app, EnrolledOfficer officer, string body, string providerStatus,
        string purpose = SmsPurposes.Manual)
    {
        var smsId = await app.SendSmsAsync(officer.Id, purpose, body);
        var sms = await app.SettledAsync(smsId);
        Assert.Equal("accepted", sms.State);
        var log = app.Services.GetRequiredService<SimulatorLog>();
        await SmsSteps.WaitForAsync(() => Task.FromResult(log.Find(sms.ProviderSid!)?.Status), s => s == providerStatus,
            $"The provider never had {sms.ProviderSid} as {providerStatus}");
        return (smsId, sms);
    }

    /// <summary>
    /// Writes an outbound_sms row as a send leaves it when its bus retries ran out (or its process died mid-send): only to
    /// stand in for the minutes of retries a test cannot wait for.
    /// </summary>
    static async Task<Guid> InsertStalledAsync(WebApplication app, EnrolledOfficer officer, string body, string state, long attempts,
        DateTimeOffset requestedAt, DateTimeOffset lastAttemptAt, DateTimeOffset? leaseUntil = null, string purpose = SmsPurposes.Manual, Guid? id = null)
    {
        var smsId = id ?? Guid.NewGuid();
        await app.ExecuteAsync("messaging", """
            INSERT INTO outbound_sms (sms_id, officer_id, purpose, body, to_phone, state, attempts, last_attempt_at, sending_lease_until, requested_at)
            VALUES (@smsId, @officerId, @purpose, @body, @phone, @state, @attempts, @lastAttemptAt, @leaseUntil, @requestedAt)
            """, new
        {
            smsId = smsId.ToString(), officerId = officer.Id.ToString(), purpose, body, phone = officer.Phone, state, attempts,
            lastAttemptAt = DapperTypeHandlers.ToSqliteText(lastAttemptAt),
            leaseUntil = leaseUntil is { } lease ? DapperTypeHandlers.ToSqliteText(lease) : null,
            requestedAt = DapperTypeHandlers.ToSqliteText(requestedAt),
        });
        return smsId;
    }

    /// <summary>Creates a message at the provider directly, as a send whose process died before it recorded the answer left it.</summary>
    static async Task<string> CreateAtProviderAsync(WebApplication app, Guid smsId, EnrolledOfficer officer, string body)
    {
        using var http = new HttpClient { BaseAddress = new Uri(app.Url()) };
        var sid = app.Configuration["Simulator:AccountSid"]!;
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes($"{sid}:{app.Configuration["Simulator:AuthToken"]}")));
        using var response = await http.PostAsync($"/2010-04-01/Accounts/{sid}/Messages.json", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["To"] = officer.Phone, ["From"] = app.Configuration["Messaging:Twilio:From"]!, ["Body"] = body,
            ["StatusCallback"] = $"{app.Configuration["Messaging:PublicBaseUrl"]}/api/messaging/webhooks/twilio/status/{smsId}",
        }));
        var message = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(response.IsSuccessStatusCode, message.ToString());
        return message.GetProperty("sid").GetString()!;
    }

    /// <summary>The officer's SMS as Attendance's ledger (GET /api/attendance/dosage/officers/{id}) shows it, once it shows <paramref name="status"/>.</summary>
    static async Task<JsonElement> LedgerAsync(WebApplication app, Guid officerId, Guid smsId, string status)
    {
        using var http = app.ManagerHttp();
        return await SmsSteps.WaitForAsync(async () =>
        {
            using var response = await http.GetAsync($"/api/attendance/dosage/officers/{officerId}");
            return response.IsSuccessStatusCode ? await response.Content.ReadFromJsonAsync<JsonElement>() : default;
        }, d => d.ValueKind == JsonValueKind.Object && d.GetProperty("sms").EnumerateArray()
            .Any(s => s.GetProperty("smsId").GetGuid() == smsId && s.GetProperty("status").GetString() == status),
            $"The ledger never showed SMS {smsId} as {status}");
    }

    static void JumpClock(WebApplication app, TimeSpan by) =>
        ((StudyClock)app.Services.GetRequiredService<TimeProvider>()).JumpTo(app.StudyNow() + by);

    [Theory]
    [InlineData(null, "receiving")]
    [InlineData("teleported", "teleported")]
    public async Task A_status_answered_at_acceptance_that_is_inbound_or_unknown_is_kept_as_text_and_a_receipt_moves_it_on(string? answered, string kept)
    {
        var officer = await EnrollAsync(hosts.Day);
        Day.Services.GetRequiredService<SimulatorFaults>().Add(new FaultSpec(FaultKind.UnknownStatus, Status: answered));
        var (smsId, _) = await SendAcceptedAsync(Day, officer, NewBody("estado inesperado"), MessageStatuses.Delivered);
        Assert.Equal(("accepted", kept), ((await RowAsync(Day, smsId)).State, (await RowAsync(Day, smsId)).Status));

        await ReconcileAsync(Day);

        Assert.Equal("delivered", (await RowAsync(Day, smsId)).Status);
    }

    [Fact]
    public async Task An_sms_whose_status_callbacks_were_lost_is_fetched_from_the_provider_as_delivered_and_the_ledger_counts_it()
    {
        var officer = await EnrollAsync(hosts.Day);
        await using var changes = await BusListener<SmsEventsBatch>.StartAsync(Day);
        var (smsId, sms) = await SendAcceptedAsync(Day, officer, NewBody("recibo perdido"), MessageStatuses.Delivered);
        Assert.Equal("queued", (await RowAsync(Day, smsId)).Status);

        var round = await ReconcileAsync(Day);

        Assert.True(round.Reconciled >= 1, $"Reconciled {round.Reconciled}");
        var row = await RowAsync(Day, smsId);
        Assert.Equal(("accepted", "delivered", sms.ProviderSid), (row.State, row.Status, row.ProviderSid));
        Assert.Equal(("delivered", "reconciliation"), (await HistoryAsync(Day, smsId))[^1]);
        Assert.Equal("delivered", (await changes.WaitForEventAsync(e => e.StatusChanged, c => c.SmsId == smsId)).Status);
        var ledger = await LedgerAsync(Day, officer.Id, smsId, "delivered");
        Assert.Equal((1L, 1L), (ledger.GetProperty("smsSent").GetInt64(), ledger.GetProperty("smsDelivered").GetInt64()));
    }

    [Fact]
    public async Task An_sms_the_provider_could_not_deliver_is_reconciled_as_undelivered_with_the_providers_error_code()
    {
        var officer = await EnrollAsync(hosts.Day, ReconciliationHostsFixture.UndeliveredNumbers + "1");
        var (smsId, _) = await SendAcceptedAsync(Day, officer, NewBody("no entregado"), MessageStatuses.Undelivered);

        await ReconcileAsync(Day);

        var row = await RowAsync(Day, smsId);
        Assert.Equal(("undelivered", 30003L), (row.Status, row.ErrorCode));
        var ledger = await LedgerAsync(Day, officer.Id, smsId, "undelivered");
        Assert.Equal((1L, 0L), (ledger.GetProperty("smsUndelivered").GetInt64(), ledger.GetProperty("smsDelivered").GetInt64()));
    }

    [Fact]
    public async Task An_sms_whose_final_status_already_arrived_is_not_looked_up_again()
    {
        var officer = await EnrollAsync(hosts.Day);
        var (smsId, sms) = await SendAcceptedAsync(Day, officer, NewBody("ya final"), MessageStatuses.Delivered);
        // The final callback did arrive for this one (signed as the provider would): "undelivered", where the provider now says "delivered".
        var path = $"/api/messaging/webhooks/twilio/status/{smsId}";
        var form = new Dictionary<string, string>
        {
            ["MessageSid"] = sms.ProviderSid!, ["SmsSid"] = sms.ProviderSid!, ["AccountSid"] = Day.Configuration["Simulator:AccountSid"]!,
            ["MessageStatus"] = "undelivered", ["ErrorCode"] = "30003", ["To"] = officer.Phone,
        };
        using (var http = new HttpClient())
        using (var request = new HttpRequestMessage(HttpMethod.Post, Day.Url() + path) { Content = new FormUrlEncodedContent(form) })
        {
            request.Headers.Add("X-Twilio-Signature", TwilioSigner.Sign(SmsSteps.AuthToken, Day.Configuration["Messaging:PublicBaseUrl"] + path, form));
            using var response = await http.SendAsync(request);
            Assert.True(response.IsSuccessStatusCode, $"status callback answered {response.StatusCode}");
        }
        Assert.Equal("undelivered", (await RowAsync(Day, smsId)).Status);

        await ReconcileAsync(Day);
        await ReconcileAsync(Day);

        // Had it been fetched, the provider's "delivered" would be in the history (kept even when it cannot move the status).
        Assert.DoesNotContain(await HistoryAsync(Day, smsId), h => h.Source == "reconciliation");
        var row = await RowAsync(Day, smsId);
        Assert.Equal(("undelivered", 30003L), (row.Status, row.ErrorCode));
    }

    [Fact]
    public async Task A_send_stalled_in_retrying_after_its_bus_retries_ran_out_is_requeued_and_reaches_the_provider_exactly_once()
    {
        var officer = await EnrollAsync(hosts.Day);
        var body = NewBody("reintentos agotados");
        var now = Day.StudyNow();
        var smsId = await InsertStalledAsync(Day, officer, body, "retrying", attempts: 3, requestedAt: now.AddMinutes(-20), lastAttemptAt: now.AddMinutes(-15));

        var round = await ReconcileAsync(Day);

        Assert.True(round.Redriven >= 1, $"Redriven {round.Redriven}");
        var sms = await Day.SettledAsync(smsId);
        Assert.Equal("accepted", sms.State);
        // A second round finds nothing left to do for it: still one message at the provider.
        await ReconcileAsync(Day);
        await Task.Delay(300);
        Assert.Equal(1, AtProvider(Day, body));
        Assert.Equal(4, await AttemptsAsync(Day, smsId));
        Assert.Equal(sms.ProviderSid, (await RowAsync(Day, smsId)).ProviderSid);
    }

    [Fact]
    public async Task A_send_that_used_up_its_attempts_is_given_up_as_retries_exhausted_and_never_reaches_the_provider()
    {
        var officer = await EnrollAsync(hosts.Day);
        var now = Day.StudyNow();
        var (lastChance, exhausted) = (NewBody("un intento más"), NewBody("sin intentos"));
        var lastChanceId = await InsertStalledAsync(Day, officer, lastChance, "retrying", Thresholds(Day).MaxAttempts - 1, now.AddMinutes(-30), now.AddMinutes(-15));
        var exhaustedId = await InsertStalledAsync(Day, officer, exhausted, "retrying", Thresholds(Day).MaxAttempts, now.AddMinutes(-30), now.AddMinutes(-15));
        await using var failures = await BusListener<SmsEventsBatch>.StartAsync(Day);

        var round = await ReconcileAsync(Day);

        Assert.True(round.GivenUp >= 1, $"Given up {round.GivenUp}");
        var row = await RowAsync(Day, exhaustedId);
        Assert.Equal(("failed", "failed", "retries_exhausted"), (row.State, row.Status, row.RefusalReason));
        var failed = await failures.WaitForEventAsync(e => e.Failed, f => f.SmsId == exhaustedId);
        Assert.Equal(("retries_exhausted", (int?)null), (failed.Reason, failed.ErrorCode));
        await LedgerAsync(Day, officer.Id, exhaustedId, "failed");
        // One attempt short of the limit, it is still sent.
        Assert.Equal("accepted", (await Day.SettledAsync(lastChanceId)).State);
        await ReconcileAsync(Day);
        await Task.Delay(300);
        Assert.Equal(0, AtProvider(Day, exhausted));
        Assert.Equal(1, AtProvider(Day, lastChance));
        Assert.Equal("failed", (await RowAsync(Day, exhaustedId)).State);
    }

    [Fact]
    public async Task A_send_requested_longer_ago_than_the_maximum_age_is_given_up_as_expired_and_never_reaches_the_provider()
    {
        var officer = await EnrollAsync(hosts.Day);
        var now = Day.StudyNow();
        var maxAge = TimeSpan.FromHours(Thresholds(Day).MaxAgeHours);
        var (young, old) = (NewBody("todavía a tiempo"), NewBody("demasiado tarde"));
        var youngId = await InsertStalledAsync(Day, officer, young, "retrying", 1, now - maxAge + TimeSpan.FromMinutes(30), now.AddMinutes(-15));
        var oldId = await InsertStalledAsync(Day, officer, old, "retrying", 1, now - maxAge - TimeSpan.FromMinutes(1), now.AddMinutes(-15));

        await ReconcileAsync(Day);

        var row = await RowAsync(Day, oldId);
        Assert.Equal(("failed", "expired"), (row.State, row.RefusalReason));
        Assert.Equal("accepted", (await Day.SettledAsync(youngId)).State);
        await Task.Delay(300);
        Assert.Equal((0, 1), (AtProvider(Day, old), AtProvider(Day, young)));
    }

    [Theory]
    [InlineData("partially_delivered")]
    [InlineData("canceled")]
    [InlineData("read")]
    public async Task A_final_status_of_any_kind_is_not_asked_about_again(string final)
    {
        var officer = await EnrollAsync(hosts.Day);
        var (smsId, _) = await SendAcceptedAsync(Day, officer, NewBody("estado final"), MessageStatuses.Delivered);
        await Day.ExecuteAsync("messaging", "UPDATE outbound_sms SET status = @final WHERE sms_id = @id", new { final, id = smsId.ToString() });

        await ReconcileAsync(Day);

        Assert.Equal((final, (string?)null), (await Day.QueryAsync<(string, string?)>("messaging",
            "SELECT status, receipt_checked_at FROM outbound_sms WHERE sms_id = @id", new { id = smsId.ToString() })).Single());
    }

    [Fact]
    public async Task A_send_in_doubt_out_of_attempts_is_not_given_up_while_the_provider_refuses_the_credentials()
    {
        var officer = await EnrollAsync(hosts.Day);
        var now = Day.StudyNow();
        var smsId = await InsertStalledAsync(Day, officer, NewBody("credenciales rechazadas"), "sending", Thresholds(Day).MaxAttempts,
            now.AddMinutes(-30), now.AddMinutes(-15), leaseUntil: now.AddMinutes(-15));
        Day.Services.GetRequiredService<SimulatorFaults>().Add(new FaultSpec(FaultKind.CredentialsRefused, ForMs: 1500));

        var round = await ReconcileAsync(Day);

        Assert.Equal(0, round.GivenUp);
        Assert.Equal("sending", (await RowAsync(Day, smsId)).State);
        var credentials = Day.Services.GetRequiredService<ProviderCredentials>();
        Assert.True(credentials.Paused);
        await SmsSteps.WaitForAsync(() => credentials.StillPausedAsync(), paused => !paused, "Sending never resumed once the credentials worked");
    }

    [Fact]
    public async Task A_send_in_doubt_whose_message_the_provider_took_is_requeued_then_found_by_lookup_not_sent_again()
    {
        var officer = await EnrollAsync(hosts.Day);
        var body = NewBody("en duda");
        var smsId = Guid.NewGuid();
        var attemptAt = Day.StudyNow().AddMinutes(-1);
        var providerSid = await CreateAtProviderAsync(Day, smsId, officer, body);
        // The process died with the request out: the row still says "sending", and its lease has lapsed.
        await InsertStalledAsync(Day, officer, body, "sending", 1, attemptAt, attemptAt, leaseUntil: attemptAt.AddSeconds(15), id: smsId);

        await ReconcileAsync(Day);

        var sms = await Day.SettledAsync(smsId);
        Assert.Equal(("accepted", providerSid), (sms.State, sms.ProviderSid));
        Assert.Contains(await HistoryAsync(Day, smsId), h => h.Source == "lookup");
        Assert.Equal(1, AtProvider(Day, body));
    }

    [Fact]
    public async Task A_send_in_doubt_the_provider_already_delivered_is_found_by_lookup_and_the_ledger_counts_it_delivered()
    {
        var officer = await EnrollAsync(hosts.Day);
        var body = NewBody("en duda y entregado");
        var smsId = Guid.NewGuid();
        var attemptAt = Day.StudyNow().AddMinutes(-1);
        var providerSid = await CreateAtProviderAsync(Day, smsId, officer, body);
        // Its callbacks are lost here, so only the lookup can tell that it was delivered.
        await SmsSteps.WaitForAsync(() => Task.FromResult(Day.Services.GetRequiredService<SimulatorLog>().Find(providerSid)),
            m => m?.Status == MessageStatuses.Delivered, $"The provider never delivered {providerSid}");
        await InsertStalledAsync(Day, officer, body, "sending", 1, attemptAt, attemptAt, leaseUntil: attemptAt.AddSeconds(15), id: smsId);

        await ReconcileAsync(Day);

        var sms = await Day.SettledAsync(smsId);
        Assert.Equal(("accepted", "delivered", providerSid), (sms.State, sms.Status, sms.ProviderSid));
        var ledger = await LedgerAsync(Day, officer.Id, smsId, "delivered");
        Assert.Equal((1L, 1L), (ledger.GetProperty("smsSent").GetInt64(), ledger.GetProperty("smsDelivered").GetInt64()));
    }

    /// <summary>
    /// Fails today. With the default StuckMinutes (10), a send in doubt is re-queued at least 10 minutes after its request
    /// left. The re-queue overwrites last_attempt_at, which the consumer takes as the start of the attempt in doubt, and its
    /// lookup only goes back 5 minutes from there: the provider's message is not found and the SMS is sent a second time.
    /// </summary>
    [Fact]
    public async Task A_send_in_doubt_requeued_minutes_after_the_provider_took_it_is_still_found_by_lookup_not_sent_again()
    {
        var officer = await EnrollAsync(hosts.Day);
        var body = NewBody("en duda desde hace rato");
        var smsId = Guid.NewGuid();
        var attemptAt = Day.StudyNow();
        var providerSid = await CreateAtProviderAsync(Day, smsId, officer, body);
        await InsertStalledAsync(Day, officer, body, "sending", 1, attemptAt, attemptAt, leaseUntil: attemptAt.AddSeconds(15), id: smsId);
        // As long as the default StuckMinutes takes to notice it (the other settings here are 0).
        JumpClock(Day, TimeSpan.FromMinutes(11));

        await ReconcileAsync(Day);

        var sms = await Day.SettledAsync(smsId);
        Assert.Equal(1, AtProvider(Day, body));
        Assert.Equal(("accepted", providerSid), (sms.State, sms.ProviderSid));
    }

    [Fact]
    public async Task The_recurring_job_alone_fetches_a_lost_receipt_and_requeues_a_stalled_send()
    {
        var app = hosts.Scheduled.App;
        var officer = await EnrollAsync(hosts.Scheduled);
        var (smsId, _) = await SendAcceptedAsync(app, officer, NewBody("el trabajo periódico"), MessageStatuses.Delivered);
        var body = NewBody("atascado");
        var now = app.StudyNow();
        var stalledId = await InsertStalledAsync(app, officer, body, "retrying", 2, now.AddMinutes(-20), now.AddMinutes(-15));

        await SmsSteps.WaitForAsync(() => RowAsync(app, smsId), r => r.Status == "delivered", $"SMS {smsId} was never reconciled by the job");
        Assert.Equal("accepted", (await app.SettledAsync(stalledId)).State);
        await Task.Delay(1500);
        Assert.Equal(1, AtProvider(app, body));
        Assert.Contains(await HistoryAsync(app, smsId), h => h == ("delivered", "reconciliation"));
    }

    [Fact]
    public async Task At_night_a_stalled_reminder_waits_for_the_sending_window_but_a_stalled_reply_is_requeued_and_sent()
    {
        var app = hosts.Night.App;
        var protocol = app.Services.GetRequiredService<StudyProtocol>();
        Assert.False(protocol.QuietHours.IsInside(app.StudyNow(), protocol.TimeZone));
        var officer = await EnrollAsync(hosts.Night);
        var now = app.StudyNow();
        var (reminder, reply) = (NewBody("recordatorio nocturno"), NewBody("respuesta nocturna"));
        var reminderId = await InsertStalledAsync(app, officer, reminder, "retrying", 1, now.AddMinutes(-30), now.AddMinutes(-15), purpose: SmsPurposes.Reminder);
        var replyId = await InsertStalledAsync(app, officer, reply, "retrying", 1, now.AddMinutes(-30), now.AddMinutes(-15), purpose: SmsPurposes.Reply);

        await ReconcileAsync(app);

        Assert.Equal("accepted", (await app.SettledAsync(replyId)).State);
        await Task.Delay(300);
        Assert.Equal("retrying", (await RowAsync(app, reminderId)).State);
        Assert.Equal(1, await AttemptsAsync(app, reminderId));
        Assert.Equal((0, 1), (AtProvider(app, reminder), AtProvider(app, reply)));
    }

    [Fact]
    public async Task An_accepted_sms_is_looked_up_only_once_its_receipt_is_overdue()
    {
        // The night host keeps the default ReceiptOverdueMinutes; a reply may be sent at night.
        var app = hosts.Night.App;
        var overdue = TimeSpan.FromMinutes(Thresholds(app).ReceiptOverdueMinutes);
        var officer = await EnrollAsync(hosts.Night);
        var (smsId, _) = await SendAcceptedAsync(app, officer, NewBody("aún no vencido"), MessageStatuses.Delivered, SmsPurposes.Reply);

        await ReconcileAsync(app);
        Assert.Equal("queued", (await RowAsync(app, smsId)).Status);

        JumpClock(app, overdue + TimeSpan.FromMinutes(1));
        await ReconcileAsync(app);
        Assert.Equal("delivered", (await RowAsync(app, smsId)).Status);
    }

    /// <summary>
    /// Fails today. Receipts are looked up oldest first, BatchSize at a time, with no age limit and no record of the last
    /// look-up: once BatchSize messages stay "sent" for good (carriers that never confirm delivery), every round fetches
    /// those same ones and a newer SMS is never looked up. This host's batch is 2; the default 200 fills up the same way.
    /// </summary>
    [Fact]
    public async Task Messages_the_carrier_never_confirms_do_not_keep_a_newer_lost_receipt_from_being_looked_up()
    {
        var app = hosts.SmallBatch.App;
        var officer = await EnrollAsync(hosts.SmallBatch);
        // On this host the provider keeps every message at "sent" for an hour, as a carrier with no delivery receipts would.
        var first = await SendAcceptedAsync(app, officer, NewBody("sin confirmación 1"), MessageStatuses.Sent);
        var second = await SendAcceptedAsync(app, officer, NewBody("sin confirmación 2"), MessageStatuses.Sent);
        await ReconcileAsync(app);
        Assert.Equal(("sent", "sent"), ((await RowAsync(app, first.SmsId)).Status, (await RowAsync(app, second.SmsId)).Status));

        var (newer, _) = await SendAcceptedAsync(app, officer, NewBody("más reciente"), MessageStatuses.Sent);
        for (var round = 0; round < 3; round++) await ReconcileAsync(app);

        Assert.Equal("sent", (await RowAsync(app, newer)).Status);
    }
}

/// <summary>
/// Hosts whose status callbacks are lost (posted to a closed port), each with the skeleton flow's sectors, roster and arms:
/// by day with every reconciliation threshold at 0 and the job all but off (tests run a round themselves); the same with
/// the job every second; at night (23:00) with StuckMinutes 0 and the default ReceiptOverdueMinutes; and by day with a
/// reconciliation batch of 2 and a provider that keeps every message at "sent".
/// </summary>
public sealed class ReconciliationHostsFixture : IAsyncLifetime
{
    /// <summary>A prefix (a last digit completes the number) the simulator accepts, then ends as undelivered (30003).</summary>
    public const string UndeliveredNumbers = "+52550000591";
    const string LostCallbacks = "http://127.0.0.1:9";

    public StudyHost Day { get; } = new();
    public StudyHost Scheduled { get; } = new();
    public StudyHost Night { get; } = new();
    public StudyHost SmallBatch { get; } = new();

    public Task InitializeAsync()
    {
        var protocol = ProtocolLoader.LoadDefault();
        var realNow = DateTimeOffset.UtcNow;

        var day = Settings(StudyClockOptions.InsideSendingHours(protocol, realNow, TimeSpan.FromHours(2)), receiptOverdueMinutes: 0, stuckMinutes: 0, intervalSeconds: 3600);
        day["Simulator:Outcomes:Undelivered:0"] = UndeliveredNumbers;
        var scheduled = Settings(StudyClockOptions.InsideSendingHours(protocol, realNow, TimeSpan.FromHours(2)), receiptOverdueMinutes: 0, stuckMinutes: 0, intervalSeconds: 1);
        var smallBatch = Settings(StudyClockOptions.InsideSendingHours(protocol, realNow, TimeSpan.FromHours(2)), receiptOverdueMinutes: 0, stuckMinutes: 0, intervalSeconds: 3600);
        smallBatch["Messaging:Reconciliation:BatchSize"] = "2";
        smallBatch["Simulator:DeliveredDelayMs"] = "3600000";

        // The next 23:00 local: never behind the real clock, and hours from the window's next opening.
        var local = TimeZoneInfo.ConvertTime(realNow, protocol.TimeZone);
        var at = QuietHours.AtLocal(DateOnly.FromDateTime(local.DateTime), new TimeOnly(23, 0), protocol.TimeZone);
        if (at < realNow) at = QuietHours.AtLocal(DateOnly.FromDateTime(local.DateTime).AddDays(1), new TimeOnly(23, 0), protocol.TimeZone);
        var night = Settings(new Dictionary<string, string?>
        {
            [$"{StudyClockOptions.Section}:{nameof(StudyClockOptions.StudyStart)}"] = at.ToString("O"),
            [$"{StudyClockOptions.Section}:{nameof(StudyClockOptions.RealStart)}"] = realNow.ToString("O"),
        }, receiptOverdueMinutes: null, stuckMinutes: 0, intervalSeconds: 3600);

        return Task.WhenAll(Day.StartAsync(day), Scheduled.StartAsync(scheduled), Night.StartAsync(night), SmallBatch.StartAsync(smallBatch));
    }

    static Dictionary<string, string?> Settings(Dictionary<string, string?> clock, int? receiptOverdueMinutes, int stuckMinutes, int intervalSeconds)
    {
        clock["Messaging:PublicBaseUrl"] = LostCallbacks;
        clock["Logging:LogLevel:Reminders.ProviderSimulator.Delivery"] = "Error";
        clock[$"{ReconciliationOptions.Section}:StuckMinutes"] = stuckMinutes.ToString(System.Globalization.CultureInfo.InvariantCulture);
        clock[$"{ReconciliationOptions.Section}:IntervalSeconds"] = intervalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (receiptOverdueMinutes is { } minutes)
            clock[$"{ReconciliationOptions.Section}:ReceiptOverdueMinutes"] = minutes.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return clock;
    }

    public async Task DisposeAsync()
    {
        await Task.WhenAll(Day.DisposeAsync().AsTask(), Scheduled.DisposeAsync().AsTask(), Night.DisposeAsync().AsTask(), SmallBatch.DisposeAsync().AsTask());
    }
}
