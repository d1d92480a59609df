using MassTransit;
using Reminders.Contracts;
using Reminders.Platform.Data;

namespace Reminders.Attendance.Dosage;

/// <summary>A planned reminder that will not be sent (skipped, or cancelled by a plan change); it may arrive before the plan.</summary>
public sealed class ReminderSkippedConsumer([FromKeyedServices(AttendanceService.Name)] ServiceDatabase database) : IConsumer<ReminderSkipped>
{
    public async Task Consume(ConsumeContext<ReminderSkipped> context)
    {
        var (m, ct) = (context.Message, context.CancellationToken);
        await using var work = await database.BeginAsync(ct);
        if (!await work.TryRecordInboxAsync(context.MessageId!.Value, nameof(ReminderSkippedConsumer), ct)) return;
        await work.ExecuteAsync("""
            INSERT INTO reminder_ledger (sms_id, officer_id, number, skip_reason, skipped_at) VALUES (@SmsId, @OfficerId, @Number, @Reason, @SkippedAt)
            ON CONFLICT (sms_id) DO UPDATE SET number = COALESCE(reminder_ledger.number, excluded.number),
                skip_reason = COALESCE(reminder_ledger.skip_reason, excluded.skip_reason),
                skipped_at = COALESCE(reminder_ledger.skipped_at, excluded.skipped_at)
            """, new { m.SmsId, m.OfficerId, m.Number, m.Reason, m.SkippedAt }, ct);
        await work.CommitAsync(ct);
    }
}
