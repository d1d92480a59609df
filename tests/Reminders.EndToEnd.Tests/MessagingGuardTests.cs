using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Reminders.Contracts;
using Reminders.Local;
using Reminders.Local.Demo;
using Reminders.Platform.Auth;
using Reminders.Platform.Hosting;
using Reminders.Protocol;
using Reminders.ProviderSimulator.Log;

namespace Reminders.EndToEnd.Tests;

/// <summary>
/// Messaging's last checks before the provider call, whatever is put on the bus: arm, study status, quiet hours; a
/// ValidityPeriod that never lets the provider deliver into quiet hours; and the provider's permanent verdicts on a
/// number (opted out at the carrier, invalid, landline) reaching Enrollment. One host by day, one at night.
/// </summary>
public sealed class MessagingGuardTests(GuardHostsFixture hosts) : IClassFixture<GuardHostsFixture>
{
    static int nextPhone = 3000;
    WebApplication Day => hosts.Day.App;
    WebApplication Night => hosts.Night.App;
    StudyProtocol Protocol => Day.Services.GetRequiredService<StudyProtocol>();

    static Task<EnrolledOfficer> EnrollAsync(StudyHost host, string arm, string? phone = null) =>
        host.App.EnrollAsync(host.SectorOf(arm), phone ?? $"+52550000{Interlocked.Increment(ref nextPhone)}");

    static IReadOnlyList<SimulatedMessage> AtProvider(WebApplication app, EnrolledOfficer officer) =>
        app.Services.GetRequiredService<SimulatorLog>().Snapshot(officer.Phone);

    static async Task<OutboundSms> SendAndSettleAsync(WebApplication app, EnrolledOfficer officer, string purpose) =>
        await app.SettledAsync(await app.SendSmsAsync(officer.Id, purpose, $"Prueba {purpose} {Guid.NewGuid():N}"));

    static async Task<JsonElement> LastStatusChangeAsync(WebApplication app, Guid officerId) =>
        (await app.OfficerAsync(officerId)).GetProperty("statusHistory").EnumerateArray().Last();

    [Fact]
    public async Task An_sms_for_a_control_officer_is_refused_as_arm_mismatch_and_announced_as_SmsRefused_even_as_a_reply()
    {
        var officer = await EnrollAsync(hosts.Day, StudyArms.Control);
        await using var refusals = await BusListener<SmsRefused>.StartAsync(Day);

        var reminder = await SendAndSettleAsync(Day, officer, SmsPurposes.Reminder);
        var reply = await SendAndSettleAsync(Day, officer, SmsPurposes.Reply);

        Assert.Equal(("refused", "arm_mismatch"), (reminder.State, reminder.RefusalReason));
        Assert.Equal(("refused", "arm_mismatch"), (reply.State, reply.RefusalReason));
        var refused = await refusals.WaitForAsync(e => e.OfficerId == officer.Id && e.Purpose == SmsPurposes.Reminder);
        Assert.Equal("arm_mismatch", refused.Reason);
        Assert.Empty(AtProvider(Day, officer));
    }

    [Fact]
    public async Task After_BAJA_a_reminder_is_refused_as_opted_out_but_a_reply_purpose_sms_still_reaches_the_officer()
    {
        var officer = await EnrollAsync(hosts.Day, StudyArms.Treatment);
        await Day.PostReplyAsync(SmsSteps.NewMessageSid(), officer.Phone, "BAJA");
        await Day.WaitForMessagingStatusAsync(officer.Id, OfficerStatuses.SmsOptedOut);
        await using var refusals = await BusListener<SmsRefused>.StartAsync(Day);

        var reminder = await SendAndSettleAsync(Day, officer, SmsPurposes.Reminder);
        var reply = await SendAndSettleAsync(Day, officer, SmsPurposes.Reply);

        Assert.Equal(("refused", "opted_out"), (reminder.State, reminder.RefusalReason));
        Assert.Equal("opted_out", (await refusals.WaitForAsync(e => e.OfficerId == officer.Id)).Reason);
        Assert.Equal("accepted", reply.State);
        Assert.DoesNotContain(AtProvider(Day, officer), m => m.Body == reminder.Body);
        Assert.Single(AtProvider(Day, officer), m => m.Body == reply.Body);
    }

