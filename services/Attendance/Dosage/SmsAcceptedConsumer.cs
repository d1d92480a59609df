using MassTransit;
using Reminders.Contracts;
using Reminders.Platform;
using Reminders.Platform.Data;

namespace Reminders.Attendance.Dosage;

public sealed class SmsAcceptedConsumer(AttendanceDatabase database) : IConsumer<SmsAccepted>
{
    public Task Consume(ConsumeContext<SmsAccepted> context) =>
        SmsLedger.FoldOnceAsync(database, context, nameof(SmsAcceptedConsumer), Fold(context.Message));

    internal static SmsLedgerFold Fold(SmsAccepted m) =>
        new(m.SmsId, m.OfficerId, m.Purpose,
            new SmsHistoryEntry("accepted", "queued", null, m.ProviderMessageId, m.AcceptedAt), """
            UPDATE sms_ledger SET accepted = @accepted, accepted_at = @AcceptedAt, segments = @Segments, provider_sid = @ProviderMessageId,
                updated_at = @AcceptedAt,
                status = CASE WHEN status_rank < @rank THEN 'queued' ELSE status END,
                status_rank = CASE WHEN status_rank < @rank THEN @rank ELSE status_rank END
            WHERE sms_id = @SmsId
            """, new { m.SmsId, m.AcceptedAt, m.Segments, m.ProviderMessageId, accepted = true, rank = SmsStatuses.Rank("queued") });
}
