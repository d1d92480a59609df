using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Reminders.Contracts;
using Reminders.Local;
using Reminders.Messaging.Audit;
using Reminders.Platform.Auth;
using Reminders.Platform.Hosting;
using Reminders.Protocol;
using Reminders.ProviderSimulator.Log;

namespace Reminders.EndToEnd.Tests;

/// <summary>
/// The arm that counts is the arm of randomization, and consent "no" means no SMS of any kind: checked through the
/// one-process default by day, with officers moved and changed by roster re-imports as a manager would do it.
/// </summary>
public sealed class StudyIntegrityTests(StudyIntegrityFixture fixture) : IClassFixture<StudyIntegrityFixture>
{
    static int nextPhone = 5100;
    WebApplication App => fixture.Host.App;
    string Treatment => fixture.Host.SectorOf(StudyArms.Treatment);
    string Control => fixture.Host.SectorOf(StudyArms.Control);

    static string NewPhone() => $"+52550000{Interlocked.Increment(ref nextPhone)}";

    /// <summary>A roster row as a re-import brings it: same badge and phone, the sector and consent of the test's choosing.</summary>
    async Task<JsonElement> ImportAsync(string badge, string phone, string sector, string consent = "sí")
    {
        var csv = $"placa;nombre;rol;sector;teléfono;consentimiento\n{badge};Oficial {badge};policía;{sector};{phone};{consent}\n";
        using var http = App.ManagerHttp();
        using var response = await http.PostAsync("/api/enrollment/roster?mode=apply", new StringContent(csv, Encoding.UTF8, "text/csv"));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        return JsonSerializer.Deserialize<JsonElement>(body);
    }

    async Task<Guid> OfficerIdAsync(string badge) =>
        Guid.Parse((await App.QueryAsync<string>("enrollment", "SELECT id FROM officers WHERE badge = @badge", new { badge })).Single());

    /// <summary>Waits until Messaging's replica has the officer in <paramref name="sector"/> (the transfer has been applied there).</summary>
    async Task WaitForMessagingSectorAsync(Guid officerId, string sector)
    {
        var sectorId = (await App.QueryAsync<string>("enrollment", "SELECT id FROM sectors WHERE code = @sector", new { sector })).Single();
        await SmsSteps.WaitForAsync(() => App.QueryAsync<string>("messaging", "SELECT sector_id FROM officers WHERE officer_id = @id",
            new { id = officerId.ToString() }), s => s.Count == 1 && string.Equals(s[0], sectorId, StringComparison.OrdinalIgnoreCase),
            $"Messaging never saw officer {officerId} in {sector}");
    }

    async Task<IReadOnlyList<OutboundSms>> SendEveryPurposeAsync(Guid officerId)
    {
        var settled = new List<OutboundSms>();
        foreach (var purpose in new[] { SmsPurposes.Reminder, SmsPurposes.Logistics, SmsPurposes.Manual, SmsPurposes.Reply })
            settled.Add(await App.SettledAsync(await App.SendSmsAsync(officerId, purpose, $"Prueba {purpose} {Guid.NewGuid():N}")));
        return settled;
    }

    IReadOnlyList<SimulatedMessage> AtProvider(string phone) => App.Services.GetRequiredService<SimulatorLog>().Snapshot(phone);

    static async Task<JsonElement> DosageAsync(WebApplication app, Guid officerId)
    {
        using var http = new HttpClient { BaseAddress = new Uri(app.Url()) };
        http.DefaultRequestHeaders.Add("X-Api-Key", app.ApiKey(Roles.Researcher));
        return await SmsSteps.WaitForAsync(async () =>
        {
            using var response = await http.GetAsync($"/api/attendance/dosage/officers/{officerId}");
            return response.IsSuccessStatusCode ? await response.Content.ReadFromJsonAsync<JsonElement>() : default;
        }, d => d.ValueKind == JsonValueKind.Object && d.GetProperty("arm").ValueKind == JsonValueKind.String, $"the ledger never showed officer {officerId}'s arm");
    }

    [Fact]
    public async Task A_control_officer_transferred_into_a_treatment_sector_is_refused_every_sms_as_arm_mismatch()
    {
        var phone = NewPhone();
        var control = await App.EnrollAsync(Control, phone);
        var badge = (await App.QueryAsync<string>("enrollment", "SELECT badge FROM officers WHERE id = @id", new { id = control.Id.ToString() })).Single();

        var report = await ImportAsync(badge, phone, Treatment);
        Assert.Equal(1, report.GetProperty("crossArmTransfers").GetInt32());
        await WaitForMessagingSectorAsync(control.Id, Treatment);

        var sent = await SendEveryPurposeAsync(control.Id);

        Assert.All(sent, s => Assert.Equal(("refused", "arm_mismatch"), (s.State, s.RefusalReason)));
        Assert.Empty(AtProvider(control.Phone));
        using var http = App.ManagerHttp();
        using var manual = await http.PostAsJsonAsync("/api/scheduler/messages", new { officerId = control.Id, body = "Mensaje a un oficial de control" });
        Assert.Equal(HttpStatusCode.Conflict, manual.StatusCode);
    }

