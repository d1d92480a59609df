using System.Net;
using System.Net.Http.Json;
using Reminders.Contracts;
using Reminders.Scheduler.Dispatch;
using Reminders.Scheduler.Tests.Infrastructure;
using static Reminders.Scheduler.Tests.Infrastructure.SchedulerHost;

namespace Reminders.Scheduler.Tests;

/// <summary>
/// What POST /api/scheduler/plans leaves for the dispatcher: one invitation per officer, due as soon as sending hours allow,
/// and a day-before reminder at 18:00 local the calendar day before the first session, when there is still time for one.
/// Sector N-01 (treatment, 3 officers), one venue and one trainer: the cohort trains Mon 9 – Wed 11 November 2026 at 09:00.
/// </summary>
public sealed class PlanningLogisticsSmsTests : IAsyncLifetime
{
    SchedulerHost? host;

    async Task<(SchedulerHost Host, SeededSector Sector)> StartAsync(DateTimeOffset now)
    {
        host = Sqlite(now);
        var sector = await host.SeedSectorAsync("N-01", StudyArms.Treatment, officers: 3);
        await host.AddVenueAsync("Sede Norte", 30);
        await host.AddTrainerAsync("Instructora Paz");
        return (host, sector);
    }

    [Fact]
    public async Task Planning_records_one_invitation_per_officer_due_now_and_a_day_before_due_at_18_00_local_the_day_before_the_first_session()
    {
        var (host, sector) = await StartAsync(MondayMorning);

        var plan = await host.PlanAsync("2026-11-09", "2026-11-20");

        var cohort = Assert.Single(plan.Plan);
        Assert.Equal(["2026-11-09", "2026-11-10", "2026-11-11"], cohort.Sessions.Select(s => s.Date));
        Assert.Equal((3, 3), (plan.Invitations, plan.DayBeforeReminders));
        var rows = await host.PlannedSmsAsync(cohort.CohortId);
        var invitations = rows.Where(r => r.Kind == PlannedSmsKinds.Invitation).ToList();
        var dayBefore = rows.Where(r => r.Kind == PlannedSmsKinds.DayBefore).ToList();
        Assert.Equal(6, rows.Count);
        Assert.Equal(sector.Officers.Order(), invitations.Select(r => r.OfficerId).Order());
        Assert.Equal(sector.Officers.Order(), dayBefore.Select(r => r.OfficerId).Order());
        Assert.All(rows, r => Assert.Equal((PlannedSmsStatuses.Planned, SmsPurposes.Logistics, cohort.Sessions[0].SessionId, ManagerName),
            (r.Status, r.Purpose, r.SessionId, r.PlannedBy)));
        Assert.All(invitations, r =>
        {
            Assert.Equal(MondayMorning, r.DueAt);
            Assert.Null(r.WindowEndsAt);
            Assert.Equal("Curso de Justicia Procedimental: inicia el lunes 9 de noviembre a las 09:00 h en Sede Norte. Confirme con OK. Atte. SSC-CDMX", r.Body);
        });
        Assert.All(dayBefore, r =>
        {
            Assert.Equal(Local(2026, 11, 8, 18, 0), r.DueAt);
            Assert.Equal(Local(2026, 11, 9, 9, 0), r.WindowEndsAt);
            Assert.Contains("mañana lunes 9 de noviembre", r.Body);
        });
    }

    [Fact]
    public async Task Invitations_go_out_at_once_and_the_day_before_reminders_at_18_00_the_day_before()
    {
        var (host, sector) = await StartAsync(MondayMorning);
        await host.PlanAsync("2026-11-09", "2026-11-20");

        Assert.Equal(new DispatchRound(3, 0), await host.DispatchAsync());
        Assert.Equal(sector.Officers.Order(), (await host.SentSmsAsync()).Select(s => s.Command.OfficerId).Order());

        host.Clock.SetUtcNow(Local(2026, 11, 8, 17, 59));
        Assert.Equal(new DispatchRound(0, 0), await host.DispatchAsync());
        host.Clock.SetUtcNow(Local(2026, 11, 8, 18, 0));
        Assert.Equal(new DispatchRound(3, 0), await host.DispatchAsync());

        var sent = await host.SentSmsAsync();
        Assert.Equal(6, sent.Count);
        Assert.All(sent.Skip(3), s => Assert.StartsWith("Recordatorio: mañana lunes 9 de noviembre", s.Command.Body));
        Assert.All(await host.PlannedSmsAsync(), p => Assert.Equal((PlannedSmsStatuses.Dispatched, false), (p.Status, p.Late)));
    }

