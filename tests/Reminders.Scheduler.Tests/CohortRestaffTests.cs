using System.Net;
using Reminders.Contracts;
using Reminders.Scheduler.Dispatch;
using Reminders.Scheduler.Tests.Infrastructure;
using static Reminders.Scheduler.Tests.Infrastructure.SchedulerHost;
using static Reminders.Scheduler.Tests.Infrastructure.TrainingScenario;

namespace Reminders.Scheduler.Tests;

/// <summary>Another venue or trainer for a cohort's sessions still to come: officers hear about a new venue, not about a new trainer.</summary>
public sealed class CohortRestaffTests : IAsyncLifetime
{
    SchedulerHost host = null!;

    public Task InitializeAsync()
    {
        host = Sqlite();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task A_new_venue_sends_change_notices_to_invited_officers_and_re_renders_the_pending_invitation_and_day_before_reminders()
    {
        var (cohort, invited, notYetTold) = await InvitedAndNotYetToldAsync(host);
        var venue = await host.AddVenueAsync("Auditorio Sur", 40);

        var result = await ChangeAsync(host, $"/api/scheduler/cohorts/{cohort.CohortId}/staff", new { venueId = venue, reason = "Sede Norte en obras" });

        Assert.Equal((6, 4), (result.NoticesPlanned, result.MessagesCancelled));
        var detail = await host.CohortAsync(cohort.CohortId);
        Assert.Equal("Auditorio Sur", detail.Cohort.Venue);
        Assert.All(detail.Sessions, s => Assert.Equal("Auditorio Sur", s.Venue));
        var change = Assert.Single(detail.Changes, c => c.Change == "venue_changed");
        Assert.Equal((Venue, "Auditorio Sur", "Sede Norte en obras"), (change.OldValue, change.NewValue, change.Reason));

        var rows = await host.PlannedSmsAsync(cohort.CohortId);
        Assert.All(rows.Where(r => r.Status == PlannedSmsStatuses.Cancelled), r => Assert.Equal(SmsSkipReasons.PlanChanged, r.Reason));
        var pending = rows.Where(r => r.Status == PlannedSmsStatuses.Planned).ToList();
        Assert.Equal(invited.Order(), pending.Where(r => r.Kind == PlannedSmsKinds.ChangeNotice).Select(r => r.OfficerId).Order());
        Assert.Equal(notYetTold, Assert.Single(pending, r => r.Kind == PlannedSmsKinds.Invitation).OfficerId);
        Assert.Equal(3, pending.Count(r => r.Kind == PlannedSmsKinds.DayBefore));
        Assert.Equal(6, pending.Count);
        Assert.All(pending, r => Assert.Contains("Auditorio Sur", r.Body));
    }

    [Fact]
    public async Task A_trainer_only_change_sends_no_sms_and_is_recorded()
    {
        var (cohort, _, _) = await InvitedAndNotYetToldAsync(host);
        var trainer = await host.AddTrainerAsync("Mtro. Ruiz");
        var before = await host.PlannedSmsAsync(cohort.CohortId);

        var result = await ChangeAsync(host, $"/api/scheduler/cohorts/{cohort.CohortId}/staff", new { trainerId = trainer, reason = "Licencia médica de la instructora" });

        Assert.Equal((0, 0), (result.NoticesPlanned, result.MessagesCancelled));
        Assert.Equal(before, await host.PlannedSmsAsync(cohort.CohortId));
        var detail = await host.CohortAsync(cohort.CohortId);
        Assert.All(detail.Sessions, s => Assert.Equal(("Mtro. Ruiz", Venue), (s.Trainer, s.Venue)));
        var change = Assert.Single(detail.Changes, c => c.Change == "trainer_changed");
        Assert.Equal((cohort.TrainerId.ToString(), trainer.ToString()), (change.OldValue, change.NewValue));
    }

    [Fact]
    public async Task A_venue_too_small_for_the_cohorts_members_is_409_and_changes_nothing()
    {
        var (cohort, _, _) = await InvitedAndNotYetToldAsync(host);
        var small = await host.AddVenueAsync("Aula 2", 2);
        var before = await host.PlannedSmsAsync(cohort.CohortId);

        Assert.Equal((HttpStatusCode.Conflict, "venueId"),
            await RefusalAsync(host, $"/api/scheduler/cohorts/{cohort.CohortId}/staff", new { venueId = small, reason = "Sede Norte en obras" }));

        Assert.All((await host.CohortAsync(cohort.CohortId)).Sessions, s => Assert.Equal(Venue, s.Venue));
        Assert.Equal(before, await host.PlannedSmsAsync(cohort.CohortId));
    }

    [Fact]
    public async Task Re_staffing_without_a_venue_or_trainer_or_with_unknown_ones_is_400()
    {
        var cohort = await PlanOneCohortAsync(host);
        var path = $"/api/scheduler/cohorts/{cohort.CohortId}/staff";

        Assert.Equal((HttpStatusCode.BadRequest, "venueId"), await RefusalAsync(host, path, new { reason = "Cambio" }));
        Assert.Equal((HttpStatusCode.BadRequest, "venueId"), await RefusalAsync(host, path, new { venueId = Guid.NewGuid(), reason = "Cambio" }));
        Assert.Equal((HttpStatusCode.BadRequest, "trainerId"), await RefusalAsync(host, path, new { trainerId = Guid.NewGuid(), reason = "Cambio" }));
    }

    public async Task DisposeAsync() => await host.DisposeAsync();
}
