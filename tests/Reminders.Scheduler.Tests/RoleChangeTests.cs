using Reminders.Contracts;
using Reminders.Protocol;
using Reminders.Scheduler.Dispatch;
using Reminders.Scheduler.Tests.Infrastructure;
using Reminders.Scheduler.Training;
using Reminders.Testing;
using static Reminders.Scheduler.Tests.Infrastructure.SchedulerHost;

namespace Reminders.Scheduler.Tests;

public sealed class RoleChangeOnSqliteTests : RoleChangeTests
{
    protected override Task<SchedulerHost> StartAsync() => Task.FromResult(Sqlite());
}

public sealed class RoleChangeOnPostgresTests : RoleChangeTests
{
    TestDatabase database = null!;

    protected override async Task<SchedulerHost> StartAsync()
    {
        database = await TestDatabase.CreateAsync("scheduler_roles");
        return Postgres(database.ConnectionString, recurringDispatch: false);
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await database.DisposeAsync();
    }
}

/// <summary>
/// A roster re-import changes the role of an officer already placed in a cohort of their old role: they move to a cohort
/// of the new role in their sector that has not started, or stay and the cohort's history says why.
/// </summary>
public abstract class RoleChangeTests : IAsyncLifetime
{
    SchedulerHost host = null!;

    protected abstract Task<SchedulerHost> StartAsync();

    public async Task InitializeAsync() => host = await StartAsync();

    /// <summary>Sector N-01 with two officers and one commander, planned into an officer cohort and a commander cohort.</summary>
    async Task<(SeededSector Sector, CohortsApi.CohortSummary Officers, CohortsApi.CohortSummary Commanders)> PlanBothRolesAsync(int capacity = 30)
    {
        var sector = await host.SeedSectorAsync("N-01", StudyArms.Treatment, officers: 2, commanders: 1);
        await host.AddVenueAsync("Sede Norte", capacity);
        await host.AddTrainerAsync("Instructora Paz");
        var plan = await host.PlanAsync("2026-11-09", "2026-11-30");
        Assert.Equal(2, plan.Plan.Count);
        var officers = (await host.CohortAsync(plan.Plan.Single(c => c.Role == StudyRoles.Officer).CohortId)).Cohort;
        var commanders = (await host.CohortAsync(plan.Plan.Single(c => c.Role == StudyRoles.Commander).CohortId)).Cohort;
        return (sector, officers, commanders);
    }

    async Task ChangeRoleAsync(Guid officerId, string role, Guid cohortId, int historyRows)
    {
        await host.PublishAsync(new OfficerChanged(officerId, role, host.Now));
        await EventuallyAsync($"the role change of {officerId} in the history of cohort {cohortId}", async () =>
            await host.ScalarAsync<long>("SELECT COUNT(*) FROM plan_changes WHERE cohort_id = @cohortId AND entity_id = @officerId",
                new { cohortId, officerId }) >= historyRows);
    }

    [Fact]
    public async Task An_officer_made_commander_before_the_training_moves_to_the_commander_cohort_is_invited_there_and_loses_the_old_pending_sms()
    {
        var (sector, officerCohort, commanderCohort) = await PlanBothRolesAsync();
        var promoted = sector.Officers[0];
        var before = (await host.PlannedSmsAsync(officerCohort.CohortId)).Where(r => r.OfficerId == promoted).ToList();
        Assert.Equal([PlannedSmsKinds.Invitation, PlannedSmsKinds.DayBefore], before.Select(r => r.Kind).Order().Reverse());

        await ChangeRoleAsync(promoted, StudyRoles.Commander, officerCohort.CohortId, historyRows: 1);

        var oldCohort = await host.CohortAsync(officerCohort.CohortId);
        var newCohort = await host.CohortAsync(commanderCohort.CohortId);
        Assert.DoesNotContain(promoted, oldCohort.Members);
        Assert.Contains(promoted, newCohort.Members);
        var left = Assert.Single(oldCohort.Changes, c => c.EntityId == promoted);
        Assert.Equal(("left_cohort", "roster"), (left.Change, left.ChangedBy));
        Assert.Contains("commander", left.Reason);
        Assert.Single(newCohort.Changes, c => c.EntityId == promoted && c.Change == "joined_cohort");

        var old = (await host.PlannedSmsAsync(officerCohort.CohortId)).Where(r => r.OfficerId == promoted).ToList();
        Assert.All(old, r => Assert.Equal((PlannedSmsStatuses.Cancelled, SmsSkipReasons.MovedToAnotherCohort), (r.Status, r.Reason)));
        var invited = (await host.PlannedSmsAsync(commanderCohort.CohortId)).Where(r => r.OfficerId == promoted).ToList();
        Assert.Equal([PlannedSmsKinds.Invitation, PlannedSmsKinds.DayBefore], invited.Select(r => r.Kind).Order().Reverse());
        Assert.All(invited, r => Assert.Equal(PlannedSmsStatuses.Planned, r.Status));
        Assert.Contains(newCohort.Sessions[0].Date[8..], Assert.Single(invited, r => r.Kind == PlannedSmsKinds.Invitation).Body);
        // The other officer keeps their place and messages.
        Assert.Contains(sector.Officers[1], oldCohort.Members);
    }

