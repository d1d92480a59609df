using MassTransit;
using Reminders.Contracts;
using Reminders.Platform.Data;
using Reminders.Platform.Replica;
using Reminders.Protocol;
using Reminders.Scheduler.Dispatch;
using Reminders.Scheduler.Reminders;

namespace Reminders.Scheduler.Officers;

/// <summary>
/// Consent withdrawn on the roster: from now on no SMS of any kind, and what was still planned is skipped as no_consent
/// (reminders stay in the officer's denominator). Consent given again: the reminders skipped for it and still inside
/// their window are owed again. The training itself is the department's and is not touched.
/// </summary>
public sealed class OfficerConsentChangedConsumer(
    SchedulerDatabase database, StudyProtocol protocol, TimeProvider clock) : IConsumer<OfficerConsentChanged>
{
    static readonly IReadOnlySet<string> LiftedByConsent = new HashSet<string> { SmsSkipReasons.NoConsent };

    public async Task Consume(ConsumeContext<OfficerConsentChanged> context)
    {
        var message = context.Message;
        await database.ConsumeOnceAsync(context, nameof(OfficerConsentChangedConsumer), async (work, ct) =>
        {
            var applied = await OfficerStudyFacts.ApplyConsentAsync(work, message.OfficerId, message.Consent, message.ChangedAt, ct);
            if (applied && !message.Consent)
                await work.ClosePendingForOfficerAsync(message.OfficerId, PlannedSmsStatuses.Skipped, SmsSkipReasons.NoConsent, message.ChangedAt, ct);
            else if (applied)
                await ReminderRestorer.RestoreAsync(work, [message.OfficerId], LiftedByConsent, protocol, clock.GetUtcNow(), ct);
        });
    }
}
