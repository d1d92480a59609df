using MassTransit;
using Reminders.Contracts;
using Reminders.Platform.Data;
using Reminders.Platform.Replica;
using Reminders.Scheduler.Dispatch;

namespace Reminders.Scheduler.Officers;

/// <summary>
/// Consent withdrawn on the roster: from now on no SMS of any kind, and what was still planned is skipped as no_consent
/// (reminders stay in the officer's denominator). The training itself is the department's and is not touched.
/// </summary>
public sealed class OfficerConsentChangedConsumer([FromKeyedServices(SchedulerService.Name)] ServiceDatabase database) : IConsumer<OfficerConsentChanged>
{
    public async Task Consume(ConsumeContext<OfficerConsentChanged> context)
    {
        var (message, ct) = (context.Message, context.CancellationToken);
        await using var work = await database.BeginAsync(ct);
        if (!await work.TryRecordInboxAsync(context.MessageId!.Value, nameof(OfficerConsentChangedConsumer), ct)) return;
        var applied = await OfficerStudyFacts.ApplyConsentAsync(work, message.OfficerId, message.Consent, message.ChangedAt, ct);
        if (applied && !message.Consent)
            await work.ClosePendingForOfficerAsync(message.OfficerId, PlannedSmsStatuses.Skipped, SmsSkipReasons.NoConsent, message.ChangedAt, ct);
        await work.CommitAsync(ct);
    }
}
