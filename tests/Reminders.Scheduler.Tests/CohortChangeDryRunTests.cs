using System.Net;
using Dapper;
using Reminders.Scheduler.Dispatch;
using Reminders.Scheduler.Tests.Infrastructure;
using Reminders.Scheduler.Training;
using static Reminders.Scheduler.Tests.Infrastructure.SchedulerHost;
using static Reminders.Scheduler.Tests.Infrastructure.TrainingScenario;

namespace Reminders.Scheduler.Tests;

/// <summary>
/// Every change to a recorded plan first says which SMS it will send and cancel (<c>?dryRun=true</c>), so a manager can
/// confirm knowing it; the dry run writes nothing, and the change then does exactly what it said.
/// </summary>
public sealed class CohortChangeDryRunTests : IAsyncLifetime
{
    SchedulerHost host = null!;

    public Task InitializeAsync()
    {
        host = Sqlite();
        return Task.CompletedTask;
    }

    public static TheoryData<string> Changes => new()
    {
        "move_cohort", "move_first_session", "move_last_session", "restaff_venue", "restaff_trainer", "cancel_cohort", "cancel_first_session", "add_member",
    };

    [Theory]
    [MemberData(nameof(Changes))]
    public async Task A_dry_run_tells_the_sms_a_change_would_plan_and_cancel_by_kind_writes_nothing_and_the_change_then_does_just_that(string change)
    {
        var (cohort, _, _) = await InvitedAndNotYetToldAsync(host);
        var (path, body) = await RequestAsync(change, cohort);
        var before = await StateAsync();
        var smsBefore = (await host.PlannedSmsAsync()).ToDictionary(r => r.SmsId);

        var dry = await ChangeAsync(host, path + "?dryRun=true", body);

        Assert.True(dry.DryRun);
        Assert.Equal(before, await StateAsync());

        var done = await ChangeAsync(host, path, body);

        Assert.False(done.DryRun);
        Assert.NotEqual(before, await StateAsync());
        Assert.Equal((done.Change, done.NoticesPlanned, done.MessagesCancelled), (dry.Change, dry.NoticesPlanned, dry.MessagesCancelled));
        Assert.Equal(done.Planned, dry.Planned);
        Assert.Equal(done.Cancelled, dry.Cancelled);
        // The tallies are the rows the change wrote: new rows by kind, and rows pending before that it cancelled.
        var after = await host.PlannedSmsAsync();
        Assert.Equal(SmsTally.Of(after.Where(r => !smsBefore.ContainsKey(r.SmsId))), done.Planned);
        Assert.Equal(SmsTally.Of(after.Where(r => r.Status == PlannedSmsStatuses.Cancelled && smsBefore[r.SmsId].Status == PlannedSmsStatuses.Planned)),
            done.Cancelled);
        Assert.Equal(done.NoticesPlanned, done.Planned.Sum(t => t.Messages));
        Assert.Equal(done.MessagesCancelled, done.Cancelled.Sum(t => t.Messages));
    }

    [Fact]
    public async Task Moving_a_cohort_says_before_doing_it_two_change_notices_one_invitation_and_three_new_day_before_reminders_and_four_cancelled()
    {
        var (cohort, _, _) = await InvitedAndNotYetToldAsync(host);

        // No reason yet: the manager sees the consequence before typing why.
        var dry = await ChangeAsync(host, $"/api/scheduler/cohorts/{cohort.CohortId}/move?dryRun=true", new { start = "2026-11-13" });

        Assert.Equal((true, "moved", 6, 4), (dry.DryRun, dry.Change, dry.NoticesPlanned, dry.MessagesCancelled));
        Assert.Equal([new SmsTally(PlannedSmsKinds.ChangeNotice, 2, 2), new SmsTally(PlannedSmsKinds.DayBefore, 3, 3), new SmsTally(PlannedSmsKinds.Invitation, 1, 1)],
            dry.Planned);
        Assert.Equal([new SmsTally(PlannedSmsKinds.DayBefore, 3, 3), new SmsTally(PlannedSmsKinds.Invitation, 1, 1)], dry.Cancelled);
        var detail = await host.CohortAsync(cohort.CohortId);
        Assert.Equal("2026-11-09", detail.Sessions[0].Date);
        Assert.DoesNotContain(detail.Changes, c => c.Change == "moved");
    }

