using MassTransit;
using Reminders.Contracts;
using Reminders.Platform.Data;
using Reminders.Platform.Replica;
using Reminders.Protocol;
using Reminders.Scheduler.Dispatch;

namespace Reminders.Scheduler.Officers;

/// <summary>
/// A transfer: what was planned around the old sector's training (logistics) no longer applies. Reminders follow the
/// officer: within the same arm they keep coming (same phone, same dose); across arms the protocol decides
/// (<c>transfers.crossArm</c>), and stopped ones are skipped as transferred_cross_arm so they stay in the denominator.
/// </summary>
public sealed class OfficerTransferredConsumer(SchedulerDatabase database, StudyProtocol protocol)
    : IConsumer<OfficerTransferred>
{
    public async Task Consume(ConsumeContext<OfficerTransferred> context)
    {
        var message = context.Message;
        await database.ConsumeOnceAsync(context, nameof(OfficerTransferredConsumer), async (work, ct) =>
        {
            if (await OfficerReplica.TransferAsync(work, message, ct))
            {
                var pending = await work.QueryAsync<PlannedSms>(
                    $"SELECT {PlannedSmsStore.Columns} FROM planned_sms WHERE officer_id = @OfficerId AND status = 'planned'", message, ct);
                await work.CloseAsync(pending.Where(p => p.Kind != PlannedSmsKinds.Reminder).Select(p => p.SmsId),
                    PlannedSmsStatuses.Cancelled, SmsSkipReasons.Transferred, message.RecordedAt, ct);
                if (message.CrossArm && protocol.Transfers.CrossArm == CrossArmTransfer.Stop)
                {
                    var reminders = pending.Where(p => p.Kind == PlannedSmsKinds.Reminder).ToList();
                    await work.CloseAsync(reminders.Select(p => p.SmsId), PlannedSmsStatuses.Skipped, SmsSkipReasons.TransferredCrossArm, message.RecordedAt, ct);
                    work.PublishSkippedReminders(reminders, SmsSkipReasons.TransferredCrossArm, message.RecordedAt);
                }
            }
        });
    }
}
