using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Dapper;
using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Reminders.Contracts;
using Reminders.Local;
using Reminders.Platform.Auth;
using Reminders.Platform.Data;
using Reminders.Protocol;
using Reminders.ProviderSimulator.Log;

namespace Reminders.EndToEnd.Tests;

/// <summary>
/// An officer's reply, posted as the provider's signed inbound webhook, is stored once per MessageSid and acted on by
/// the protocol's keywords: OK acknowledges the latest reminder (once), BAJA opts out with one confirmation, ALTA opts
/// back in, AYUDA gets the help text, anything else is kept for a person to read. Each test enrols its own officer.
/// </summary>
public sealed class ReplyKeywordTests(SeededLocalHostFixture seeded) : IClassFixture<SeededLocalHostFixture>
{
    static int nextPhone = 2000;
    WebApplication App => seeded.Host.App;
    KeywordRules Keywords => App.Services.GetRequiredService<StudyProtocol>().Keywords;
    string HelpText => Keywords.HelpReply.Officer.Render();
    string OptOutConfirmation => Keywords.OptOutConfirmation.Officer.Render();

    Task<EnrolledOfficer> EnrollAsync() =>
        App.EnrollAsync(seeded.Flow.ArmBySector.First(a => a.Value == StudyArms.Treatment).Key, $"+52550000{Interlocked.Increment(ref nextPhone)}");

    /// <summary>Puts a reminder on the bus and waits until the provider took it.</summary>
    async Task<Guid> RemindAsync(EnrolledOfficer officer)
    {
        var smsId = await App.SendSmsAsync(officer.Id, SmsPurposes.Reminder, $"Voz: escuche sin interrumpir. Responda OK. {Guid.NewGuid():N}");
        Assert.Equal("accepted", (await App.SettledAsync(smsId)).State);
        return smsId;
    }

    int MessagesTo(EnrolledOfficer officer, string body) => App.Services.GetRequiredService<SimulatorLog>().Snapshot(officer.Phone).Count(m => m.Body == body);

    [Theory]
    [InlineData(" ok! ")]
    [InlineData("Sí.")]
    [InlineData("RECIBIDO")]
    [InlineData("1")]
    public async Task An_acknowledgment_in_any_case_accent_spacing_or_punctuation_acknowledges_the_reminder(string reply)
    {
        var officer = await EnrollAsync();
        var reminder = await RemindAsync(officer);
        await using var acknowledged = await BusListener<ReminderAcknowledged>.StartAsync(App);
        var sid = SmsSteps.NewMessageSid();

        Assert.Equal(HttpStatusCode.OK, await App.PostReplyAsync(sid, officer.Phone, reply));

        var inbound = await App.InboundAsync(sid);
        Assert.Equal(("acknowledge", officer.Id.ToString(), reminder.ToString()), (inbound!.Category, inbound.OfficerId, inbound.AcknowledgedSmsId));
        var published = await acknowledged.WaitForAsync(e => e.OfficerId == officer.Id);
        Assert.Equal(reminder, published.SmsId);
        // An acknowledgment is not answered.
        Assert.Null(inbound.ReplySmsId);
        Assert.Single(App.Services.GetRequiredService<SimulatorLog>().Snapshot(officer.Phone));
    }

    [Fact]
    public async Task A_second_OK_to_the_same_reminder_is_stored_but_acknowledges_it_only_once()
    {
        var officer = await EnrollAsync();
        var reminder = await RemindAsync(officer);
        await using var acknowledged = await BusListener<ReminderAcknowledged>.StartAsync(App);
        var (first, second) = (SmsSteps.NewMessageSid(), SmsSteps.NewMessageSid());

        await App.PostReplyAsync(first, officer.Phone, "OK");
        await acknowledged.WaitForAsync(e => e.OfficerId == officer.Id);
        await App.PostReplyAsync(second, officer.Phone, "Sí");
        await App.SettleAsync(officer);

        Assert.Equal(reminder.ToString(), (await App.InboundAsync(first))!.AcknowledgedSmsId);
        Assert.Equal(reminder.ToString(), (await App.InboundAsync(second))!.AcknowledgedSmsId);
        var acknowledgments = await App.QueryAsync<string>("messaging",
            "SELECT acknowledged_sms_id FROM inbound_sms WHERE officer_id = @id AND category = 'acknowledge'", new { id = officer.Id.ToString() });
        Assert.Equal([reminder.ToString(), reminder.ToString()], acknowledgments);
        Assert.Single(acknowledged.Received(e => e.OfficerId == officer.Id));
    }