    [Fact]
    public async Task A_dry_run_is_refused_as_the_change_would_be_and_a_real_change_still_needs_a_reason()
    {
        var cohort = await PlanOneCohortAsync(host);

        Assert.Equal((HttpStatusCode.BadRequest, "start"),
            await RefusalAsync(host, $"/api/scheduler/cohorts/{cohort.CohortId}/move?dryRun=true", new { start = "2026-11-14" }));
        Assert.Equal((HttpStatusCode.Conflict, "date"),
            await RefusalAsync(host, $"/api/scheduler/sessions/{cohort.SessionIds[1]}/move?dryRun=true", new { date = "2026-11-12" }));
        Assert.Equal((HttpStatusCode.BadRequest, "reason"),
            await RefusalAsync(host, $"/api/scheduler/cohorts/{cohort.CohortId}/move", new { start = "2026-11-13" }));
        Assert.Equal((HttpStatusCode.BadRequest, "reason"),
            await RefusalAsync(host, $"/api/scheduler/cohorts/{cohort.CohortId}/move?dryRun=false", new { start = "2026-11-13", reason = "  " }));
    }

    async Task<(string Path, object Body)> RequestAsync(string change, RecordedCohort cohort)
    {
        const string reason = "Sede en mantenimiento";
        return change switch
        {
            "move_cohort" => ($"/api/scheduler/cohorts/{cohort.CohortId}/move", new { start = "2026-11-13", startTime = "10:00", reason }),
            "move_first_session" => ($"/api/scheduler/sessions/{cohort.SessionIds[0]}/move", new { date = "2026-11-06", reason }),
            "move_last_session" => ($"/api/scheduler/sessions/{cohort.SessionIds[2]}/move", new { date = "2026-11-12", startTime = "16:00", reason }),
            "restaff_venue" => ($"/api/scheduler/cohorts/{cohort.CohortId}/staff", new { venueId = await host.AddVenueAsync("Auditorio Sur", 40), reason }),
            "restaff_trainer" => ($"/api/scheduler/cohorts/{cohort.CohortId}/staff", new { trainerId = await host.AddTrainerAsync("Mtro. Ruiz"), reason }),
            "cancel_cohort" => ($"/api/scheduler/cohorts/{cohort.CohortId}/cancel", new { reason }),
            "cancel_first_session" => ($"/api/scheduler/sessions/{cohort.SessionIds[0]}/cancel", new { reason }),
            "add_member" => ($"/api/scheduler/cohorts/{cohort.CohortId}/members", new { officerId = await host.EnrollAsync(cohort.Sector.SectorId), reason }),
            _ => throw new ArgumentOutOfRangeException(nameof(change)),
        };
    }

    /// <summary>Everything a change may write: SMS rows, sessions, cohorts, members, the change history and the outbox.</summary>
    async Task<string> StateAsync()
    {
        await using var connection = await host.Database.OpenAsync();
        var parts = new List<string>();
        foreach (var sql in new[]
        {
            "SELECT sms_id || ' ' || kind || ' ' || status || ' ' || COALESCE(reason, '') FROM planned_sms ORDER BY sms_id",
            "SELECT session_id || ' ' || local_date || ' ' || starts_at || ' ' || venue_id || ' ' || trainer_id || ' ' || status || ' ' || sequence FROM sessions ORDER BY session_id",
            "SELECT cohort_id || ' ' || venue_id || ' ' || trainer_id || ' ' || status FROM cohorts ORDER BY cohort_id",
            "SELECT cohort_id || ' ' || officer_id || ' ' || COALESCE(removed_at, '') FROM cohort_members ORDER BY cohort_id, officer_id",
            "SELECT 'changes ' || COUNT(*) FROM plan_changes",
            "SELECT 'outbox ' || COUNT(*) FROM outbox_messages",
        })
            parts.AddRange(await connection.QueryAsync<string>(sql));
        return string.Join("\n", parts);
    }

    public async Task DisposeAsync() => await host.DisposeAsync();
}
