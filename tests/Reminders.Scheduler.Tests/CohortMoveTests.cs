using System.Net;
using Reminders.Contracts;
using Reminders.Scheduler.Dispatch;
using Reminders.Scheduler.Tests.Infrastructure;
using static Reminders.Scheduler.Tests.Infrastructure.SchedulerHost;
using static Reminders.Scheduler.Tests.Infrastructure.TrainingScenario;

namespace Reminders.Scheduler.Tests;

/// <summary>Moving a recorded cohort, or one of its sessions, through the API; the logistics SMS follow the change.</summary>
public sealed class CohortMoveTests : IAsyncLifetime
{
    SchedulerHost host = null!;

    public Task InitializeAsync()
    {
        host = Sqlite();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Moving_a_cohort_re_dates_its_three_sessions_on_consecutive_working_days_skipping_the_weekend_and_the_holiday()
    {
        var cohort = await PlanOneCohortAsync(host);

        // Friday 13, then Monday 16 November 2026 is Revolution Day (third Monday of November): Tuesday 17 and Wednesday 18.
        var result = await ChangeAsync(host, $"/api/scheduler/cohorts/{cohort.CohortId}/move", new { start = "2026-11-13", startTime = "10:30", reason = "Sede en mantenimiento" });

        Assert.Equal("moved", result.Change);
        var detail = await host.CohortAsync(cohort.CohortId);
        Assert.Equal(["2026-11-13", "2026-11-17", "2026-11-18"], detail.Sessions.Select(s => s.Date));
        Assert.Equal([Local(2026, 11, 13, 10, 30), Local(2026, 11, 17, 10, 30), Local(2026, 11, 18, 10, 30)], detail.Sessions.Select(s => s.StartsAt));
        Assert.All(detail.Sessions, s => Assert.Equal(TimeSpan.FromHours(3), s.EndsAt - s.StartsAt));
        Assert.Equal(cohort.SessionIds, detail.Sessions.Select(s => s.SessionId));
        Assert.Equal(("2026-11-13", "2026-11-18"), (detail.Cohort.FirstDate, detail.Cohort.LastDate));
        var moved = Assert.Single(detail.Changes, c => c.Change == "moved");
        Assert.Equal(("2026-11-09, 2026-11-10, 2026-11-11", "2026-11-13, 2026-11-17, 2026-11-18"), (moved.OldValue, moved.NewValue));
    }

    [Fact]
    public async Task Moving_a_cohort_cancels_its_stale_pending_sms_tells_invited_officers_of_the_change_and_invites_the_others_afresh()
    {
        var (cohort, invited, notYetTold) = await InvitedAndNotYetToldAsync(host);

        var result = await ChangeAsync(host, $"/api/scheduler/cohorts/{cohort.CohortId}/move", new { start = "2026-11-13", reason = "Sede en mantenimiento" });

        // Cancelled: the late officer's invitation and the three day-before reminders. Planned: two change notices, one invitation, three day-before.
        Assert.Equal((4, 6), (result.MessagesCancelled, result.NoticesPlanned));
        var rows = await host.PlannedSmsAsync(cohort.CohortId);
        var cancelled = rows.Where(r => r.Status == PlannedSmsStatuses.Cancelled).ToList();
        Assert.Equal(4, cancelled.Count);
        Assert.All(cancelled, r => Assert.Equal(SmsSkipReasons.PlanChanged, r.Reason));
        Assert.Equal(notYetTold, Assert.Single(cancelled, r => r.Kind == PlannedSmsKinds.Invitation).OfficerId);
        Assert.Equal(3, cancelled.Count(r => r.Kind == PlannedSmsKinds.DayBefore && r.DueAt == Local(2026, 11, 8, 18, 0)));

        var pending = rows.Where(r => r.Status == PlannedSmsStatuses.Planned).ToList();
        var notices = pending.Where(r => r.Kind == PlannedSmsKinds.ChangeNotice).ToList();
        Assert.Equal(invited.Order(), notices.Select(r => r.OfficerId).Order());
        Assert.All(notices, r =>
        {
            Assert.Equal("Cambio en su curso de Justicia Procedimental: ahora es el viernes 13 de noviembre, 09:00 h, en Sede Norte. Atte. SSC-CDMX", r.Body);
            Assert.Equal(host.Now, r.DueAt);
            Assert.Equal(Local(2026, 11, 13, 9, 0), r.WindowEndsAt);
        });
        var invitation = Assert.Single(pending, r => r.Kind == PlannedSmsKinds.Invitation);
        Assert.Equal(notYetTold, invitation.OfficerId);
        Assert.Contains("inicia el viernes 13 de noviembre a las 09:00 h", invitation.Body);
        var dayBefore = pending.Where(r => r.Kind == PlannedSmsKinds.DayBefore).ToList();
        Assert.Equal(invited.Append(notYetTold).Order(), dayBefore.Select(r => r.OfficerId).Order());
        Assert.All(dayBefore, r => Assert.Equal(Local(2026, 11, 12, 18, 0), r.DueAt));
        Assert.Equal(2, rows.Count(r => r.Kind == PlannedSmsKinds.Invitation && r.Status == PlannedSmsStatuses.Dispatched));

        Assert.Equal(new DispatchRound(3, 0), await host.DispatchAsync());
        Assert.Equal(5, (await host.SentSmsAsync()).Count);
    }

    [Theory]
    [InlineData("2026-11-14")] // a Saturday
    [InlineData("2026-11-16")] // Revolution Day, a federal holiday
    [InlineData("13/11/2026")] // not a date as YYYY-MM-DD
    public async Task Moving_a_cohort_to_start_on_a_day_that_is_not_a_working_day_is_400_naming_start(string start)
    {
        var cohort = await PlanOneCohortAsync(host);

        var refusal = await RefusalAsync(host, $"/api/scheduler/cohorts/{cohort.CohortId}/move", new { start, reason = "Sede en mantenimiento" });

        Assert.Equal((HttpStatusCode.BadRequest, "start"), refusal);
        Assert.Equal("2026-11-09", (await host.CohortAsync(cohort.CohortId)).Sessions[0].Date);
    }

    [Fact]
    public async Task Moving_a_cohort_onto_days_another_cohort_holds_the_venue_or_the_trainer_is_409()
    {
        // One venue and one trainer: N-01 trains 9–11 November, N-02 on 12, 13 and 17 November.
        var first = await PlanOneCohortAsync(host);
        await host.SeedSectorAsync("N-02", StudyArms.Treatment, officers: 2);
        var second = Assert.Single((await host.PlanAsync("2026-11-09", "2026-11-30", "N-02")).Plan);
        Assert.Equal("2026-11-12", second.Sessions[0].Date);

        Assert.Equal((HttpStatusCode.Conflict, "venueId"),
            await RefusalAsync(host, $"/api/scheduler/cohorts/{first.CohortId}/move", new { start = "2026-11-12", reason = "Cambio de fechas" }));

        var otherVenue = await host.AddVenueAsync("Auditorio Sur", 40);
        await ChangeAsync(host, $"/api/scheduler/cohorts/{first.CohortId}/staff", new { venueId = otherVenue, reason = "Sede Norte en obras" });
        Assert.Equal((HttpStatusCode.Conflict, "trainerId"),
            await RefusalAsync(host, $"/api/scheduler/cohorts/{first.CohortId}/move", new { start = "2026-11-12", reason = "Cambio de fechas" }));

        Assert.Equal("2026-11-09", (await host.CohortAsync(first.CohortId)).Sessions[0].Date);
    }

    [Fact]
    public async Task A_cohort_whose_training_has_started_cannot_be_moved_or_cancelled()
    {
        var cohort = await PlanOneCohortAsync(host);
        host.Clock.SetUtcNow(Local(2026, 11, 9, 9, 0));

        Assert.Equal((HttpStatusCode.Conflict, "cohortId"),
            await RefusalAsync(host, $"/api/scheduler/cohorts/{cohort.CohortId}/move", new { start = "2026-11-23", reason = "Cambio de fechas" }));
        Assert.Equal((HttpStatusCode.Conflict, "cohortId"),
            await RefusalAsync(host, $"/api/scheduler/cohorts/{cohort.CohortId}/cancel", new { reason = "Sin instructora" }));
        Assert.Equal(HttpStatusCode.Conflict,
            (await RefusalAsync(host, $"/api/scheduler/sessions/{cohort.SessionIds[0]}/move", new { date = "2026-11-12", reason = "Cambio de fechas" })).Status);
    }

    [Fact]
    public async Task Moving_a_cohort_to_a_time_already_past_is_409()
    {
        var cohort = await PlanOneCohortAsync(host);

        Assert.Equal((HttpStatusCode.Conflict, "start"),
            await RefusalAsync(host, $"/api/scheduler/cohorts/{cohort.CohortId}/move", new { start = "2026-11-02", startTime = "09:00", reason = "Adelantar" }));
    }

    [Fact]
    public async Task Moving_one_session_keeps_the_days_in_order_and_tells_only_invited_officers()
    {
        var (cohort, invited, _) = await InvitedAndNotYetToldAsync(host);
        var (day1, day2, day3) = (cohort.SessionIds[0], cohort.SessionIds[1], cohort.SessionIds[2]);

        Assert.Equal((HttpStatusCode.Conflict, "date"), await RefusalAsync(host, $"/api/scheduler/sessions/{day2}/move", new { date = "2026-11-12", reason = "x" }));
        Assert.Equal((HttpStatusCode.Conflict, "date"), await RefusalAsync(host, $"/api/scheduler/sessions/{day2}/move", new { date = "2026-11-06", reason = "x" }));
        Assert.Equal((HttpStatusCode.Conflict, "date"), await RefusalAsync(host, $"/api/scheduler/sessions/{day1}/move", new { date = "2026-11-10", reason = "x" }));
        Assert.Equal((HttpStatusCode.BadRequest, "date"), await RefusalAsync(host, $"/api/scheduler/sessions/{day3}/move", new { date = "2026-11-16", reason = "x" }));
        var before = await host.PlannedSmsAsync(cohort.CohortId);

        var result = await ChangeAsync(host, $"/api/scheduler/sessions/{day3}/move", new { date = "2026-11-12", startTime = "16:00", reason = "Aula ocupada el miércoles" });

        var detail = await host.CohortAsync(cohort.CohortId);
        Assert.Equal(["2026-11-09", "2026-11-10", "2026-11-12"], detail.Sessions.Select(s => s.Date));
        Assert.Equal(Local(2026, 11, 12, 16, 0), detail.Sessions[2].StartsAt);
        Assert.Equal(Local(2026, 11, 9, 9, 0), detail.Sessions[0].StartsAt);
        var rows = await host.PlannedSmsAsync(cohort.CohortId);
        var notices = rows.Where(r => r.Kind == PlannedSmsKinds.ChangeNotice).ToList();
        Assert.Equal(invited.Order(), notices.Select(r => r.OfficerId).Order());
        Assert.All(notices, r => Assert.Equal((day3, "Cambio en su curso de Justicia Procedimental: ahora es el jueves 12 de noviembre, 16:00 h, en Sede Norte. Atte. SSC-CDMX"),
            (r.SessionId!.Value, r.Body)));
        // The invitation and day-before name the first session, which did not move: they stay as they were.
        Assert.Equal((2, 0), (result.NoticesPlanned, result.MessagesCancelled));
        Assert.Equal(before.Select(r => (r.SmsId, r.Status)), rows.Where(r => r.Kind != PlannedSmsKinds.ChangeNotice).Select(r => (r.SmsId, r.Status)));
    }

    [Fact]
    public async Task Moving_the_first_session_re_plans_the_invitation_and_day_before_for_its_new_date()
    {
        var (cohort, invited, notYetTold) = await InvitedAndNotYetToldAsync(host);

        await ChangeAsync(host, $"/api/scheduler/sessions/{cohort.SessionIds[0]}/move", new { date = "2026-11-06", reason = "Adelantar el inicio" });

        var pending = (await host.PlannedSmsAsync(cohort.CohortId)).Where(r => r.Status == PlannedSmsStatuses.Planned).ToList();
        Assert.Equal(invited.Order(), pending.Where(r => r.Kind == PlannedSmsKinds.ChangeNotice).Select(r => r.OfficerId).Order());
        Assert.Contains("viernes 6 de noviembre", Assert.Single(pending, r => r.Kind == PlannedSmsKinds.Invitation && r.OfficerId == notYetTold).Body);
        Assert.All(pending.Where(r => r.Kind == PlannedSmsKinds.DayBefore), r => Assert.Equal(Local(2026, 11, 5, 18, 0), r.DueAt));
        Assert.Equal(3, pending.Count(r => r.Kind == PlannedSmsKinds.DayBefore));
    }

    public async Task DisposeAsync() => await host.DisposeAsync();
}
