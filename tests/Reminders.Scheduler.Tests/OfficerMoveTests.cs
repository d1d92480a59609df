using System.Net;
using Reminders.Contracts;
using Reminders.Scheduler.Dispatch;
using Reminders.Scheduler.Tests.Infrastructure;
using Reminders.Scheduler.Training;
using static Reminders.Scheduler.Tests.Infrastructure.SchedulerHost;
using static Reminders.Scheduler.Tests.Infrastructure.TrainingScenario;

namespace Reminders.Scheduler.Tests;

/// <summary>
/// Moving an officer between cohorts with POST /cohorts/{id}/members. One venue of 2 places and one trainer: sector N-01's
/// three officers make two cohorts (9–11 and 12, 13, 17 November), sector N-02's officer one more (18–20 November).
/// </summary>
public sealed class OfficerMoveTests : IAsyncLifetime
{
    SchedulerHost host = null!;
    PlannedCohortView first = null!, second = null!, otherSector = null!;

    public async Task InitializeAsync()
    {
        host = Sqlite();
        await host.SeedSectorAsync("N-01", StudyArms.Treatment, officers: 3);
        await host.SeedSectorAsync("N-02", StudyArms.Treatment, officers: 1);
        await host.AddVenueAsync("Aula 2", 2);
        await host.AddTrainerAsync("Instructora Paz");
        var plan = await host.PlanAsync("2026-11-09", "2026-11-30");
        (first, second, otherSector) = (plan.Plan[0], plan.Plan[1], plan.Plan[2]);
        Assert.Equal(("N-01", 2, "2026-11-09"), (first.SectorCode, first.Members, first.Sessions[0].Date));
        Assert.Equal(("N-01", 1, "2026-11-12"), (second.SectorCode, second.Members, second.Sessions[0].Date));
        Assert.Equal(("N-02", "2026-11-18"), (otherSector.SectorCode, otherSector.Sessions[0].Date));
    }

    string Members(PlannedCohortView cohort) => $"/api/scheduler/cohorts/{cohort.CohortId}/members";

    [Fact]
    public async Task Moving_an_officer_to_another_cohort_of_the_sector_cancels_their_pending_sms_of_the_old_one_and_invites_them_to_the_new_one()
    {
        var officer = (await host.CohortAsync(first.CohortId)).Members[0];

        var result = await ChangeAsync(host, Members(second), new { officerId = officer, reason = "Turno nocturno la semana del 9" });

        Assert.Equal((2, 2), (result.NoticesPlanned, result.MessagesCancelled));
        var old = (await host.PlannedSmsAsync(first.CohortId)).Where(r => r.OfficerId == officer).ToList();
        Assert.Equal(2, old.Count);
        Assert.All(old, r => Assert.Equal((PlannedSmsStatuses.Cancelled, SmsSkipReasons.MovedToAnotherCohort), (r.Status, r.Reason)));
        var fresh = (await host.PlannedSmsAsync(second.CohortId)).Where(r => r.OfficerId == officer).ToList();
        Assert.Contains("inicia el jueves 12 de noviembre", Assert.Single(fresh, r => r.Kind == PlannedSmsKinds.Invitation).Body);
        Assert.Equal(Local(2026, 11, 11, 18, 0), Assert.Single(fresh, r => r.Kind == PlannedSmsKinds.DayBefore).DueAt);
        Assert.All(fresh, r => Assert.Equal(PlannedSmsStatuses.Planned, r.Status));

        var (from, to) = (await host.CohortAsync(first.CohortId), await host.CohortAsync(second.CohortId));
        Assert.DoesNotContain(officer, from.Members);
        Assert.Contains(officer, to.Members);
        Assert.Equal(("Turno nocturno la semana del 9", ManagerName), (Assert.Single(from.Changes, c => c.Change == "left_cohort").Reason, from.Changes[^1].ChangedBy));
        Assert.Single(to.Changes, c => c.Change == "joined_cohort" && c.EntityId == officer);
    }

    [Fact]
    public async Task An_invited_officer_moved_to_another_cohort_gets_a_change_notice_not_a_second_invitation()
    {
        await host.DispatchAsync();
        var officer = (await host.CohortAsync(first.CohortId)).Members[0];

        await ChangeAsync(host, Members(second), new { officerId = officer, reason = "Turno nocturno la semana del 9" });

        var fresh = (await host.PlannedSmsAsync(second.CohortId)).Where(r => r.OfficerId == officer).ToList();
        Assert.Equal([PlannedSmsKinds.ChangeNotice, PlannedSmsKinds.DayBefore], fresh.Select(r => r.Kind));
        Assert.Contains("ahora es el jueves 12 de noviembre", fresh[0].Body);
    }

    [Fact]
    public async Task Moving_an_officer_into_a_cohort_of_another_sector_or_into_a_full_one_is_409()
    {
        var members = (await host.CohortAsync(first.CohortId)).Members;

        Assert.Equal((HttpStatusCode.Conflict, "cohortId"), await RefusalAsync(host, Members(otherSector), new { officerId = members[0], reason = "Cambio" }));
        await ChangeAsync(host, Members(second), new { officerId = members[0], reason = "Cambio" });
        Assert.Equal((HttpStatusCode.Conflict, "cohortId"), await RefusalAsync(host, Members(second), new { officerId = members[1], reason = "Cambio" }));
        Assert.Equal((HttpStatusCode.Conflict, "cohortId"), await RefusalAsync(host, Members(second), new { officerId = members[0], reason = "Otra vez" }));
        Assert.Equal(2, (await host.CohortAsync(second.CohortId)).Members.Count);
    }

    public async Task DisposeAsync() => await host.DisposeAsync();
}