    [Fact]
    public async Task For_a_withdrawn_officer_even_a_reply_purpose_sms_is_refused_as_withdrawn()
    {
        var officer = await EnrollAsync(hosts.Day, StudyArms.Treatment);
        using (var http = Day.ManagerHttp())
        {
            using var response = await http.PostAsJsonAsync($"/api/enrollment/officers/{officer.Id}/status", new { status = OfficerStatuses.Withdrawn, reason = "retiro del estudio" });
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        await Day.WaitForMessagingStatusAsync(officer.Id, OfficerStatuses.Withdrawn);

        var reminder = await SendAndSettleAsync(Day, officer, SmsPurposes.Reminder);
        var reply = await SendAndSettleAsync(Day, officer, SmsPurposes.Reply);

        Assert.Equal(("refused", "withdrawn"), (reminder.State, reminder.RefusalReason));
        Assert.Equal(("refused", "withdrawn"), (reply.State, reply.RefusalReason));
        Assert.Empty(AtProvider(Day, officer));
    }

    [Theory]
    [InlineData(SmsPurposes.Reminder)]
    [InlineData(SmsPurposes.Logistics)]
    [InlineData(SmsPurposes.Manual)]
    public async Task An_accepted_sms_may_wait_at_the_provider_only_until_the_sending_window_closes(string purpose)
    {
        var officer = await EnrollAsync(hosts.Day, StudyArms.Treatment);
        var before = Day.StudyNow();
        var windowEnd = Protocol.QuietHours.WindowEnd(before, Protocol.TimeZone);

        var sms = await SendAndSettleAsync(Day, officer, purpose);

        Assert.Equal("accepted", sms.State);
        var message = Day.Services.GetRequiredService<SimulatorLog>().Find(sms.ProviderSid!)!;
        Assert.NotNull(message.ValidityPeriod);
        var validity = message.ValidityPeriod.Value;
        // Never past 20:00 (local) counted from before the send, never over Twilio's 36,000 s...
        Assert.InRange(validity, 1, (int)Math.Min(36_000, Math.Floor((windowEnd - before).TotalSeconds)));
        // ...and not needlessly short: up to the window's end, or Twilio's maximum.
        Assert.True(validity >= Math.Min(36_000, (windowEnd - message.AcceptedAt).TotalSeconds) - 2,
            $"ValidityPeriod {validity} s ends well before the window closes at {windowEnd:O} (accepted {message.AcceptedAt:O}).");
    }

    [Fact]
    public async Task A_provider_21610_fails_the_sms_with_that_code_and_Enrollment_opts_the_officer_out()
    {
        var officer = await EnrollAsync(hosts.Day, StudyArms.Treatment, GuardHostsFixture.OptedOutAtCarrier + "1");

        var sms = await SendAndSettleAsync(Day, officer, SmsPurposes.Reminder);

        Assert.Equal(("failed", 21610L, "failed"), (sms.State, sms.ErrorCode, sms.Status));
        Assert.Empty(AtProvider(Day, officer));
        await Day.WaitForEnrollmentStatusAsync(officer.Id, OfficerStatuses.SmsOptedOut);
        await Day.WaitForMessagingStatusAsync(officer.Id, OfficerStatuses.SmsOptedOut);
        // Nothing more is sent: the next reminder is refused before the provider is asked again.
        var next = await SendAndSettleAsync(Day, officer, SmsPurposes.Reminder);
        Assert.Equal(("refused", "opted_out"), (next.State, next.RefusalReason));
    }

    [Fact]
    public async Task An_opt_out_at_the_carrier_is_recorded_in_Enrollment_as_the_providers_verdict_not_as_a_keyword_reply()
    {
        var officer = await EnrollAsync(hosts.Day, StudyArms.Treatment, GuardHostsFixture.OptedOutAtCarrier + "2");

        await SendAndSettleAsync(Day, officer, SmsPurposes.Reminder);
        await Day.WaitForEnrollmentStatusAsync(officer.Id, OfficerStatuses.SmsOptedOut);

        // The officer replied nothing: the status history must not say they did.
        var change = await LastStatusChangeAsync(Day, officer.Id);
        Assert.Equal("provider", change.GetProperty("source").GetString());
    }

    [Theory]
    [InlineData(GuardHostsFixture.InvalidNumbers + "1", 21211)]
    [InlineData(GuardHostsFixture.Landlines + "1", 21614)]
    public async Task A_number_the_provider_refuses_for_good_fails_the_sms_and_Enrollment_marks_it_wrong(string phone, long code)
    {
        var officer = await EnrollAsync(hosts.Day, StudyArms.Treatment, phone);
        await using var failures = await BusListener<SmsEventsBatch>.StartAsync(Day);

        var sms = await SendAndSettleAsync(Day, officer, SmsPurposes.Reminder);

        Assert.Equal(("failed", code), (sms.State, sms.ErrorCode));
        // The reason names the code and what it means, never the number the provider's own text repeats (it travels in events).
        var failed = await failures.WaitForEventAsync(e => e.Failed, f => f.OfficerId == officer.Id);
        Assert.Contains($"({code})", failed.Reason);
        Assert.DoesNotContain(phone.TrimStart('+'), failed.Reason);
        await Day.WaitForEnrollmentStatusAsync(officer.Id, OfficerStatuses.WrongNumber);
        var change = await LastStatusChangeAsync(Day, officer.Id);
        Assert.Equal("provider", change.GetProperty("source").GetString());
        await Day.WaitForMessagingStatusAsync(officer.Id, OfficerStatuses.WrongNumber);
        var next = await SendAndSettleAsync(Day, officer, SmsPurposes.Reminder);
        Assert.Equal(("refused", "wrong_number"), (next.State, next.RefusalReason));
    }

    [Theory]
    [InlineData(SmsPurposes.Reminder)]
    [InlineData(SmsPurposes.Logistics)]
    [InlineData(SmsPurposes.Manual)]
    public async Task At_night_an_sms_that_is_not_a_reply_is_held_until_the_window_opens_and_never_reaches_the_provider_at_night(string purpose)
    {
        var now = Night.StudyNow();
        Assert.False(Protocol.QuietHours.IsInside(now, Protocol.TimeZone));
        var officer = await EnrollAsync(hosts.Night, StudyArms.Treatment);

        var sms = await Night.SettledAsync(await Night.SendSmsAsync(officer.Id, purpose, $"Prueba {purpose} {Guid.NewGuid():N}"), orHeld: true);

        Assert.Equal(("deferred", null), (sms.State, sms.RefusalReason));
        var until = (await Night.QueryAsync<DateTimeOffset>("messaging", "SELECT deferred_until FROM outbound_sms WHERE body = @Body", sms)).Single();
        Assert.Equal(Protocol.QuietHours.NextAllowed(now, Protocol.TimeZone), until);
        Assert.Empty(AtProvider(Night, officer));
    }

    [Theory]
    [InlineData("AYUDA")]
    [InlineData("BAJA")]
    public async Task At_night_an_officers_keyword_is_still_answered_at_once(string keyword)
    {
        var officer = await EnrollAsync(hosts.Night, StudyArms.Treatment);
        var keywords = Protocol.Keywords;
        var expected = (keyword == "AYUDA" ? keywords.HelpReply : keywords.OptOutConfirmation).Officer.Render();
        var sid = SmsSteps.NewMessageSid();

        Assert.Equal(HttpStatusCode.OK, await Night.PostReplyAsync(sid, officer.Phone, keyword));

        var answer = await Night.SettledAsync(Guid.Parse((await Night.InboundAsync(sid))!.ReplySmsId!));
        Assert.Equal(("accepted", SmsPurposes.Reply), (answer.State, answer.Purpose));
        Assert.Equal([expected], AtProvider(Night, officer).Select(m => m.Body));
    }

    [Fact]
    public async Task At_night_the_Scheduler_refuses_a_manual_message_up_front_and_Messaging_never_sees_it()
    {
        var officer = await EnrollAsync(hosts.Night, StudyArms.Treatment);
        using var http = Night.ManagerHttp();

        using var response = await http.PostAsJsonAsync("/api/scheduler/messages", new { officerId = officer.Id, body = "Mensaje nocturno" });

        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal("Quiet hours", problem.GetProperty("title").GetString());
        await Task.Delay(300);
        Assert.Empty(await Night.QueryAsync<string>("messaging", "SELECT sms_id FROM outbound_sms WHERE officer_id = @id", new { id = officer.Id.ToString() }));
    }
}

/// <summary>
/// Two one-process hosts for the guard tests: by day (inside sending hours) with a provider that refuses some numbers
/// for good, and at night (23:00 in the protocol's zone). Both have the skeleton flow's sectors, roster and arms, no SMS.
/// </summary>
public sealed class GuardHostsFixture : IAsyncLifetime
{
    /// <summary>Prefixes (a last digit completes the number) the simulator refuses with 21610, 21211 and 21614.</summary>
    public const string OptedOutAtCarrier = "+52550000391";
    public const string InvalidNumbers = "+52550000392";
    public const string Landlines = "+52550000393";