    [Fact]
    public async Task Planning_after_18_00_the_day_before_the_first_session_records_invitations_only()
    {
        var (host, _) = await StartAsync(Local(2026, 11, 8, 18, 30));

        var plan = await host.PlanAsync("2026-11-09", "2026-11-20");

        Assert.Equal((3, 0), (plan.Invitations, plan.DayBeforeReminders));
        var rows = await host.PlannedSmsAsync();
        Assert.Equal(3, rows.Count);
        Assert.All(rows, r => Assert.Equal((PlannedSmsKinds.Invitation, Local(2026, 11, 8, 18, 30)), (r.Kind, r.DueAt)));
    }

    [Fact]
    public async Task Planning_during_quiet_hours_times_the_invitations_for_09_00_the_next_morning()
    {
        var (host, _) = await StartAsync(Local(2026, 11, 2, 22, 15));

        var plan = await host.PlanAsync("2026-11-09", "2026-11-20");

        Assert.Equal((3, 3), (plan.Invitations, plan.DayBeforeReminders));
        Assert.All((await host.PlannedSmsAsync()).Where(r => r.Kind == PlannedSmsKinds.Invitation), r => Assert.Equal(Local(2026, 11, 3, 9, 0), r.DueAt));
        Assert.Equal(new DispatchRound(0, 0), await host.DispatchAsync());
        host.Clock.SetUtcNow(Local(2026, 11, 3, 9, 0));
        Assert.Equal(new DispatchRound(3, 0), await host.DispatchAsync());
    }

    [Fact]
    public async Task A_dry_run_plans_no_sms()
    {
        var (host, _) = await StartAsync(MondayMorning);

        var response = await host.PostAsync("/api/scheduler/plans", new { from = "2026-11-09", to = "2026-11-20", dryRun = true });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var result = (await response.Content.ReadFromJsonAsync<Training.PlanResult>())!;
        Assert.Equal((true, 1, 3), (result.DryRun, result.Cohorts, result.Officers));
        Assert.Empty(await host.PlannedSmsAsync());
    }

    [Fact]
    public async Task Officers_opted_out_or_on_a_wrong_number_are_placed_and_marked_without_sms_and_withdrawn_or_inactive_officers_are_not()
    {
        host = Sqlite(MondayMorning);
        var sector = await host.SeedSectorAsync("N-01", StudyArms.Treatment, officers: 6);
        await host.AddVenueAsync("Sede Norte", 30);
        await host.AddTrainerAsync("Instructora Paz");
        var o = sector.Officers;
        await host.ChangeStatusAsync(o[1], OfficerStatuses.SmsOptedOut);
        await host.ChangeStatusAsync(o[2], OfficerStatuses.WrongNumber);
        await host.ChangeStatusAsync(o[3], OfficerStatuses.Withdrawn);
        await host.ChangeStatusAsync(o[4], OfficerStatuses.Inactive);

        var plan = await host.PlanAsync("2026-11-09", "2026-11-20");

        // An SMS status is not a study status: only withdrawal and inactive keep an officer out of the training.
        var cohort = Assert.Single(plan.Plan);
        Assert.Equal(4, plan.Officers);
        var trained = new[] { o[0], o[1], o[2], o[5] }.Order().ToList();
        Assert.Equal(trained, (await host.CohortAsync(cohort.CohortId)).Members.Order());
        using var client = host.Client();
        var members = (await client.GetFromJsonAsync<System.Text.Json.JsonElement>($"/api/scheduler/sessions/{cohort.Sessions[0].SessionId}"))
            .GetProperty("members").EnumerateArray().ToDictionary(m => m.GetProperty("officerId").GetGuid(),
                m => (m.GetProperty("getsSms").GetBoolean(), m.GetProperty("noSmsReason").GetString()));
        Assert.Equal(trained, members.Keys.Order());
        Assert.Equal((false, SmsSkipReasons.OptedOut), members[o[1]]);
        Assert.Equal((false, SmsSkipReasons.WrongNumber), members[o[2]]);
        Assert.Equal((true, null), members[o[0]]);
        // They are told in person: no invitation reaches them.
        await host.DispatchAsync();
        Assert.Equal(new[] { o[0], o[5] }.Order(), (await host.SentSmsAsync()).Select(s => s.Command.OfficerId).Order());
    }