    [Fact]
    public async Task An_officer_made_commander_in_a_sector_with_no_commander_cohort_stays_and_the_cohort_history_says_why()
    {
        var sector = await host.SeedSectorAsync("N-01", StudyArms.Treatment, officers: 2);
        await host.AddVenueAsync("Sede Norte", 30);
        await host.AddTrainerAsync("Instructora Paz");
        var cohortId = Assert.Single((await host.PlanAsync("2026-11-09", "2026-11-30")).Plan).CohortId;
        var promoted = sector.Officers[0];
        var smsBefore = await host.PlannedSmsAsync(cohortId);

        await ChangeRoleAsync(promoted, StudyRoles.Commander, cohortId, historyRows: 1);

        var cohort = await host.CohortAsync(cohortId);
        Assert.Contains(promoted, cohort.Members);
        var kept = Assert.Single(cohort.Changes, c => c.EntityId == promoted);
        Assert.Equal(("role_changed", "officer", "commander", "roster"), (kept.Change, kept.OldValue, kept.NewValue, kept.ChangedBy));
        Assert.Contains("no commander cohort", kept.Reason);
        Assert.Equal(smsBefore.Select(r => (r.SmsId, r.Status)), (await host.PlannedSmsAsync(cohortId)).Select(r => (r.SmsId, r.Status)));
        Assert.Equal("commander", await host.ScalarAsync<string>("SELECT role FROM officers WHERE officer_id = @promoted", new { promoted }));
    }

    [Fact]
    public async Task A_role_change_after_the_training_started_moves_no_one_and_the_history_says_the_training_was_held()
    {
        var (sector, officerCohort, commanderCohort) = await PlanBothRolesAsync();
        var demoted = sector.Officers[2];
        // The commanders' cohort trained 9-11 November; the officers' cohort starts on the 12th, with room.
        Assert.Equal(("2026-11-11", "2026-11-12"), (commanderCohort.LastDate, officerCohort.FirstDate));
        host.Clock.SetUtcNow(Local(2026, 11, 11, 18, 0));

        await ChangeRoleAsync(demoted, StudyRoles.Officer, commanderCohort.CohortId, historyRows: 1);

        var cohort = await host.CohortAsync(commanderCohort.CohortId);
        Assert.Contains(demoted, cohort.Members);
        var kept = Assert.Single(cohort.Changes, c => c.EntityId == demoted);
        Assert.Equal(("role_changed", "commander", "officer"), (kept.Change, kept.OldValue, kept.NewValue));
        Assert.Contains("already started", kept.Reason);
        Assert.DoesNotContain(demoted, (await host.CohortAsync(officerCohort.CohortId)).Members);
    }

    [Fact]
    public async Task A_commander_made_officer_stays_when_the_officer_cohort_is_full_at_its_venue()
    {
        // Two places: the officers' cohort is full with its two officers.
        var (sector, officerCohort, commanderCohort) = await PlanBothRolesAsync(capacity: 2);
        var demoted = sector.Officers[2];

        await ChangeRoleAsync(demoted, StudyRoles.Officer, commanderCohort.CohortId, historyRows: 1);

        var cohort = await host.CohortAsync(commanderCohort.CohortId);
        Assert.Contains(demoted, cohort.Members);
        Assert.Contains("full", Assert.Single(cohort.Changes, c => c.EntityId == demoted).Reason);
        Assert.DoesNotContain(demoted, (await host.CohortAsync(officerCohort.CohortId)).Members);
    }

    public virtual async Task DisposeAsync() => await host.DisposeAsync();
}
