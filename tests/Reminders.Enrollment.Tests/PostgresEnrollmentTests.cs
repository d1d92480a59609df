using System.Net;
using System.Net.Http.Json;
using Reminders.Contracts;
using Reminders.Enrollment.Officers;
using Reminders.Enrollment.Summary;
using Reminders.Enrollment.Tests.Infrastructure;

namespace Reminders.Enrollment.Tests;

/// <summary>Sectors, rosters and statuses on PostgreSQL (the distributed mode): its own database, schema "enrollment". Randomization: RandomizationPostgresTests.</summary>
public sealed class PostgresEnrollmentTests : IAsyncLifetime
{
    EnrollmentApp app = null!;

    public async Task InitializeAsync() => app = await EnrollmentApp.StartWithSectorsAsync(postgres: true);
    public async Task DisposeAsync() => await app.DisposeAsync();

    [Fact]
    public async Task Import_update_transfer_full_roster_and_status_behave_as_on_sqlite()
    {
        Assert.Equal(3, (await app.ImportAsync(Rosters.Good)).Imported);
        Assert.Equal(3, (await app.ImportAsync(Rosters.Good)).Unchanged);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await app.PostRosterAsync(Rosters.Csv("B-004,Luis,officer,S01,55 1234,yes"))).StatusCode);
        Assert.Equal(["B-001", "B-002", "B-003"], (await app.OfficersAsync()).Select(o => o.Badge));
        await Eventually.UntilAsync(app, () => app.Bus.Published<OfficerEnrolled>().Count == 3, "three OfficerEnrolled are published");

        var arms = await app.RandomizeAllAsync();
        var otherArm = arms.First(a => a.Value != arms["S01"]).Key;
        var moved = Rosters.Csv("B-001,Ana López,officer," + otherArm + ",55 1234 5678,yes", "B-003,María García,commander,S02,55 3456 7890,no");
        var report = await app.ImportAsync(moved, mode: "apply-valid", query: "fullRoster=true&confirmInactive=true&transferDate=2025-04-01");

        Assert.Equal((1, 1, 1), (report.Transferred, report.CrossArmTransfers, report.Inactivated));
        var ana = await app.OfficerAsync("B-001");
        Assert.Equal((otherArm, arms["S01"], true), (ana.SectorCode, ana.RandomizedArm, ana.CrossArmTransfer));
        var detail = await app.OfficerDetailAsync(ana.Id);
        Assert.Equal(("2025-04-01", true), (detail.Transfers.Single().TransferredOn, detail.Transfers.Single().CrossArm));
        Assert.Equal("inactive", (await app.OfficerAsync("B-002")).Status);

        Assert.Equal(HttpStatusCode.OK, (await app.ChangeStatusAsync(ana.Id, "sms_opted_out", "por teléfono")).StatusCode);
        var list = await app.Client().GetAsync("/api/enrollment/officers?search=ANA&status=sms_opted_out&role=officer&sector=" + otherArm + "&page=1&pageSize=10");
        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
        Assert.Equal("1", list.Headers.GetValues("X-Total-Count").Single());
        Assert.Equal([("inactive", "import"), ("sms_opted_out", "manager")],
            (await app.OfficerDetailAsync((await app.OfficerAsync("B-002")).Id)).StatusHistory.Select(h => (h.Status, h.Source))
                .Concat((await app.OfficerDetailAsync(ana.Id)).StatusHistory.Select(h => (h.Status, h.Source))));
        // Juan, inactive, is still counted in his sector.
        Assert.Equal((1L, 0L), (await app.SectorsAsync()).Where(s => s.Code == "S01").Select(s => (s.Officers, s.Commanders)).Single());
    }

    [Fact]
    public async Task Sectors_reload_and_freeze_as_on_sqlite()
    {
        var reload = await app.LoadSectorsAsync("code,name,zone\nS01,Sector Uno Norte,A\nS05,Sector Cinco,B\n");
        Assert.Equal((1, 1), (reload.Created, reload.Updated));
        await app.RandomizeAllAsync();

        var frozen = await app.LoadSectorsAsync("code,name,zone\nS01,Sector Uno,B\nS06,Sector Seis,A\n", expected: HttpStatusCode.UnprocessableEntity);

        Assert.Equal([(2, "strata"), (3, "code")], frozen.Rejected.Select(e => (e.Line, e.Column)));
        Assert.Equal(5, (await app.SectorsAsync()).Count);
    }

    [Fact]
    public async Task Names_by_id_and_badge_the_consent_filter_and_the_summary_behave_as_on_sqlite()
    {
        await app.ImportAsync(Rosters.Good);
        var arms = await app.RandomizeAllAsync();
        var ana = await app.OfficerAsync("B-001");
        var unknown = Guid.NewGuid();

        var lookup = await app.Client(EnrollmentApp.TrainerKey).PostAsJsonAsync("/api/enrollment/officers/lookup", new { officerIds = new[] { unknown, ana.Id } });
        var result = (await lookup.Content.ReadFromJsonAsync<OfficersApi.OfficerLookupResult>())!;
        var walkIn = (await app.Client(EnrollmentApp.TrainerKey).GetFromJsonAsync<OfficersApi.OfficerCard>("/api/enrollment/officers/by-badge/b-003"))!;
        var consentNo = await app.Client().GetAsync("/api/enrollment/officers?consent=no");
        var summary = (await app.Client(EnrollmentApp.ResearcherKey).GetFromJsonAsync<EnrollmentSummaryApi.EnrollmentSummary>("/api/enrollment/summary"))!;

        Assert.Equal((unknown, "Ana López", arms["S01"]), (result.UnknownIds.Single(), result.Officers.Single().Name, result.Officers.Single().RandomizedArm));
        Assert.Equal(("B-003", true, arms["S02"] == "control" ? "arm_mismatch" : "no_consent"), (walkIn.Badge, walkIn.NoSms, walkIn.NoSmsReason));
        Assert.Equal("1", consentNo.Headers.GetValues("X-Total-Count").Single());
        Assert.Equal((4, 3L, 1L), (summary.Sectors, summary.OfficersTotal, summary.ConsentNo));
        Assert.Equal(4L, summary.SectorsByArm.Values.Sum());
        Assert.NotNull(summary.Randomization);
    }
}