    [Fact]
    public async Task An_OK_acknowledges_the_latest_of_two_reminders_not_the_earlier_one()
    {
        var officer = await EnrollAsync();
        await RemindAsync(officer);
        var latest = await RemindAsync(officer);
        await using var acknowledged = await BusListener<ReminderAcknowledged>.StartAsync(App);
        var sid = SmsSteps.NewMessageSid();

        await App.PostReplyAsync(sid, officer.Phone, "OK");

        Assert.Equal(latest.ToString(), (await App.InboundAsync(sid))!.AcknowledgedSmsId);
        Assert.Equal(latest, (await acknowledged.WaitForAsync(e => e.OfficerId == officer.Id)).SmsId);
    }

    [Fact]
    public async Task An_OK_that_arrives_while_the_reminders_acceptance_is_not_yet_recorded_acknowledges_it_once_recorded()
    {
        var officer = await EnrollAsync();
        var reminder = await RemindAsync(officer);
        // The provider has taken the reminder (and the officer read it) but Messaging has not recorded the acceptance yet.
        var acceptedAt = (await App.QueryAsync<string>("messaging", "SELECT accepted_at FROM outbound_sms WHERE sms_id = @id", new { id = reminder.ToString() })).Single();
        await App.ExecuteAsync("messaging", "UPDATE outbound_sms SET state = 'sending', accepted_at = NULL WHERE sms_id = @id", new { id = reminder.ToString() });
        await using var acknowledged = await BusListener<ReminderAcknowledged>.StartAsync(App);
        var sid = SmsSteps.NewMessageSid();

        var reply = App.PostReplyAsync(sid, officer.Phone, "OK");
        await Task.Delay(300);
        await App.ExecuteAsync("messaging", "UPDATE outbound_sms SET state = 'accepted', accepted_at = @acceptedAt WHERE sms_id = @id",
            new { id = reminder.ToString(), acceptedAt });

        Assert.Equal(HttpStatusCode.OK, await reply);
        Assert.Equal(reminder.ToString(), (await App.InboundAsync(sid))!.AcknowledgedSmsId);
        Assert.Equal(reminder, (await acknowledged.WaitForAsync(e => e.OfficerId == officer.Id)).SmsId);
    }

    [Fact]
    public async Task An_OK_while_a_later_send_is_stuck_mid_send_is_not_held_for_good_and_acknowledges_the_reminder_the_provider_took()
    {
        var officer = await EnrollAsync();
        var taken = await RemindAsync(officer);
        // A later reminder whose attempt crashed after its claim: it stays "sending" until the reconciliation looks it up.
        var stuck = await RemindAsync(officer);
        await App.ExecuteAsync("messaging", "UPDATE outbound_sms SET state = 'sending', accepted_at = NULL WHERE sms_id = @id", new { id = stuck.ToString() });
        await using var acknowledged = await BusListener<ReminderAcknowledged>.StartAsync(App);
        var sid = SmsSteps.NewMessageSid();

        Assert.Equal(HttpStatusCode.OK, await App.PostReplyAsync(sid, officer.Phone, "OK"));

        Assert.Equal(taken.ToString(), (await App.InboundAsync(sid))!.AcknowledgedSmsId);
        Assert.Equal(taken, (await acknowledged.WaitForAsync(e => e.OfficerId == officer.Id)).SmsId);
    }

    [Fact]
    public async Task An_OK_when_only_a_manual_sms_was_sent_is_stored_but_acknowledges_nothing()
    {
        var officer = await EnrollAsync();
        Assert.Equal("accepted", (await App.SettledAsync(await App.SendSmsAsync(officer.Id, SmsPurposes.Manual, $"Aviso {Guid.NewGuid():N}"))).State);
        await using var acknowledged = await BusListener<ReminderAcknowledged>.StartAsync(App);
        await using var logistics = await BusListener<LogisticsSmsAcknowledged>.StartAsync(App);
        var sid = SmsSteps.NewMessageSid();

        await App.PostReplyAsync(sid, officer.Phone, "OK");
        await App.SettleAsync(officer);

        var inbound = await App.InboundAsync(sid);
        Assert.Equal(("acknowledge", (string?)null), (inbound!.Category, inbound.AcknowledgedSmsId));
        Assert.Empty(acknowledged.Received(e => e.OfficerId == officer.Id));
        Assert.Empty(logistics.Received(e => e.OfficerId == officer.Id));
    }