    public StudyHost Day { get; } = new();
    public StudyHost Night { get; } = new();

    public Task InitializeAsync()
    {
        var protocol = ProtocolLoader.LoadDefault();
        var realNow = DateTimeOffset.UtcNow;
        var day = StudyClockOptions.InsideSendingHours(protocol, realNow, TimeSpan.FromHours(2));
        day["Simulator:Outcomes:OptedOut:0"] = OptedOutAtCarrier;
        day["Simulator:Outcomes:Invalid:0"] = InvalidNumbers;
        day["Simulator:Outcomes:Landline:0"] = Landlines;
        // The next 23:00 local: never behind the real clock, and hours from the window's next opening.
        var local = TimeZoneInfo.ConvertTime(realNow, protocol.TimeZone);
        var night = QuietHours.AtLocal(DateOnly.FromDateTime(local.DateTime), new TimeOnly(23, 0), protocol.TimeZone);
        if (night < realNow) night = QuietHours.AtLocal(DateOnly.FromDateTime(local.DateTime).AddDays(1), new TimeOnly(23, 0), protocol.TimeZone);
        var nightSettings = new Dictionary<string, string?>
        {
            [$"{StudyClockOptions.Section}:{nameof(StudyClockOptions.StudyStart)}"] = night.ToString("O"),
            [$"{StudyClockOptions.Section}:{nameof(StudyClockOptions.RealStart)}"] = realNow.ToString("O"),
        };
        return Task.WhenAll(Day.StartAsync(day), Night.StartAsync(nightSettings));
    }

