using MassTransit;
using Reminders.Contracts;

namespace Reminders.Attendance.Dosage;

/// <summary>
/// Folds a batch of Messaging's SMS events in one transaction and one round trip, in the order they came. Each event is
/// recorded under the consumer that folds it alone, so it is folded once whether it arrives alone, in this batch or in another.
/// </summary>
public sealed class SmsEventsBatchConsumer(AttendanceDatabase database) : IConsumer<SmsEventsBatch>
{
    public Task Consume(ConsumeContext<SmsEventsBatch> context) =>
        database.ConsumeEachOnceAsync(context, context.Message.Events, e => (ConsumerOf(e), e.MessageId),
            (work, events, ct) => SmsLedger.ApplyAsync(work, [.. events.Select(Fold)], ct));

    static string ConsumerOf(SmsEvent e) => e switch
    {
        { Accepted: not null } => nameof(SmsAcceptedConsumer),
        { StatusChanged: not null } => nameof(SmsStatusChangedConsumer),
        { Failed: not null } => nameof(SmsFailedConsumer),
        _ => throw new InvalidOperationException($"SMS event {e.MessageId} carries no event."),
    };

    static SmsLedgerFold Fold(SmsEvent e) => e switch
    {
        { Accepted: { } accepted } => SmsAcceptedConsumer.Fold(accepted),
        { StatusChanged: { } changed } => SmsStatusChangedConsumer.Fold(changed),
        { Failed: { } failed } => SmsFailedConsumer.Fold(failed),
        _ => throw new InvalidOperationException($"SMS event {e.MessageId} carries no event."),
    };
}
