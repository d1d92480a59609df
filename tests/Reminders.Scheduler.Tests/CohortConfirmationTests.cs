using Reminders.Contracts;
using Reminders.Scheduler.Dispatch;
using Reminders.Scheduler.Tests.Infrastructure;
using static Reminders.Scheduler.Tests.Infrastructure.SchedulerHost;
using static Reminders.Scheduler.Tests.Infrastructure.TrainingScenario;

namespace Reminders.Scheduler.Tests;

/// <summary>
/// An OK to a logistics SMS confirms the officer in that SMS's cohort when it invited them (invitation, change notice,
/// day-before reminder), once; an OK to a cancellation, or to an SMS the Scheduler did not plan, confirms nothing.
/// </summary>
public sealed class CohortConfirmationTests : IAsyncLifetime
{
    SchedulerHost host = null!;

    public Task InitializeAsync()
    {
        host = Sqlite();
        return Task.CompletedTask;
    }

    async Task AcknowledgeAsync(Guid smsId, Guid officerId)
    {
        await host.PublishAsync(new LogisticsSmsAcknowledged(smsId, officerId, "OK", host.Now));
        await EventuallyAsync("the acknowledgment is handled", async () =>
            await host.ScalarAsync<long>("SELECT COUNT(*) FROM inbox_messages WHERE consumer = 'LogisticsSmsAcknowledgedConsumer'") > 0);
    }

    [Fact]
    public async Task An_OK_to_the_invitation_confirms_the_officer_in_its_cohort_once()
    {
        var (cohort, invited, _) = await InvitedAndNotYetToldAsync(host);
        var invitation = (await host.PlannedSmsAsync(cohort.CohortId)).First(r => r.Kind == PlannedSmsKinds.Invitation && r.OfficerId == invited[0]);

        await AcknowledgeAsync(invitation.SmsId, invited[0]);
        await host.PublishAsync(new LogisticsSmsAcknowledged(invitation.SmsId, invited[0], "SI", host.Now.AddMinutes(5)));
        await EventuallyAsync("both acknowledgments are handled", async () =>
            await host.ScalarAsync<long>("SELECT COUNT(*) FROM inbox_messages WHERE consumer = 'LogisticsSmsAcknowledgedConsumer'") == 2);

        var detail = await host.CohortAsync(cohort.CohortId);
        Assert.Equal(1, detail.Cohort.ConfirmedByReplyingOk);
        var confirmed = Assert.Single(detail.Confirmations, c => c.Confirmed);
        Assert.Equal(invited[0], confirmed.OfficerId);
        Assert.NotNull(confirmed.ConfirmedAt);
        Assert.Equal(detail.Members.Order(), detail.Confirmations.Select(c => c.OfficerId).Order());
    }

    [Fact]
    public async Task An_OK_to_a_cancellation_or_to_an_sms_the_Scheduler_did_not_plan_confirms_nothing()
    {
        var (cohort, invited, _) = await InvitedAndNotYetToldAsync(host);
        await ChangeAsync(host, $"/api/scheduler/cohorts/{cohort.CohortId}/cancel", new { reason = "Sin sede" });
        var cancellation = (await host.PlannedSmsAsync(cohort.CohortId)).First(r => r.Kind == PlannedSmsKinds.Cancellation);

        await AcknowledgeAsync(cancellation.SmsId, cancellation.OfficerId);
        await host.PublishAsync(new LogisticsSmsAcknowledged(Guid.NewGuid(), invited[1], "OK", host.Now));
        await EventuallyAsync("both acknowledgments are handled", async () =>
            await host.ScalarAsync<long>("SELECT COUNT(*) FROM inbox_messages WHERE consumer = 'LogisticsSmsAcknowledgedConsumer'") == 2);

        Assert.Equal(0, await host.ScalarAsync<long>("SELECT COUNT(*) FROM cohort_confirmations"));
        Assert.Equal(0, (await host.CohortAsync(cohort.CohortId)).Cohort.ConfirmedByReplyingOk);
    }

    public async Task DisposeAsync() => await host.DisposeAsync();
}