    public async Task DisposeAsync()
    {
        await Day.DisposeAsync();
        await Night.DisposeAsync();
    }
}

/// <summary>The one-process default on settings of the test's choosing, a fresh data folder and a free port.</summary>
public sealed class StudyHost : IAsyncDisposable
{
    readonly string dataFolder = Path.Combine(Path.GetTempPath(), "reminders-e2e-" + Guid.NewGuid().ToString("N"));
    IReadOnlyDictionary<string, string> armBySector = new Dictionary<string, string>();

    public WebApplication App { get; private set; } = null!;

    public string SectorOf(string arm) => armBySector.First(a => a.Value == arm).Key;

    public async Task StartAsync(Dictionary<string, string?> settings)
    {
        settings["Urls"] = "http://127.0.0.1:0";
        settings["Database:SqliteFolder"] = dataFolder;
        settings["Logging:LogLevel:Default"] = "Warning";
        App = LocalHost.Build([], settings);
        await App.StartAsync();
        using var client = new ReminderClient(ServiceUrls.Single(App.Url()), App.ApiKey(Roles.Manager), App.ApiKey(Roles.Researcher), App.SimulatorKey());
        // The skeleton flow's set-up without its SMS, which a host at night could not send.
        await client.LoadSectorsAsync(SkeletonFlow.Sectors);
        await client.ImportRosterAsync(SkeletonFlow.Roster);
        await client.RandomizeAsync(SkeletonFlow.Seed, ["alcaldia"]);
        armBySector = (await client.SectorsAsync()).EnumerateArray()
            .ToDictionary(s => s.GetProperty("code").GetString()!, s => s.GetProperty("arm").GetString()!);
    }

    public async ValueTask DisposeAsync()
    {
        if (App is null) return;
        await App.StopAsync();
        await App.DisposeAsync();
        SqliteConnection.ClearAllPools();
        try { Directory.Delete(dataFolder, recursive: true); } catch (IOException) { }
    }
}
