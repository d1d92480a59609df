using System.Diagnostics.Metrics;
using System.Net.Http.Json;
using System.Text.Json;
using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Reminders.Contracts;
using Reminders.Local;
using Reminders.Local.Demo;
using Reminders.Messaging.Delivery;
using Reminders.Platform.Auth;
using Reminders.Platform.Data;
using Reminders.Platform.Hosting;
using Reminders.Protocol;
using Reminders.ProviderSimulator.Faults;
using Reminders.ProviderSimulator.Log;

namespace Reminders.EndToEnd.Tests;

/// <summary>
/// Quiet hours defer, never drop: a SendSms that reaches Messaging outside the sending window (a backlog, a 429 retried
/// after 20:00) is held and sent when the window opens if its late window is still open then, exactly once; otherwise it
/// is skipped as missed_window, and the Scheduler's row and the dosage ledger say so. Each test has its own one-process
/// host, its study clock at the evening hour it needs, moved forward to the morning.
/// </summary>
public sealed class QuietHoursDeferralTests
{
    static int nextPhone = 4700;
    static readonly StudyProtocol Protocol = ProtocolLoader.LoadDefault();
    static TimeZoneInfo Zone => Protocol.TimeZone;

    /// <summary>A host whose study clock shows <paramref name="wallClock"/> in the protocol's zone (the next such instant), releasing held sends every second.</summary>
    static async Task<StudyHost> StartAtAsync(TimeOnly wallClock)
    {
        var realNow = DateTimeOffset.UtcNow;
        var at = Next(wallClock, realNow);
        var host = new StudyHost();
        await host.StartAsync(new Dictionary<string, string?>
        {
            [$"{StudyClockOptions.Section}:{nameof(StudyClockOptions.StudyStart)}"] = at.ToString("O"),
            [$"{StudyClockOptions.Section}:{nameof(StudyClockOptions.RealStart)}"] = realNow.ToString("O"),
            [$"{DeferredSendOptions.Section}:{nameof(DeferredSendOptions.IntervalSeconds)}"] = "1",
        });
        return host;
    }