    [Fact]
    public async Task Officers_without_consent_are_planned_and_placed_with_their_sector_and_every_sms_to_them_is_skipped_as_no_consent()
    {
        var (host, sector) = await StartAsync(MondayMorning);
        var o = sector.Officers;
        // One roster says no on a new row, the other's re-import changes a yes to no.
        var newRow = await host.EnrollAsync(sector.SectorId, consent: false);
        await host.PublishAsync(new OfficerConsentChanged(o[1], Consent: false, host.Now));
        await EventuallyAsync("both refusals in the replica", async () =>
            await host.ScalarAsync<long>("SELECT COUNT(*) FROM officer_consents WHERE consent = @no", new { no = false }) == 2);
        var refused = new[] { o[1], newRow };

        var plan = await host.PlanAsync("2026-11-09", "2026-11-20");

        // The training is the department's: consent to SMS decides the texts, not who is trained.
        var cohort = Assert.Single(plan.Plan);
        var everyone = o.Append(newRow).Order().ToList();
        Assert.Equal((4, 4, 4), (plan.Officers, plan.Invitations, plan.DayBeforeReminders));
        Assert.Equal(everyone, (await host.CohortAsync(cohort.CohortId)).Members.Order());
        using var client = host.Client();
        var members = (await client.GetFromJsonAsync<System.Text.Json.JsonElement>($"/api/scheduler/sessions/{cohort.Sessions[0].SessionId}"))
            .GetProperty("members").EnumerateArray().ToDictionary(m => m.GetProperty("officerId").GetGuid(),
                m => (m.GetProperty("getsSms").GetBoolean(), m.GetProperty("noSmsReason").GetString()));
        Assert.Equal(everyone, members.Keys.Order());
        Assert.All(refused, r => Assert.Equal((false, SmsSkipReasons.NoConsent), members[r]));
        Assert.Equal((true, null), members[o[0]]);

        // The invitation and the day before go to the others; theirs stay in the denominator as skipped.
        await host.DispatchAsync();
        host.Clock.SetUtcNow(Local(2026, 11, 8, 18, 0));
        await host.DispatchAsync();
        Assert.Equal(new[] { o[0], o[0], o[2], o[2] }.Order(), (await host.SentSmsAsync()).Select(s => s.Command.OfficerId).Order());
        var logistics = await host.PlannedSmsAsync(cohort.CohortId);
        Assert.Equal(4, logistics.Count(r => refused.Contains(r.OfficerId)));
        Assert.All(logistics.Where(r => refused.Contains(r.OfficerId)), r => Assert.Equal((PlannedSmsStatuses.Skipped, SmsSkipReasons.NoConsent), (r.Status, r.Reason)));

        // Trained and eligible like the others, their reminders are recorded, each skipped as no_consent.
        await host.PublishAsync(new CohortAttendanceClosed(cohort.CohortId, sector.SectorId, "officer",
            everyone.Select(id => new OfficerAttendanceTotal(id, 540, 540, 3, 3, false)).ToList(), host.Now));
        await EventuallyAsync("the reminders of the cohort", async () =>
            (await host.PlannedSmsAsync(cohort.CohortId)).Count(r => r.Kind == PlannedSmsKinds.Reminder) == 4 * 6);
        var reminders = (await host.PlannedSmsAsync(cohort.CohortId)).Where(r => r.Kind == PlannedSmsKinds.Reminder).ToList();
        Assert.All(reminders.Where(r => refused.Contains(r.OfficerId)), r => Assert.Equal((PlannedSmsStatuses.Skipped, SmsSkipReasons.NoConsent), (r.Status, r.Reason)));
        Assert.All(reminders.Where(r => !refused.Contains(r.OfficerId)), r => Assert.Equal(PlannedSmsStatuses.Planned, r.Status));
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (host is not null) await host.DisposeAsync();
    }
}