    [Fact]
    public async Task An_OK_after_a_logistics_sms_acknowledges_it_for_the_Scheduler_not_as_a_reminder_and_once()
    {
        var officer = await EnrollAsync();
        await RemindAsync(officer);
        var invitation = await App.SendSmsAsync(officer.Id, SmsPurposes.Logistics, $"Curso {Guid.NewGuid():N}. Confirme con OK.");
        Assert.Equal("accepted", (await App.SettledAsync(invitation)).State);
        Assert.Equal("accepted", (await App.SettledAsync(await App.SendSmsAsync(officer.Id, SmsPurposes.Manual, $"Aviso {Guid.NewGuid():N}"))).State);
        await using var acknowledged = await BusListener<ReminderAcknowledged>.StartAsync(App);
        await using var logistics = await BusListener<LogisticsSmsAcknowledged>.StartAsync(App);
        var (first, second) = (SmsSteps.NewMessageSid(), SmsSteps.NewMessageSid());

        await App.PostReplyAsync(first, officer.Phone, "OK");
        var published = await logistics.WaitForAsync(e => e.OfficerId == officer.Id);
        Assert.Equal((invitation, "OK"), (published.SmsId, published.Reply));
        await App.PostReplyAsync(second, officer.Phone, "Sí");
        await App.SettleAsync(officer);

        Assert.Equal(invitation.ToString(), (await App.InboundAsync(first))!.AcknowledgedSmsId);
        Assert.Equal(invitation.ToString(), (await App.InboundAsync(second))!.AcknowledgedSmsId);
        Assert.Single(logistics.Received(e => e.OfficerId == officer.Id));
        Assert.Empty(acknowledged.Received(e => e.OfficerId == officer.Id));
    }

    [Theory]
    [InlineData(6, true)]
    [InlineData(8, false)]
    public async Task An_OK_acknowledges_a_reminder_only_inside_the_protocols_acknowledgment_window(int daysAgo, bool acknowledges)
    {
        Assert.Equal(7, Keywords.AcknowledgeWindowDays);
        var officer = await EnrollAsync();
        var reminder = await RemindAsync(officer);
        // Days cannot pass in a test: the reminder is dated back in Messaging's own record instead.
        await App.ExecuteAsync("messaging", "UPDATE outbound_sms SET accepted_at = @at WHERE sms_id = @id",
            new { at = DapperTypeHandlers.ToSqliteText(App.StudyNow().AddDays(-daysAgo)), id = reminder.ToString() });
        await using var acknowledged = await BusListener<ReminderAcknowledged>.StartAsync(App);
        var sid = SmsSteps.NewMessageSid();

        await App.PostReplyAsync(sid, officer.Phone, "OK");
        await App.SettleAsync(officer);

        var inbound = await App.InboundAsync(sid);
        Assert.Equal(("acknowledge", acknowledges ? reminder.ToString() : null), (inbound!.Category, inbound.AcknowledgedSmsId));
        Assert.Equal(acknowledges ? 1 : 0, acknowledged.Received(e => e.OfficerId == officer.Id).Count);
    }

    [Theory]
    [InlineData("baja.")]
    [InlineData(" Alto ")]
    [InlineData("Cancelar!")]
    public async Task An_opt_out_keyword_opts_the_officer_out_in_Enrollment_and_sends_one_confirmation(string reply)
    {
        var officer = await EnrollAsync();
        var sid = SmsSteps.NewMessageSid();

        Assert.Equal(HttpStatusCode.OK, await App.PostReplyAsync(sid, officer.Phone, reply));

        var inbound = await App.InboundAsync(sid);
        Assert.Equal("opt_out", inbound!.Category);
        Assert.Equal(OfficerStatuses.SmsOptedOut, await App.WaitForEnrollmentStatusAsync(officer.Id, OfficerStatuses.SmsOptedOut));
        // The confirmation goes out although the officer is now opted out: it answers their own message.
        var confirmation = await App.SettledAsync(Guid.Parse(inbound.ReplySmsId!));
        Assert.Equal(("accepted", SmsPurposes.Reply, OptOutConfirmation), (confirmation.State, confirmation.Purpose, confirmation.Body));
        await App.SettleAsync(officer);
        Assert.Equal(1, MessagesTo(officer, OptOutConfirmation));
    }

