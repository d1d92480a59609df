namespace Reminders.Contracts;

/// <summary>
/// Messaging's SMS events relayed together, one message per relayed outbox batch, in the order they were committed: every
/// SMS brings three events, and a message each was most of the bus's work and of the ledger's. Each event keeps the message
/// id it was written with, so a consumer recognises one it already handled, alone or in another batch.
/// </summary>
public record SmsEventsBatch(IReadOnlyList<SmsEvent> Events);
