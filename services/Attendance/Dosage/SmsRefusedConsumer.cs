using MassTransit;
using Reminders.Contracts;
using Reminders.Platform.Data;

namespace Reminders.Attendance.Dosage;

/// <summary>Messaging refused to send: a refused reminder counts as skipped, with the refusal as its reason.</summary>
public sealed class SmsRefusedConsumer(AttendanceDatabase database) : IConsumer<SmsRefused>
{
    public Task Consume(ConsumeContext<SmsRefused> context)
    {
        var m = context.Message;
        return SmsLedger.FoldAsync(database, context, nameof(SmsRefusedConsumer), m.SmsId, m.OfficerId, m.Purpose,
            new SmsHistoryEntry("refused", null, null, m.Reason, m.RefusedAt),
            "UPDATE sms_ledger SET refusal_reason = @Reason, updated_at = @RefusedAt WHERE sms_id = @SmsId",
            new { m.SmsId, m.Reason, m.RefusedAt });
    }
}
