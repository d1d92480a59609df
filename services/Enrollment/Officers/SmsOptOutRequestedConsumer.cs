using MassTransit;
using Reminders.Contracts;
using Reminders.Platform.Data;

namespace Reminders.Enrollment.Officers;

/// <summary>
/// An opt-out keyword: an active officer (or one with a wrong number) stops receiving SMS. A STOP-family keyword also
/// records that the provider now blocks the number, which only START, UNSTOP or YES lift.
/// </summary>
public sealed class SmsOptOutRequestedConsumer(EnrollmentDatabase database) : IConsumer<SmsOptOutRequested>
{
    public async Task Consume(ConsumeContext<SmsOptOutRequested> context)
    {
        var message = context.Message;
        await database.ConsumeOnceAsync(context, nameof(SmsOptOutRequestedConsumer), async (work, ct) =>
        {
            var officer = await ProviderBlocks.ReadForUpdateAsync(work, message.OfficerId, ct);
            if (officer is not null && message.BlockedAtProvider) await ProviderBlocks.RecordAsync(work, message.OfficerId, true, message.ReceivedAt, ct);
            if (officer?.Status is OfficerStatuses.Active or OfficerStatuses.WrongNumber)
                await OfficerStatusChanges.ChangeAsync(work, message.OfficerId, officer.Status, OfficerStatuses.SmsOptedOut, StatusSources.Keyword, "sms",
                    message.BlockedAtProvider ? $"replied {message.Keyword} (blocked at the provider until START)" : $"replied {message.Keyword}",
                    message.ReceivedAt, ct);
        });
    }
}