    [Fact]
    public async Task A_second_BAJA_is_stored_but_sends_no_second_confirmation()
    {
        var officer = await EnrollAsync();
        await App.PostReplyAsync(SmsSteps.NewMessageSid(), officer.Phone, "BAJA");
        await App.WaitForEnrollmentStatusAsync(officer.Id, OfficerStatuses.SmsOptedOut);
        var again = SmsSteps.NewMessageSid();

        await App.PostReplyAsync(again, officer.Phone, "BAJA");
        await App.SettleAsync(officer);

        var inbound = await App.InboundAsync(again);
        Assert.Equal(("opt_out", (string?)null), (inbound!.Category, inbound.ReplySmsId));
        Assert.Equal(1, MessagesTo(officer, OptOutConfirmation));
    }

    [Fact]
    public async Task ALTA_after_BAJA_makes_the_officer_active_so_reminders_reach_them_and_a_later_BAJA_is_confirmed_again()
    {
        var officer = await EnrollAsync();
        await App.PostReplyAsync(SmsSteps.NewMessageSid(), officer.Phone, "BAJA");
        await App.WaitForEnrollmentStatusAsync(officer.Id, OfficerStatuses.SmsOptedOut);
        await App.WaitForMessagingStatusAsync(officer.Id, OfficerStatuses.SmsOptedOut);
        var refused = await App.SettledAsync(await App.SendSmsAsync(officer.Id, SmsPurposes.Reminder, $"No debe salir {Guid.NewGuid():N}"));
        Assert.Equal(("refused", "opted_out"), (refused.State, refused.RefusalReason));
        var optIn = SmsSteps.NewMessageSid();

        await App.PostReplyAsync(optIn, officer.Phone, "alta");

        Assert.Equal("opt_in", (await App.InboundAsync(optIn))!.Category);
        await App.WaitForEnrollmentStatusAsync(officer.Id, OfficerStatuses.Active);
        await App.WaitForMessagingStatusAsync(officer.Id, OfficerStatuses.Active);
        await RemindAsync(officer);

        var optOutAgain = SmsSteps.NewMessageSid();
        await App.PostReplyAsync(optOutAgain, officer.Phone, "BAJA");
        await App.WaitForEnrollmentStatusAsync(officer.Id, OfficerStatuses.SmsOptedOut);
        Assert.Equal("accepted", (await App.SettledAsync(Guid.Parse((await App.InboundAsync(optOutAgain))!.ReplySmsId!))).State);
        Assert.Equal(2, MessagesTo(officer, OptOutConfirmation));
    }

    [Fact]
    public async Task AYUDA_is_answered_with_the_protocols_help_text_and_changes_no_status()
    {
        var officer = await EnrollAsync();
        var sid = SmsSteps.NewMessageSid();

        await App.PostReplyAsync(sid, officer.Phone, " ayuda ");

        var inbound = await App.InboundAsync(sid);
        Assert.Equal("help", inbound!.Category);
        var answer = await App.SettledAsync(Guid.Parse(inbound.ReplySmsId!));
        Assert.Equal(("accepted", SmsPurposes.Reply), (answer.State, answer.Purpose));
        await App.SettleAsync(officer);
        Assert.Equal(1, MessagesTo(officer, HelpText));
        Assert.Equal(OfficerStatuses.Active, await App.EnrollmentStatusAsync(officer.Id));
    }

    [Fact]
    public async Task Free_text_is_kept_as_other_for_a_person_to_read_and_nothing_is_sent()
    {
        var officer = await EnrollAsync();
        var sid = SmsSteps.NewMessageSid();

        await App.PostReplyAsync(sid, officer.Phone, "¿A qué hora empieza el curso? No me llegó la sede");
        await App.SettleAsync(officer);

        var inbound = await App.InboundAsync(sid);
        Assert.Equal(("other", officer.Id.ToString(), (string?)null, (string?)null), (inbound!.Category, inbound.OfficerId, inbound.AcknowledgedSmsId, inbound.ReplySmsId));
        Assert.Empty(App.Services.GetRequiredService<SimulatorLog>().Snapshot(officer.Phone));
        Assert.Equal(OfficerStatuses.Active, await App.EnrollmentStatusAsync(officer.Id));
    }