    /// <summary>The first instant at or after <paramref name="after"/> that the protocol's zone shows <paramref name="wallClock"/>.</summary>
    static DateTimeOffset Next(TimeOnly wallClock, DateTimeOffset after)
    {
        var date = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(after, Zone).DateTime);
        var at = QuietHours.AtLocal(date, wallClock, Zone);
        return at >= after ? at : QuietHours.AtLocal(date.AddDays(1), wallClock, Zone);
    }

    static StudyClock Clock(WebApplication app) => (StudyClock)app.Services.GetRequiredService<TimeProvider>();

    static Task<EnrolledOfficer> EnrollAsync(StudyHost host) =>
        host.App.EnrollAsync(host.SectorOf(StudyArms.Treatment), $"+52550000{Interlocked.Increment(ref nextPhone)}");

    static async Task SendAsync(WebApplication app, SendSms command)
    {
        var endpoint = await app.Services.GetRequiredService<IBus>().GetSendEndpoint(new Uri($"queue:{QueueNames.SendSms}"));
        await endpoint.Send(command);
    }

    sealed record HeldRow
    {
        public string State { get; init; } = "";
        public string? RefusalReason { get; init; }
        public long Attempts { get; init; }
        public DateTimeOffset? DeferredUntil { get; init; }
        public DateTimeOffset? SendBy { get; init; }
        public DateTimeOffset? AcceptedAt { get; init; }
    }

    static async Task<HeldRow?> RowAsync(WebApplication app, Guid smsId) =>
        (await app.QueryAsync<HeldRow>("messaging", """
            SELECT state AS State, refusal_reason AS RefusalReason, attempts AS Attempts, deferred_until AS DeferredUntil, send_by AS SendBy,
                   accepted_at AS AcceptedAt
            FROM outbound_sms WHERE sms_id = @id
            """, new { id = smsId.ToString() })).SingleOrDefault();

    static async Task<HeldRow> WaitForStateAsync(WebApplication app, Guid smsId, string state, double seconds = 15) =>
        (await SmsSteps.WaitForAsync(() => RowAsync(app, smsId), r => r?.State == state, $"SMS {smsId} never became {state}", seconds))!;

    static int AtProvider(WebApplication app, string body) =>
        app.Services.GetRequiredService<SimulatorLog>().Snapshot(null).Count(m => m.Body == body);

    [Fact]
    public async Task A_SendSms_arriving_at_20_30_is_held_and_reaches_the_provider_once_when_the_window_opens_at_09_00()
    {
        await using var host = await StartAtAsync(new TimeOnly(20, 30));
        var app = host.App;
        var officer = await EnrollAsync(host);
        var now = app.StudyNow();
        var opens = Protocol.QuietHours.NextAllowed(now, Zone);
        Assert.Equal(new TimeOnly(9, 0), TimeOnly.FromDateTime(TimeZoneInfo.ConvertTime(opens, Zone).DateTime));
        var body = $"Recordatorio retenido {Guid.NewGuid():N}";
        var command = new SendSms(Guid.NewGuid(), officer.Id, SmsPurposes.Reminder, body, now, SendBy: opens.AddHours(3));
        var held = 0L;
        var meters = app.Services.GetRequiredService<IMeterFactory>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Scope == meters && instrument.Name == "reminders.messaging.sms.deferred") l.EnableMeasurementEvents(instrument);
            },
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref held, value));
        listener.Start();

        await SendAsync(app, command);

        var row = await WaitForStateAsync(app, command.SmsId, "deferred");
        Assert.Equal((opens, opens.AddHours(3), null, 0L), (row.DeferredUntil, row.SendBy, row.RefusalReason, row.Attempts));
        // Redelivered while held: nothing changes, nothing goes.
        await SendAsync(app, command);
        await Task.Delay(300);
        Assert.Equal(("deferred", 0L), ((await RowAsync(app, command.SmsId))!.State, (await RowAsync(app, command.SmsId))!.Attempts));
        Assert.Equal(0, AtProvider(app, body));
        Assert.Equal(1, Interlocked.Read(ref held));
        // The delivery monitor sees it held, with when it goes and its deadline.
        using (var http = app.ManagerHttp())
        {
            var summary = await http.GetFromJsonAsync<JsonElement>("/api/messaging/sms/summary");
            Assert.Equal(1, summary.GetProperty("deferred").GetInt64());
            var listed = Assert.Single(summary.GetProperty("deferredSends").EnumerateArray());
            Assert.Equal(command.SmsId, listed.GetProperty("smsId").GetGuid());
            Assert.Equal(opens, listed.GetProperty("deferredUntil").GetDateTimeOffset());
            Assert.Equal(opens.AddHours(3), listed.GetProperty("sendBy").GetDateTimeOffset());
        }

        Clock(app).JumpTo(opens.AddSeconds(1));

        var sent = await app.SettledAsync(command.SmsId);
        Assert.Equal(("accepted", null), (sent.State, sent.RefusalReason));
        Assert.True((await RowAsync(app, command.SmsId))!.AcceptedAt >= opens);
        await SendAsync(app, command);
        await Task.Delay(300);
        Assert.Equal(1, AtProvider(app, body));
        Assert.Equal(1L, (await RowAsync(app, command.SmsId))!.Attempts);
    }

    [Fact]
    public async Task A_reminder_whose_late_window_closes_before_the_window_opens_is_skipped_missed_window_in_Messaging_the_Scheduler_and_the_ledger()
    {
        await using var host = await StartAtAsync(new TimeOnly(20, 30));
        var app = host.App;
        var officer = await EnrollAsync(host);
        var now = app.StudyNow();
        var dueAt = now.AddMinutes(-50);
        var dispatchedAt = now.AddMinutes(-36);
        // Its late window ends at 08:00, an hour before the sending window opens.
        var windowEnds = Next(new TimeOnly(8, 0), now);
        var smsId = Guid.CreateVersion7();
        var body = $"Recordatorio con plazo vencido {Guid.NewGuid():N}";
        // The plan (the ledger's denominator), and the row the dispatcher sent at 19:54 that Messaging only reaches at 20:30 (a backlog).
        await app.Services.GetRequiredService<IBus>().Publish(new RemindersPlanned(Guid.NewGuid(), Protocol.Version,
            [new PlannedReminder(smsId, officer.Id, 1, dueAt, "planned", null)], dueAt.AddDays(-1)));
        await app.ExecuteAsync("scheduler", """
            INSERT INTO planned_sms (sms_id, officer_id, purpose, kind, reminder_number, body, due_at, window_ends_at, cutoff_at, protocol_version,
                status, planned_by, planned_at, dispatched_at)
            VALUES (@smsId, @officerId, 'reminder', 'reminder', 1, @body, @dueAt, @windowEnds, @cutoff, @version, 'dispatched', 'test', @plannedAt, @dispatchedAt)
            """, new
            {
                smsId = smsId.ToString(), officerId = officer.Id.ToString(), body, dueAt = DapperTypeHandlers.ToSqliteText(dueAt),
                windowEnds = DapperTypeHandlers.ToSqliteText(windowEnds), cutoff = DapperTypeHandlers.ToSqliteText(now.AddDays(60)),
                version = Protocol.Version, plannedAt = DapperTypeHandlers.ToSqliteText(dueAt.AddDays(-1)), dispatchedAt = DapperTypeHandlers.ToSqliteText(dispatchedAt),
            });

        await SendAsync(app, new SendSms(smsId, officer.Id, SmsPurposes.Reminder, body, dispatchedAt, SendBy: windowEnds));

        var sms = await app.SettledAsync(smsId);
        Assert.Equal(("refused", SmsSkipReasons.MissedWindow), (sms.State, sms.RefusalReason));
        var planned = await SmsSteps.WaitForAsync(() => app.QueryAsync<(string, string?)>("scheduler", "SELECT status, reason FROM planned_sms WHERE sms_id = @id",
            new { id = smsId.ToString() }), r => r is [("skipped", _)], $"The Scheduler never closed SMS {smsId}");
        Assert.Equal(("skipped", SmsSkipReasons.MissedWindow), planned[0]);
        using var client = new ReminderClient(ServiceUrls.Single(app.Url()), app.ApiKey(Roles.Manager), app.ApiKey(Roles.Researcher), app.SimulatorKey());
        var dosage = (await client.WaitForDosageAsync(officer.Id, d => d.GetProperty("remindersSkipped").GetInt32() == 1, TimeSpan.FromSeconds(15)))!.Value;
        Assert.Equal(1, dosage.GetProperty("remindersSkippedByReason").GetProperty(SmsSkipReasons.MissedWindow).GetInt32());
        Assert.Equal((1, 0, 0, 0), (dosage.GetProperty("remindersPlanned").GetInt32(), dosage.GetProperty("remindersFailed").GetInt32(),
            dosage.GetProperty("remindersPending").GetInt32(), dosage.GetProperty("smsRefused").GetInt32()));
        var reminder = Assert.Single(dosage.GetProperty("reminders").EnumerateArray());
        Assert.Equal(("skipped", SmsSkipReasons.MissedWindow), (reminder.GetProperty("status").GetString(), reminder.GetProperty("skipReason").GetString()));
        Assert.Equal(0, AtProvider(app, body));
    }

    [Fact]
    public async Task A_provider_429_at_19_59_59_retried_after_20_00_is_held_not_refused_and_sent_once_at_09_00()
    {
        await using var host = await StartAtAsync(new TimeOnly(19, 0));
        var app = host.App;
        var officer = await EnrollAsync(host);
        var lastSecond = Next(new TimeOnly(19, 59, 59), app.StudyNow());
        var opens = Protocol.QuietHours.NextAllowed(lastSecond.AddSeconds(1), Zone);
        var body = $"Recordatorio tras 429 {Guid.NewGuid():N}";
        var command = new SendSms(Guid.NewGuid(), officer.Id, SmsPurposes.Reminder, body, lastSecond, SendBy: opens.AddHours(3));
        var faults = app.Services.GetRequiredService<SimulatorFaults>();
        faults.Add(new FaultSpec(FaultKind.Error429, Count: 1));
        Clock(app).JumpTo(lastSecond);

        await SendAsync(app, command);
        // The provider did not take it at 19:59:59; the bus's retry comes after 20:00.
        await SmsSteps.WaitForAsync(() => RowAsync(app, command.SmsId), r => r?.State == "retrying", $"SMS {command.SmsId} was never answered 429", 10);
        Clock(app).JumpTo(lastSecond.AddSeconds(31));

        var held = await WaitForStateAsync(app, command.SmsId, "deferred");
        Assert.Equal((opens, null), (held.DeferredUntil, held.RefusalReason));
        // The one 429 was answered, and nothing else reached the provider.
        Assert.DoesNotContain(faults.Active(), f => f.Kind == FaultKind.Error429);
        Assert.Equal(0, AtProvider(app, body));

        Clock(app).JumpTo(opens.AddSeconds(1));

        Assert.Equal("accepted", (await app.SettledAsync(command.SmsId)).State);
        Assert.Equal(1, AtProvider(app, body));
    }
}
