using MassTransit;
using Reminders.Contracts;
using Reminders.Platform.Data;

namespace Reminders.Attendance.Dosage;

/// <summary>Messaging refused to send: a refused reminder counts as skipped, with the refusal as its reason.</summary>
public sealed class SmsRefusedConsumer(AttendanceDatabase database) : IConsumer<SmsRefused>
{
    public Task Consume(ConsumeContext<SmsRefused> context) =>
        SmsLedger.FoldOnceAsync(database, context, nameof(SmsRefusedConsumer), Fold(context.Message));

    internal static SmsLedgerFold Fold(SmsRefused m) =>
        new(m.SmsId, m.OfficerId, m.Purpose,
            new SmsHistoryEntry("refused", null, null, m.Reason, m.RefusedAt),
            "UPDATE sms_ledger SET refusal_reason = @Reason, updated_at = @RefusedAt WHERE sms_id = @SmsId",
            new { m.SmsId, m.Reason, m.RefusedAt });
}