    [Fact]
    public async Task A_BAJA_from_a_number_no_officer_has_is_kept_as_unknown_sender_and_nothing_is_sent()
    {
        const string stranger = "+525500008888";
        var sid = SmsSteps.NewMessageSid();

        Assert.Equal(HttpStatusCode.OK, await App.PostReplyAsync(sid, stranger, "BAJA"));
        await Task.Delay(300);

        var inbound = await App.InboundAsync(sid);
        Assert.Equal(("unknown_sender", (string?)null, (string?)null), (inbound!.Category, inbound.OfficerId, inbound.ReplySmsId));
        Assert.Empty(App.Services.GetRequiredService<SimulatorLog>().Snapshot(stranger));
    }

    [Fact]
    public async Task A_reply_from_the_old_521_form_of_a_number_reaches_the_officer_enrolled_with_the_52_form()
    {
        var officer = await EnrollAsync();
        Assert.StartsWith("+5255", officer.Phone);
        var sid = SmsSteps.NewMessageSid();

        await App.PostReplyAsync(sid, "+521" + officer.Phone[3..], "AYUDA");

        var inbound = await App.InboundAsync(sid);
        Assert.Equal(("help", officer.Id.ToString()), (inbound!.Category, inbound.OfficerId));
        await App.SettledAsync(Guid.Parse(inbound.ReplySmsId!));
        Assert.Equal(1, MessagesTo(officer, HelpText));
    }

    [Fact]
    public async Task An_officer_whose_roster_phone_had_the_old_mobile_1_is_found_by_a_reply_from_the_52_form()
    {
        var number = Interlocked.Increment(ref nextPhone);
        var officer = await App.EnrollAsync(seeded.Flow.ArmBySector.First(a => a.Value == StudyArms.Treatment).Key, $"+52 1 55 0000 {number}");
        Assert.Equal($"+52550000{number}", officer.Phone);
        var sid = SmsSteps.NewMessageSid();

        await App.PostReplyAsync(sid, officer.Phone, "AYUDA");

        Assert.Equal(officer.Id.ToString(), (await App.InboundAsync(sid))!.OfficerId);
    }

    [Fact]
    public async Task A_replayed_inbound_webhook_with_the_same_MessageSid_is_stored_and_acted_on_once()
    {
        var officer = await EnrollAsync();
        var sid = SmsSteps.NewMessageSid();

        // The provider retries a webhook it saw no answer to; retries may overlap.
        var answers = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => App.PostReplyAsync(sid, officer.Phone, "BAJA")));
        await App.PostReplyAsync(sid, officer.Phone, "BAJA");

        Assert.All(answers, a => Assert.Equal(HttpStatusCode.OK, a));
        Assert.Single(await App.QueryAsync<long>("messaging", "SELECT id FROM inbound_sms WHERE provider_sid = @sid", new { sid }));
        await App.WaitForEnrollmentStatusAsync(officer.Id, OfficerStatuses.SmsOptedOut);
        await App.SettledAsync(Guid.Parse((await App.InboundAsync(sid))!.ReplySmsId!));
        await App.SettleAsync(officer);
        Assert.Equal(1, MessagesTo(officer, OptOutConfirmation));
        var history = (await App.OfficerAsync(officer.Id)).GetProperty("statusHistory").EnumerateArray()
            .Count(h => h.GetProperty("status").GetString() == OfficerStatuses.SmsOptedOut);
        Assert.Equal(1, history);
    }

    [Fact]
    public async Task An_OK_with_a_forged_or_missing_signature_is_refused_and_acknowledges_nothing()
    {
        var officer = await EnrollAsync();
        await RemindAsync(officer);
        await using var acknowledged = await BusListener<ReminderAcknowledged>.StartAsync(App);
        var (forged, unsigned) = (SmsSteps.NewMessageSid(), SmsSteps.NewMessageSid());

        Assert.Equal(HttpStatusCode.Forbidden, await App.PostReplyAsync(forged, officer.Phone, "OK", authToken: "forged-token"));
        Assert.Equal(HttpStatusCode.Forbidden, await App.PostReplyAsync(unsigned, officer.Phone, "OK", authToken: null));
        await App.SettleAsync(officer);

        Assert.Null(await App.InboundAsync(forged));
        Assert.Null(await App.InboundAsync(unsigned));
        Assert.Empty(acknowledged.Received(e => e.OfficerId == officer.Id));
    }

    [Fact]
    public async Task A_reply_the_simulator_sends_from_an_officers_phone_arrives_signed_and_acknowledges_the_reminder()
    {
        var officer = await EnrollAsync();
        var reminder = await RemindAsync(officer);
        using var http = App.SimulatorHttp();

        // Without "to", the simulator answers the sender of the officer's latest message, as a phone would.
        using var response = await http.PostAsJsonAsync("/simulator/replies", new { from = officer.Phone, body = "Recibido" });

        var delivery = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(response.StatusCode == HttpStatusCode.OK, delivery.ToString());
        Assert.Equal(200, delivery.GetProperty("receiverStatus").GetInt32());
        var inbound = await App.InboundAsync(delivery.GetProperty("messageSid").GetString()!);
        Assert.Equal(("acknowledge", reminder.ToString()), (inbound!.Category, inbound.AcknowledgedSmsId));
    }
}

