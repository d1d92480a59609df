using MassTransit;
using Reminders.Contracts;
using Reminders.Platform.Data;

namespace Reminders.Enrollment.Officers;

/// <summary>
/// An opt-in keyword is the only reply that undoes an opt-out; it changes no other status. While the provider blocks
/// the number (after STOP or a 21610) only START, UNSTOP or YES lift the block, so ALTA leaves the officer opted out:
/// an active status would promise SMS the provider refuses.
/// </summary>
public sealed class SmsOptInRequestedConsumer(EnrollmentDatabase database) : IConsumer<SmsOptInRequested>
{
    public async Task Consume(ConsumeContext<SmsOptInRequested> context)
    {
        var message = context.Message;
        await database.ConsumeOnceAsync(context, nameof(SmsOptInRequestedConsumer), async (work, ct) =>
        {
            var officer = await ProviderBlocks.ReadForUpdateAsync(work, message.OfficerId, ct);
            if (officer is null) return;
            var blocked = message.UnblockedAtProvider
                ? await ProviderBlocks.RecordAsync(work, message.OfficerId, false, message.ReceivedAt, ct)
                : officer.BlockedAtProvider;
            if (officer.Status == OfficerStatuses.SmsOptedOut && !blocked)
                await OfficerStatusChanges.ChangeAsync(work, message.OfficerId, officer.Status, OfficerStatuses.Active, StatusSources.Keyword,
                    "sms", $"replied {message.Keyword}", message.ReceivedAt, ct);
        });
    }
}
