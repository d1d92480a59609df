namespace Reminders.Contracts;

/// <summary>An officer acknowledged a reminder (OK, SI, RECIBIDO, 1...): the latest one sent to them inside the protocol's window.</summary>
public record ReminderAcknowledged(Guid SmsId, Guid OfficerId, string Reply, DateTimeOffset ReceivedAt);