    [Fact]
    public async Task A_control_officer_transferred_into_a_treatment_sector_is_never_placed_in_a_training()
    {
        var phone = NewPhone();
        var control = await App.EnrollAsync(Control, phone);
        var badge = (await App.QueryAsync<string>("enrollment", "SELECT badge FROM officers WHERE id = @id", new { id = control.Id.ToString() })).Single();
        await ImportAsync(badge, phone, Treatment);
        await SmsSteps.WaitForAsync(() => App.QueryAsync<string>("scheduler", "SELECT s.code FROM officers o JOIN sectors s ON s.sector_id = o.sector_id WHERE o.officer_id = @id",
            new { id = control.Id.ToString() }), s => s.SequenceEqual([Treatment]), "the Scheduler never saw the transfer");

        using var http = App.ManagerHttp();
        await http.PostAsJsonAsync("/api/scheduler/venues", new { name = "Academia, Aula 7", capacity = 40 });
        await http.PostAsJsonAsync("/api/scheduler/trainers", new { name = "Mtra. Ochoa" });
        var from = DateOnly.FromDateTime(App.StudyNow().UtcDateTime).AddDays(14);
        using var plan = await http.PostAsJsonAsync("/api/scheduler/plans", new { from = from.ToString("yyyy-MM-dd"), to = from.AddDays(60).ToString("yyyy-MM-dd"), sectorCodes = new[] { Treatment } });
        Assert.True(plan.IsSuccessStatusCode, await plan.Content.ReadAsStringAsync());

        Assert.Equal(0, (await App.QueryAsync<long>("scheduler", "SELECT COUNT(*) FROM cohort_members WHERE officer_id = @id", new { id = control.Id.ToString() }))[0]);
        Assert.Equal(0, (await App.QueryAsync<long>("scheduler", "SELECT COUNT(*) FROM planned_sms WHERE officer_id = @id", new { id = control.Id.ToString() }))[0]);
        Assert.True((await App.QueryAsync<long>("scheduler", "SELECT COUNT(*) FROM cohort_members"))[0] > 0, "the plan placed nobody at all");
    }

    [Fact]
    public async Task The_audit_reports_an_sms_at_the_provider_to_a_control_officer_now_in_a_treatment_sector_as_control_arm_sms()
    {
        var phone = NewPhone();
        var control = await App.EnrollAsync(Control, phone);
        var badge = (await App.QueryAsync<string>("enrollment", "SELECT badge FROM officers WHERE id = @id", new { id = control.Id.ToString() })).Single();
        await ImportAsync(badge, phone, Treatment);
        await WaitForMessagingSectorAsync(control.Id, Treatment);
        var sid = await ConsistencyAuditTests.CreateAtProviderAsync(App, control.Phone, $"Fuera del sistema {Guid.NewGuid():N}");

        using var http = App.ManagerHttp();
        using var response = await http.PostAsync("/api/messaging/audit", null);
        var report = JsonSerializer.Deserialize<AuditReport>(await response.Content.ReadAsStringAsync(), JsonSerializerOptions.Web)!;

        var toControl = Assert.Single(report.Differences, d => d.Kind == DifferenceKinds.ControlArmSms && d.ProviderSid == sid);
        Assert.Equal(control.Id, toControl.OfficerId);
    }

    [Fact]
    public async Task An_officer_enrolled_after_randomization_takes_the_arm_of_the_sector_joined_and_is_flagged_in_the_dose()
    {
        var late = await App.EnrollAsync(Treatment, NewPhone());
        var early = (await App.QueryAsync<string>("enrollment", "SELECT id FROM officers WHERE badge = 'P-1001'")).Single();

        var sms = await App.SettledAsync(await App.SendSmsAsync(late.Id, SmsPurposes.Manual, $"Bienvenido {Guid.NewGuid():N}"));
        var dose = await DosageAsync(App, late.Id);
        var earlyDose = await DosageAsync(App, Guid.Parse(early));

        Assert.Equal("accepted", sms.State);
        Assert.Equal(StudyArms.Treatment, dose.GetProperty("arm").GetString());
        Assert.True(dose.GetProperty("enrolledAfterRandomization").GetBoolean());
        Assert.False(earlyDose.GetProperty("enrolledAfterRandomization").GetBoolean());
    }

    [Fact]
    public async Task An_officer_whose_roster_says_consent_no_is_refused_every_sms_as_no_consent_and_the_dose_shows_it()
    {
        var phone = NewPhone();
        var officer = await App.EnrollAsync(Treatment, phone);
        var badge = (await App.QueryAsync<string>("enrollment", "SELECT badge FROM officers WHERE id = @id", new { id = officer.Id.ToString() })).Single();
        var consenting = await App.SettledAsync(await App.SendSmsAsync(officer.Id, SmsPurposes.Manual, $"Antes {Guid.NewGuid():N}"));

        await ImportAsync(badge, phone, Treatment, consent: "no");
        await SmsSteps.WaitForAsync(async () => (await DosageAsync(App, officer.Id)).GetProperty("consent").GetBoolean(), c => !c,
            "the ledger never learned the consent change");
        var sent = await SendEveryPurposeAsync(officer.Id);

        Assert.Equal("accepted", consenting.State);
        Assert.All(sent, s => Assert.Equal(("refused", SmsSkipReasons.NoConsent), (s.State, s.RefusalReason)));
        Assert.Single(AtProvider(officer.Phone));
    }

