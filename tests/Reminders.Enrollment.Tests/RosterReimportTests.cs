using System.Net;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Reminders.Contracts;
using Reminders.Enrollment.Tests.Infrastructure;

namespace Reminders.Enrollment.Tests;

/// <summary>Re-importing an updated roster is an update: new phones, transfers, role changes, and a full roster's missing officers.</summary>
public sealed class RosterReimportTests : IAsyncLifetime
{
    EnrollmentApp app = null!;

    public async Task InitializeAsync()
    {
        app = await EnrollmentApp.StartWithSectorsAsync();
        await app.ImportAsync(Rosters.Good);
    }

    public async Task DisposeAsync() => await app.DisposeAsync();

    static DateOnly TodayInMexicoCity() =>
        DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, TimeZoneInfo.FindSystemTimeZoneById("America/Mexico_City")).DateTime);

    /// <summary>The good roster with B-001 (Ana, S01) in another sector.</summary>
    static string AnaIn(string sector) => Rosters.Good.Replace("B-001,Ana López,officer,S01", $"B-001,Ana López,officer,{sector}");

    [Fact]
    public async Task A_changed_phone_updates_the_officer_and_sends_the_new_number_only_to_messaging()
    {
        var report = await app.ImportAsync(Rosters.Good.Replace("55 2345 6789", "55 8765 4321"));

        Assert.Equal((0, 1, 2, 0), (report.Imported, report.Updated, report.Unchanged, report.Transferred));
        var juan = await app.OfficerAsync("B-002");
        Assert.Equal("+52******4321", juan.PhoneMasked);
        await Eventually.UntilAsync(app, () => app.Bus.Sent<UpdateOfficerContact>().Any(s => ((UpdateOfficerContact)s.Message).PhoneE164 == "+525587654321"),
            "the new number is sent to Messaging");
        var update = app.Bus.Sent<UpdateOfficerContact>().Single(s => ((UpdateOfficerContact)s.Message).PhoneE164 == "+525587654321");
        Assert.Equal(juan.Id, ((UpdateOfficerContact)update.Message).OfficerId);
        Assert.EndsWith($"/{QueueNames.UpdateOfficerContact}", update.Destination!.AbsolutePath);
        Assert.Equal(4, app.Bus.Sent<UpdateOfficerContact>().Count);
        Assert.Empty(app.Bus.Published<OfficerChanged>());
        Assert.Empty(app.Bus.Published<OfficerTransferred>());
    }

    [Fact]
    public async Task A_dry_run_of_changes_reports_them_and_writes_nothing()
    {
        var report = await app.ImportAsync(AnaIn("S02").Replace("55 2345 6789", "55 8765 4321"), mode: "dry-run");

        Assert.Equal((2, 1, 1, false), (report.Updated, report.Unchanged, report.Transferred, report.Written));
        Assert.Equal(("S01", "+52******6789"), ((await app.OfficerAsync("B-001")).SectorCode, (await app.OfficerAsync("B-002")).PhoneMasked));
        Assert.Equal(0, await app.CountAsync("SELECT COUNT(*) FROM officer_transfers"));
    }

    [Fact]
    public async Task A_changed_sector_is_a_transfer_dated_today_in_mexico_city_by_default()
    {
        var report = await app.ImportAsync(AnaIn("S02"));

        Assert.Equal((1, 1, 0), (report.Updated, report.Transferred, report.CrossArmTransfers));
        var ana = await app.OfficerAsync("B-001");
        Assert.Equal(("S02", null, false), (ana.SectorCode, ana.RandomizedArm, ana.CrossArmTransfer));
        var transfer = Assert.Single((await app.OfficerDetailAsync(ana.Id)).Transfers);
        Assert.Equal(("S01", "S02", null, null, false, TodayInMexicoCity().ToString("yyyy-MM-dd"), "ana-manager"),
            (transfer.FromSector, transfer.ToSector, transfer.FromArm, transfer.ToArm, transfer.CrossArm, transfer.TransferredOn, transfer.RecordedBy));
        await Eventually.UntilAsync(app, () => app.Bus.Published<OfficerTransferred>().Count == 1, "OfficerTransferred is published");
        var sectors = (await app.SectorsAsync()).ToDictionary(s => s.Code, s => s.Id);
        var published = app.Bus.Published<OfficerTransferred>().Single();
        Assert.Equal((ana.Id, sectors["S01"], sectors["S02"], false, TodayInMexicoCity()),
            (published.OfficerId, published.FromSectorId, published.ToSectorId, published.CrossArm, published.TransferredOn));
        Assert.Equal([("S01", 1L), ("S02", 1L)], (await app.SectorsAsync()).Take(2).Select(s => (s.Code, s.Officers)));
    }

    [Fact]
    public async Task The_transfer_date_may_be_given()
    {
        await app.ImportAsync(AnaIn("S03"), query: "transferDate=2025-01-31");

        var ana = await app.OfficerAsync("B-001");
        Assert.Equal("2025-01-31", Assert.Single((await app.OfficerDetailAsync(ana.Id)).Transfers).TransferredOn);
        await Eventually.UntilAsync(app, () => app.Bus.Published<OfficerTransferred>().Count == 1, "OfficerTransferred is published");
        Assert.Equal(new DateOnly(2025, 1, 31), app.Bus.Published<OfficerTransferred>().Single().TransferredOn);
    }

    [Fact]
    public async Task After_randomization_a_transfer_across_arms_is_flagged_and_the_officer_keeps_the_arm_of_randomization()
    {
        var arms = await app.RandomizeAllAsync();
        var otherArm = arms.First(a => a.Value != arms["S01"]).Key;
        var sameArm = arms.First(a => a.Key != "S01" && a.Value == arms["S01"]).Key;
        // Juan moves within his arm, Ana across.
        var csv = AnaIn(otherArm).Replace("B-002,Juan Pérez,officer,S01", $"B-002,Juan Pérez,officer,{sameArm}");

        var report = await app.ImportAsync(csv, query: "transferDate=2025-06-01");

        Assert.Equal((2, 1), (report.Transferred, report.CrossArmTransfers));
        var ana = await app.OfficerAsync("B-001");
        var juan = await app.OfficerAsync("B-002");
        Assert.Equal((otherArm, arms["S01"], true), (ana.SectorCode, ana.RandomizedArm, ana.CrossArmTransfer));
        Assert.Equal((sameArm, arms["S01"], false), (juan.SectorCode, juan.RandomizedArm, juan.CrossArmTransfer));
        var transfer = Assert.Single((await app.OfficerDetailAsync(ana.Id)).Transfers);
        Assert.Equal(("S01", otherArm, arms["S01"], arms[otherArm], true, "2025-06-01"),
            (transfer.FromSector, transfer.ToSector, transfer.FromArm, transfer.ToArm, transfer.CrossArm, transfer.TransferredOn));
        await Eventually.UntilAsync(app, () => app.Bus.Published<OfficerTransferred>().Count == 2, "two OfficerTransferred are published");
        Assert.Equal([(ana.Id, true), (juan.Id, false)],
            app.Bus.Published<OfficerTransferred>().Select(t => (t.OfficerId, t.CrossArm)).OrderBy(t => t.CrossArm ? 0 : 1));

        // Back again: still the arm of randomization, still flagged.
        await app.ImportAsync(Rosters.Good);
        ana = await app.OfficerAsync("B-001");
        Assert.Equal(("S01", arms["S01"], true), (ana.SectorCode, ana.RandomizedArm, ana.CrossArmTransfer));
        Assert.Equal(2, (await app.OfficerDetailAsync(ana.Id)).Transfers.Count);
    }

    [Fact]
    public async Task Officers_enrolled_after_randomization_take_their_sectors_arm()
    {
        var arms = await app.RandomizeAllAsync(seed: 7);

        await app.ImportAsync(Rosters.Csv("B-010,Nuevo,officer,S03,55 1010 1010,yes", "B-011,Nueva,commander,S04,55 1111 1111,yes"));

        Assert.Equal(arms["S03"], (await app.OfficerAsync("B-010")).RandomizedArm);
        Assert.Equal(arms["S04"], (await app.OfficerAsync("B-011")).RandomizedArm);
    }

    [Fact]
    public async Task A_role_change_is_announced_without_the_name()
    {
        var report = await app.ImportAsync(Rosters.Good.Replace("B-002,Juan Pérez,officer", "B-002,Juan Pérez,mando medio"));

        Assert.Equal((1, 2), (report.Updated, report.Unchanged));
        var juan = await app.OfficerAsync("B-002");
        Assert.Equal("commander", juan.Role);
        await Eventually.UntilAsync(app, () => app.Bus.Published<OfficerChanged>().Count == 1, "OfficerChanged is published");
        Assert.Equal((juan.Id, "commander"), (app.Bus.Published<OfficerChanged>().Single().OfficerId, app.Bus.Published<OfficerChanged>().Single().Role));
        Assert.Equal([("S01", 1L, 1L)], (await app.SectorsAsync()).Take(1).Select(s => (s.Code, s.Officers, s.Commanders)));
    }

    [Fact]
    public async Task A_changed_name_or_consent_is_an_update_without_events()
    {
        var report = await app.ImportAsync(Rosters.Good.Replace("Juan Pérez,officer,S01,55 2345 6789,yes", "Juan Pérez Soto,officer,S01,55 2345 6789,no"));

        Assert.Equal((1, 2), (report.Updated, report.Unchanged));
        Assert.Equal(("Juan Pérez Soto", false), ((await app.OfficerAsync("B-002")).Name, (await app.OfficerAsync("B-002")).Consent));
    }

    [Fact]
    public async Task A_consent_change_on_reimport_is_dated_with_the_import_and_announced_with_that_date_once()
    {
        var saysNo = Rosters.Good.Replace("Juan Pérez,officer,S01,55 2345 6789,yes", "Juan Pérez,officer,S01,55 2345 6789,no");
        Assert.Null((await app.OfficerAsync("B-002")).ConsentChangedAt);

        var before = DateTimeOffset.UtcNow;
        await app.ImportAsync(saysNo);
        var after = DateTimeOffset.UtcNow;

        var juan = await app.OfficerAsync("B-002");
        Assert.False(juan.Consent);
        Assert.InRange(juan.ConsentChangedAt!.Value, before, after);
        List<OfficerConsentChanged> Announced() => app.Bus.Published<OfficerConsentChanged>().Where(c => c.OfficerId == juan.Id).ToList();
        await Eventually.UntilAsync(app, () => Announced().Count == 1, "the consent change is announced");
        // The services apply it from that instant: the date recorded is the date announced.
        Assert.Equal((false, juan.ConsentChangedAt.Value), Announced().Select(c => (c.Consent, c.ChangedAt)).Single());

        // The same roster again changes nothing and keeps the date; consent given again is a new change with its own date.
        await app.ImportAsync(saysNo);
        Assert.Equal(juan.ConsentChangedAt, (await app.OfficerAsync("B-002")).ConsentChangedAt);
        await app.ImportAsync(Rosters.Good);
        var again = await app.OfficerAsync("B-002");
        Assert.True(again.Consent);
        Assert.True(again.ConsentChangedAt > juan.ConsentChangedAt);
        await Eventually.UntilAsync(app, () => Announced().Count == 2, "consent given again is announced");
        Assert.Equal((true, again.ConsentChangedAt!.Value), Announced().Select(c => (c.Consent, c.ChangedAt)).Last());
    }

    [Fact]
    public async Task A_full_roster_shows_who_would_become_inactive_and_only_a_confirmation_makes_them_inactive()
    {
        var withoutJuan = Rosters.Csv("B-001,Ana López,officer,S01,55 1234 5678,yes", "B-003,María García,commander,S02,55 3456 7890,no");
        var juan = await app.OfficerAsync("B-002");

        var shown = await app.ImportAsync(withoutJuan, query: "fullRoster=true");
        var dryRun = await app.ImportAsync(withoutJuan, mode: "dry-run", query: "fullRoster=true&confirmInactive=true");
        var partial = await app.ImportAsync(withoutJuan);

        Assert.Equal([(juan.Id, "B-002", "S01")], shown.WouldBecomeInactive.Select(c => (c.OfficerId, c.Badge, c.SectorCode)));
        Assert.Equal((0, true), (shown.Inactivated, shown.Written));
        Assert.Equal([(juan.Id, 0)], dryRun.WouldBecomeInactive.Select(c => (c.OfficerId, dryRun.Inactivated)));
        Assert.Empty(partial.WouldBecomeInactive);
        Assert.Equal("active", (await app.OfficerAsync("B-002")).Status);
        Assert.Equal(0, await app.CountAsync("SELECT COUNT(*) FROM officer_status_history"));

        var confirmed = await app.ImportAsync(withoutJuan, query: "fullRoster=true&confirmInactive=true");

        Assert.Equal(1, confirmed.Inactivated);
        Assert.Equal("inactive", (await app.OfficerAsync("B-002")).Status);
        var history = Assert.Single((await app.OfficerDetailAsync(juan.Id)).StatusHistory);
        Assert.Equal(("inactive", "active", "import", "ana-manager", "missing from a full roster"),
            (history.Status, history.PreviousStatus, history.Source, history.ChangedBy, history.Reason));
        await Eventually.UntilAsync(app, () => app.Bus.Published<OfficerStatusChanged>().Count == 1, "OfficerStatusChanged is published");
        var published = app.Bus.Published<OfficerStatusChanged>().Single();
        Assert.Equal((juan.Id, "inactive", "active", "import"), (published.OfficerId, published.Status, published.PreviousStatus, published.Source));
        // Not deleted: still listed, and a second full roster does not list them again.
        Assert.Equal(3, (await app.OfficersAsync()).Count);
        Assert.Empty((await app.ImportAsync(withoutJuan, query: "fullRoster=true")).WouldBecomeInactive);
    }

    [Fact]
    public async Task An_officer_whose_row_is_rejected_is_not_taken_for_missing_from_a_full_roster()
    {
        var csv = "numero_empleado,nombre,rol,sector,celular,consentimiento\n" +
                  "B-001,Ana López,officer,S01,55 1234 5678,yes\n" +
                  "B-002,Juan Pérez,officer,S01,55 2345 6789,quizá\n" +
                  "B-003,María García,commander,S99,55 3456 7890,no\n";

        var report = await app.ImportAsync(csv, mode: "apply-valid", query: "fullRoster=true&confirmInactive=true");

        Assert.Equal(2, report.Rejected.Count);
        Assert.Empty(report.WouldBecomeInactive);
        Assert.All(await app.OfficersAsync(), o => Assert.Equal("active", o.Status));
    }

    [Fact]
    public async Task The_badge_of_a_rejected_row_is_found_under_any_badge_header()
    {
        // The badge column is not the first one and is spelled "No. Empleado": Juan's rejected row still counts as present.
        var csv = "nombre,rol,sector,No. Empleado,celular,consentimiento\n" +
                  "Ana López,officer,S01,B-001,55 1234 5678,yes\n" +
                  "Juan Pérez,officer,S01,B-002,55 2345 6789,quizá\n" +
                  "María García,commander,S02,B-003,55 3456 7890,no\n";

        var report = await app.ImportAsync(csv, mode: "apply-valid", query: "fullRoster=true&confirmInactive=true");

        Assert.Single(report.Rejected);
        Assert.Empty(report.WouldBecomeInactive);
        Assert.Equal("active", (await app.OfficerAsync("B-002")).Status);
    }

    [Theory]
    [InlineData("")]
    [InlineData("badge,name,role,sector,consent\nB-001,Ana López,officer,S01,yes\n")]
    [InlineData("\u0000\u0001\u0002garbage")]
    public async Task An_unreadable_full_roster_never_makes_anyone_inactive(string csv)
    {
        var report = await app.ImportAsync(csv, mode: "apply-valid", query: "fullRoster=true&confirmInactive=true");

        Assert.NotEmpty(report.Rejected);
        Assert.Empty(report.WouldBecomeInactive);
        Assert.Equal(0, report.Inactivated);
        Assert.All(await app.OfficersAsync(), o => Assert.Equal("active", o.Status));
    }

    [Fact]
    public async Task An_inactive_officer_back_on_the_roster_is_reactivated()
    {
        var withoutJuan = Rosters.Csv("B-001,Ana López,officer,S01,55 1234 5678,yes", "B-003,María García,commander,S02,55 3456 7890,no");
        await app.ImportAsync(withoutJuan, query: "fullRoster=true&confirmInactive=true");

        var dryRun = await app.ImportAsync(Rosters.Good, mode: "dry-run");
        var report = await app.ImportAsync(Rosters.Good);

        Assert.Equal((1, 1, 2), (dryRun.Reactivated, report.Reactivated, report.Unchanged));
        var juan = await app.OfficerAsync("B-002");
        Assert.Equal("active", juan.Status);
        Assert.Equal([("inactive", "active", "missing from a full roster"), ("active", "inactive", "back on the roster")],
            (await app.OfficerDetailAsync(juan.Id)).StatusHistory.Select(h => (h.Status, h.PreviousStatus ?? "", h.Reason ?? "")));
        await Eventually.UntilAsync(app, () => app.Bus.Published<OfficerStatusChanged>().Count == 2, "two OfficerStatusChanged are published");
        Assert.Equal(["inactive", "active"], app.Bus.Published<OfficerStatusChanged>().Select(s => s.Status));
    }

    /// <summary>Juan's number refused by the provider (21211, invalid): his status becomes wrong_number.</summary>
    async Task<Guid> JuansNumberRefusedAsync()
    {
        var juan = await app.OfficerAsync("B-002");
        await app.Services.GetRequiredService<IBus>().Publish(new SmsNumberRejected(juan.Id, Guid.NewGuid(), 21211, DateTimeOffset.UtcNow));
        await RandomizationTestData.UntilCountAsync(app, "SELECT COUNT(*) FROM officers WHERE status = 'wrong_number'", 1, "the refused number makes Juan wrong_number");
        return juan.Id;
    }

    [Fact]
    public async Task A_roster_that_corrects_a_wrong_number_makes_the_officer_active_again_and_sends_the_new_phone()
    {
        var juan = await JuansNumberRefusedAsync();

        var dryRun = await app.ImportAsync(Rosters.Good.Replace("55 2345 6789", "55 8765 4321"), mode: "dry-run");
        Assert.Equal(("wrong_number", 1), ((await app.OfficerAsync("B-002")).Status, dryRun.PhonesCorrected));  // shown, not written
        var report = await app.ImportAsync(Rosters.Good.Replace("55 2345 6789", "55 8765 4321"));

        Assert.Equal((1, 2, 1, 0), (report.Updated, report.Unchanged, report.PhonesCorrected, report.Reactivated));
        Assert.Equal(("active", "+52******4321"), ((await app.OfficerAsync("B-002")).Status, (await app.OfficerAsync("B-002")).PhoneMasked));
        var history = (await app.OfficerDetailAsync(juan)).StatusHistory;
        Assert.Equal([("wrong_number", "active", "provider"), ("active", "wrong_number", "import")], history.Select(h => (h.Status, h.PreviousStatus ?? "", h.Source)));
        Assert.Equal(("ana-manager", "phone number corrected"), (history[1].ChangedBy, history[1].Reason));
        await Eventually.UntilAsync(app, () => app.Bus.Published<OfficerStatusChanged>().Count == 2, "two OfficerStatusChanged are published");
        Assert.Equal((juan, "active", "wrong_number", "import"),
            app.Bus.Published<OfficerStatusChanged>().Select(s => (s.OfficerId, s.Status, s.PreviousStatus, s.Source)).Last());
        await Eventually.UntilAsync(app, () => app.Bus.Sent<UpdateOfficerContact>().Any(s => ((UpdateOfficerContact)s.Message).PhoneE164 == "+525587654321"),
            "the corrected number is sent to Messaging");
    }

    [Fact]
    public async Task A_roster_with_the_same_wrong_number_again_leaves_the_officer_wrong_number()
    {
        var juan = await JuansNumberRefusedAsync();

        var report = await app.ImportAsync(Rosters.Good.Replace("Juan Pérez", "Juan Pérez Soto"));

        Assert.Equal((1, 0), (report.Updated, report.PhonesCorrected));
        Assert.Equal("wrong_number", (await app.OfficerAsync("B-002")).Status);
        Assert.Single((await app.OfficerDetailAsync(juan)).StatusHistory);
    }

    [Fact]
    public async Task A_new_phone_for_an_officer_who_opted_out_does_not_opt_them_back_in()
    {
        var juan = await app.OfficerAsync("B-002");
        await app.ChangeStatusAsync(juan.Id, "sms_opted_out", "BAJA por teléfono");

        var report = await app.ImportAsync(Rosters.Good.Replace("55 2345 6789", "55 8765 4321"));

        Assert.Equal((1, 0), (report.Updated, report.PhonesCorrected));
        Assert.Equal(("sms_opted_out", "+52******4321"), ((await app.OfficerAsync("B-002")).Status, (await app.OfficerAsync("B-002")).PhoneMasked));
    }

    [Theory]
    [InlineData("sms_opted_out")]
    [InlineData("withdrawn")]
    [InlineData("wrong_number")]
    public async Task An_import_never_undoes_an_opt_out_a_withdrawal_or_a_wrong_number(string status)
    {
        var juan = await app.OfficerAsync("B-002");
        Assert.Equal(HttpStatusCode.OK, (await app.ChangeStatusAsync(juan.Id, status, "por teléfono")).StatusCode);

        var report = await app.ImportAsync(Rosters.Good.Replace("Juan Pérez", "Juan Pérez Soto"), query: "fullRoster=true&confirmInactive=true");

        Assert.Equal((0, 0, 1), (report.Reactivated, report.Inactivated, report.Updated));
        Assert.Empty(report.WouldBecomeInactive);
        Assert.Equal((status, "Juan Pérez Soto"), ((await app.OfficerAsync("B-002")).Status, (await app.OfficerAsync("B-002")).Name));
        Assert.Single((await app.OfficerDetailAsync(juan.Id)).StatusHistory);
    }
}