public sealed record EnrolledOfficer(Guid Id, string Phone);

/// <summary>An outbound_sms row as Messaging recorded it.</summary>
public sealed record OutboundSms
{
    public string State { get; init; } = "";
    public string Purpose { get; init; } = "";
    public string Body { get; init; } = "";
    public string? RefusalReason { get; init; }
    public long? ErrorCode { get; init; }
    public string? Status { get; init; }
    public string? ProviderSid { get; init; }
}

/// <summary>An inbound_sms row: who it was from and what it was taken to be.</summary>
public sealed record InboundSms
{
    public string? OfficerId { get; init; }
    public string? Category { get; init; }
    public string? AcknowledgedSmsId { get; init; }
    public string? ReplySmsId { get; init; }
}

/// <summary>
/// Steps the reply and guard tests share on any one-process host (the seeded fixture's or one on a clock of the
/// test's choosing): enrol an officer through the roster, put SendSms on the bus, post a signed reply, read what was recorded.
/// </summary>
static class SmsSteps
{
    public const string AuthToken = "simulator-fake-auth-token";
    const string InboundPath = "/api/messaging/webhooks/twilio/inbound";

    public static DateTimeOffset StudyNow(this WebApplication app) => app.Services.GetRequiredService<TimeProvider>().GetUtcNow();

    public static async Task<IReadOnlyList<T>> QueryAsync<T>(this WebApplication app, string service, string sql, object? param = null)
    {
        await using var connection = new SqliteConnection($"Data Source={Path.Combine(app.Configuration["Database:SqliteFolder"]!, service + ".db")}");
        return (await connection.QueryAsync<T>(sql, param)).AsList();
    }

    /// <summary>Changes a service's own records: only to stand in for time a test cannot wait for.</summary>
    public static async Task ExecuteAsync(this WebApplication app, string service, string sql, object? param = null)
    {
        await using var connection = new SqliteConnection($"Data Source={Path.Combine(app.Configuration["Database:SqliteFolder"]!, service + ".db")}");
        await connection.ExecuteAsync(sql, param);
    }

    /// <summary>A client for the host's provider simulator (<c>/simulator/*</c>), holding its control key.</summary>
    public static HttpClient SimulatorHttp(this WebApplication app)
    {
        var http = new HttpClient { BaseAddress = new Uri(app.Url()) };
        http.DefaultRequestHeaders.Add("X-Simulator-Key", app.SimulatorKey());
        return http;
    }

    public static HttpClient ManagerHttp(this WebApplication app)
    {
        var http = new HttpClient { BaseAddress = new Uri(app.Url()) };
        http.DefaultRequestHeaders.Add("X-Api-Key", app.ApiKey(Roles.Manager));
        return http;
    }

    /// <summary>Polls until <paramref name="done"/>; real time bounds the wait, whatever the study clock shows.</summary>
    public static async Task<T> WaitForAsync<T>(Func<Task<T>> read, Func<T, bool> done, string what, double seconds = 15)
    {
        var waited = Stopwatch.StartNew();
        while (true)
        {
            var value = await read();
            if (done(value)) return value;
            if (waited.Elapsed.TotalSeconds > seconds) throw new TimeoutException($"{what} (last seen: {value})");
            await Task.Delay(25);
        }
    }