    [Fact]
    public async Task An_officer_enrolled_with_consent_no_never_gets_an_sms()
    {
        var phone = NewPhone();
        var badge = "NC-" + phone[^4..];
        await ImportAsync(badge, phone, Treatment, consent: "no");
        var officerId = await OfficerIdAsync(badge);
        await SmsSteps.WaitForAsync(() => App.QueryAsync<long>("messaging", "SELECT COUNT(*) FROM contacts WHERE officer_id = @id", new { id = officerId.ToString() }),
            n => n[0] == 1, "Messaging never learned the phone");

        var sent = await SendEveryPurposeAsync(officerId);

        Assert.All(sent, s => Assert.Equal(("refused", SmsSkipReasons.NoConsent), (s.State, s.RefusalReason)));
        Assert.Empty(AtProvider(phone));
        Assert.False((await DosageAsync(App, officerId)).GetProperty("consent").GetBoolean());
    }
}

/// <summary>One host by day with the skeleton flow's sectors, roster and arms.</summary>
public sealed class StudyIntegrityFixture : IAsyncLifetime
{
    public StudyHost Host { get; } = new();

    public Task InitializeAsync() =>
        Host.StartAsync(StudyClockOptions.InsideSendingHours(ProtocolLoader.LoadDefault(), DateTimeOffset.UtcNow, TimeSpan.FromHours(2)));

    public Task DisposeAsync() => Host.DisposeAsync().AsTask();
}

/// <summary>
/// The officer replica is one writer with one ordering policy (Platform's OfficerReplica) in Scheduler, Messaging and
/// Attendance: events out of order and replayed leave the same state in all three.
/// </summary>
public sealed class OfficerReplicaTests(StudyIntegrityFixture fixture) : IClassFixture<StudyIntegrityFixture>
{
    WebApplication App => fixture.Host.App;
    static readonly string[] Services = ["scheduler", "messaging", "attendance"];

    async Task<Guid> SectorIdAsync(string arm) => Guid.Parse((await App.QueryAsync<string>("enrollment", "SELECT id FROM sectors WHERE code = @code",
        new { code = fixture.Host.SectorOf(arm) })).Single());

    [Fact]
    public async Task A_transfer_before_the_enrollment_an_older_status_after_a_newer_and_a_replay_leave_the_same_replica_in_every_service()
    {
        var bus = App.Services.GetRequiredService<IBus>();
        var (officer, from, to) = (Guid.NewGuid(), await SectorIdAsync(StudyArms.Treatment), await SectorIdAsync(StudyArms.Control));
        var t0 = App.StudyNow().AddMinutes(-30);
        var optedOut = new OfficerStatusChanged(officer, OfficerStatuses.SmsOptedOut, OfficerStatuses.Active, "keyword", t0.AddMinutes(20));
        var optedOutId = Guid.NewGuid();

        await bus.Publish(new OfficerTransferred(officer, from, to, CrossArm: true, DateOnly.FromDateTime(t0.UtcDateTime), t0.AddMinutes(10)));
        await bus.Publish(optedOut, c => c.MessageId = optedOutId);
        await bus.Publish(new OfficerStatusChanged(officer, OfficerStatuses.Withdrawn, OfficerStatuses.Active, "manager", t0.AddMinutes(5)));
        await bus.Publish(new OfficerEnrolled(officer, from, "officer", t0));
        await bus.Publish(optedOut, c => c.MessageId = optedOutId);

        foreach (var service in Services)
        {
            var state = await SmsSteps.WaitForAsync(() => App.QueryAsync<(string Sector, string Status, long History, long Transfers)>(service, """
                SELECT o.sector_id, st.status,
                       (SELECT COUNT(*) FROM officer_status_history h WHERE h.officer_id = o.officer_id),
                       (SELECT COUNT(*) FROM officer_transfers x WHERE x.officer_id = o.officer_id)
                FROM officers o JOIN officer_statuses st ON st.officer_id = o.officer_id WHERE o.officer_id = @id
                """, new { id = officer.ToString() }), rows => rows.Count == 1 && rows[0].Transfers == 1 && rows[0].History == 2,
                $"{service}'s replica of officer {officer}", seconds: 30);
            Assert.Equal((to.ToString(), OfficerStatuses.SmsOptedOut, 2L, 1L),
                (state[0].Sector.ToLowerInvariant(), state[0].Status, state[0].History, state[0].Transfers));
        }
        await Task.Delay(500);
        foreach (var service in Services)
            Assert.Equal(2, (await App.QueryAsync<long>(service, "SELECT COUNT(*) FROM officer_status_history WHERE officer_id = @id", new { id = officer.ToString() }))[0]);
    }
}
