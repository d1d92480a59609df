using Reminders.Contracts;
using Reminders.Platform.Outbox;

namespace Reminders.Messaging.Delivery;

/// <summary>
/// Every SMS brings three events (accepted, sent, delivered) that only the ledger and the study's start need: the outbox
/// relay publishes those of one round as one <see cref="SmsEventsBatch"/>, not a message each.
/// </summary>
public static class SmsEventsEnvelope
{
    public static OutboxEnvelope For(string service) =>
        new(service, [typeof(SmsAccepted), typeof(SmsStatusChanged), typeof(SmsFailed)], Wrap);

    static SmsEventsBatch Wrap(IReadOnlyList<OutboxEvent> events) => new([.. events.Select(e => e.Message switch
    {
        SmsAccepted accepted => new SmsEvent(e.MessageId, Accepted: accepted),
        SmsStatusChanged changed => new SmsEvent(e.MessageId, StatusChanged: changed),
        SmsFailed failed => new SmsEvent(e.MessageId, Failed: failed),
        var other => throw new InvalidOperationException($"{other.GetType().Name} is not an SMS event of the batch."),
    })]);
}
