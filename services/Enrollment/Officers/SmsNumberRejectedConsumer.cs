using MassTransit;
using Reminders.Contracts;
using Reminders.Platform.Data;

namespace Reminders.Enrollment.Officers;

/// <summary>
/// The provider refused an officer's number for good: the status becomes wrong_number until the roster fixes it, or
/// sms_opted_out when the carrier says the number opted out (recorded as blocked at the provider: only START lifts it).
/// </summary>
public sealed class SmsNumberRejectedConsumer(EnrollmentDatabase database) : IConsumer<SmsNumberRejected>
{
    const int CarrierOptOut = 21610;

    public async Task Consume(ConsumeContext<SmsNumberRejected> context)
    {
        var message = context.Message;
        await database.ConsumeOnceAsync(context, nameof(SmsNumberRejectedConsumer), async (work, ct) =>
        {
            var current = (await ProviderBlocks.ReadForUpdateAsync(work, message.OfficerId, ct))?.Status;
            // The provider refuses every SMS to the number until START, UNSTOP or YES comes from it; a refusal from before a
            // START that reached us first is history, not the number's state.
            if (current is not null && message.ErrorCode == CarrierOptOut && !await ProviderBlocks.RecordAsync(work, message.OfficerId, true, message.RejectedAt, ct))
                current = null;
            // 21610: the number opted out at the carrier (it sent STOP to our sender); anything else: the number cannot take SMS.
            var (status, reason, from) = message.ErrorCode == CarrierOptOut
                ? (OfficerStatuses.SmsOptedOut, $"the provider reports the number opted out ({message.ErrorCode})", new[] { OfficerStatuses.Active, OfficerStatuses.WrongNumber })
                : (OfficerStatuses.WrongNumber, $"the provider refused the number ({message.ErrorCode})", new[] { OfficerStatuses.Active });
            if (current is not null && from.Contains(current))
                await OfficerStatusChanges.ChangeAsync(work, message.OfficerId, current, status, StatusSources.Provider, "sms", reason, message.RejectedAt, ct);
        });
    }
}