    /// <summary>
    /// Imports a one-row roster into a sector and waits until Messaging knows the officer's phone and arms (its guard reads the
    /// arm of randomization: without the wait, a send could race the replica and be refused, as once under load).
    /// </summary>
    public static async Task<EnrolledOfficer> EnrollAsync(this WebApplication app, string sectorCode, string phone, string role = "policía", string? badge = null)
    {
        badge ??= "E2E-" + new string(phone.Where(char.IsDigit).ToArray())[^4..];
        var csv = $"placa;nombre;rol;sector;teléfono;consentimiento\n{badge};Oficial {badge};{role};{sectorCode};{phone};sí\n";
        using var http = app.ManagerHttp();
        using var response = await http.PostAsync("/api/enrollment/roster?mode=apply", new StringContent(csv, Encoding.UTF8, "text/csv"));
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        var (id, e164) = (await app.QueryAsync<(string, string)>("enrollment", "SELECT id, phone_e164 FROM officers WHERE badge = @badge", new { badge })).Single();
        await WaitForAsync(() => app.QueryAsync<string>("messaging", """
            SELECT a.arm FROM contacts c JOIN officers s ON s.officer_id = c.officer_id JOIN sector_arms a ON a.sector_id = s.sector_id
            JOIN officer_arms r ON r.officer_id = c.officer_id
            WHERE c.officer_id = @id
            """, new { id }), arms => arms.Count == 1, $"Messaging never learned officer {badge}'s phone, sector arm and arm of randomization");
        return new EnrolledOfficer(Guid.Parse(id), e164);
    }

    public static async Task<Guid> SendSmsAsync(this WebApplication app, Guid officerId, string purpose, string body)
    {
        var command = new SendSms(Guid.NewGuid(), officerId, purpose, body, app.StudyNow());
        var endpoint = await app.Services.GetRequiredService<IBus>().GetSendEndpoint(new Uri($"queue:{QueueNames.SendSms}"));
        await endpoint.Send(command);
        return command.SmsId;
    }

    /// <summary>
    /// The SMS once Messaging is done with it: accepted by the provider, failed there, or refused by a guard; with
    /// <paramref name="orHeld"/>, also once it is held by quiet hours (deferred).
    /// </summary>
    public static async Task<OutboundSms> SettledAsync(this WebApplication app, Guid smsId, bool orHeld = false) =>
        (await WaitForAsync(() => app.QueryAsync<OutboundSms>("messaging", """
            SELECT state AS State, purpose AS Purpose, body AS Body, refusal_reason AS RefusalReason, error_code AS ErrorCode, status AS Status,
                   provider_sid AS ProviderSid
            FROM outbound_sms WHERE sms_id = @id
            """, new { id = smsId.ToString() }), rows => rows is [{ State: "accepted" or "failed" or "refused" }] || orHeld && rows is [{ State: "deferred" }], $"SMS {smsId} was never settled"))[0];

    /// <summary>
    /// Waits until nothing the officer's replies caused is still on its way: Messaging's outbox is relayed and none of
    /// their SMS is mid-send. What has not happened by then is not going to.
    /// </summary>
    public static async Task SettleAsync(this WebApplication app, EnrolledOfficer officer)
    {
        await WaitForAsync(() => app.QueryAsync<long>("messaging", """
            SELECT (SELECT COUNT(*) FROM outbox_messages) + (SELECT COUNT(*) FROM outbound_sms WHERE officer_id = @id AND state IN ('new', 'sending', 'retrying'))
            """, new { id = officer.Id.ToString() }), n => n[0] == 0, "Messaging never settled");
        await Task.Delay(300);
    }

    public static string NewMessageSid() => "SM" + Guid.NewGuid().ToString("N");

    /// <summary>Posts an inbound SMS webhook as the provider does, signed with <paramref name="authToken"/> (null: unsigned).</summary>
    public static async Task<HttpStatusCode> PostReplyAsync(this WebApplication app, string messageSid, string from, string body, string? authToken = AuthToken)
    {
        var form = new Dictionary<string, string>
        {
            ["MessageSid"] = messageSid, ["SmsSid"] = messageSid, ["AccountSid"] = "ACsimulator00000000000000000000000",
            ["From"] = from, ["To"] = "+15005550006", ["Body"] = body, ["NumMedia"] = "0", ["NumSegments"] = "1",
        };
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, app.Url() + InboundPath) { Content = new FormUrlEncodedContent(form) };
        if (authToken is not null) request.Headers.Add("X-Twilio-Signature", TwilioSigner.Sign(authToken, app.Url() + InboundPath, form));
        using var response = await http.SendAsync(request);
        return response.StatusCode;
    }

    public static async Task<InboundSms?> InboundAsync(this WebApplication app, string messageSid) =>
        (await app.QueryAsync<InboundSms>("messaging", """
            SELECT officer_id AS OfficerId, category AS Category, acknowledged_sms_id AS AcknowledgedSmsId, reply_sms_id AS ReplySmsId
            FROM inbound_sms WHERE provider_sid = @messageSid
            """, new { messageSid })).SingleOrDefault();

    /// <summary>GET /api/enrollment/officers/{id}: the officer, their status history and transfers.</summary>
    public static async Task<JsonElement> OfficerAsync(this WebApplication app, Guid officerId)
    {
        using var http = app.ManagerHttp();
        return await http.GetFromJsonAsync<JsonElement>($"/api/enrollment/officers/{officerId}");
    }

    public static async Task<string> EnrollmentStatusAsync(this WebApplication app, Guid officerId) =>
        (await app.OfficerAsync(officerId)).GetProperty("officer").GetProperty("status").GetString()!;

    public static Task<string> WaitForEnrollmentStatusAsync(this WebApplication app, Guid officerId, string status) =>
        WaitForAsync(() => app.EnrollmentStatusAsync(officerId), s => s == status, $"Enrollment never showed officer {officerId} as {status}");

    /// <summary>Messaging's replica of the officer's status (no row yet means active).</summary>
    public static Task<string> WaitForMessagingStatusAsync(this WebApplication app, Guid officerId, string status) =>
        WaitForAsync(async () => (await app.QueryAsync<string>("messaging", "SELECT status FROM officer_statuses WHERE officer_id = @id",
            new { id = officerId.ToString() })).SingleOrDefault() ?? OfficerStatuses.Active, s => s == status, $"Messaging never showed officer {officerId} as {status}");
}

/// <summary>Records every <typeparamref name="T"/> published on the host's bus while it listens (on a receive endpoint of its own).</summary>
sealed class BusListener<T> : IAsyncDisposable where T : class
{
    readonly ConcurrentQueue<T> received = new();
    HostReceiveEndpointHandle handle = null!;

    /// <param name="queue">A queue of the test's choosing (an error queue, say) instead of a fresh one subscribed to <typeparamref name="T"/>.</param>
    public static async Task<BusListener<T>> StartAsync(WebApplication app, string? queue = null)
    {
        var listener = new BusListener<T>();
        listener.handle = app.Services.GetRequiredService<IReceiveEndpointConnector>().ConnectReceiveEndpoint(queue ?? $"e2e-{typeof(T).Name}-{Guid.NewGuid():N}",
            (_, endpoint) => endpoint.Handler<T>(context =>
            {
                listener.received.Enqueue(context.Message);
                return Task.CompletedTask;
            }));
        await listener.handle.Ready;
        return listener;
    }

    public IReadOnlyList<T> Received(Func<T, bool> match) => received.Where(match).ToList();

    public async Task<T> WaitForAsync(Func<T, bool> match, double seconds = 15) =>
        (await SmsSteps.WaitForAsync(() => Task.FromResult(Received(match)), r => r.Count > 0, $"No {typeof(T).Name} was published", seconds))[0];

    public async ValueTask DisposeAsync() => await handle.StopAsync();
}

/// <summary>Messaging's SMS events, which its outbox relay publishes inside <see cref="SmsEventsBatch"/> messages, read one by one.</summary>
static class SmsEventsListening
{
    /// <summary>The first event <paramref name="pick"/> finds in a batch that matches <paramref name="match"/>.</summary>
    public static async Task<T> WaitForEventAsync<T>(this BusListener<SmsEventsBatch> listener, Func<SmsEvent, T?> pick, Func<T, bool> match) where T : class
    {
        bool Matches(SmsEvent e) => pick(e) is { } picked && match(picked);
        var batch = await listener.WaitForAsync(b => b.Events.Any(Matches));
        return pick(batch.Events.First(Matches))!;
    }
}
