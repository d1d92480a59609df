namespace Reminders.Contracts;

/// <summary>The SMS's current status moved forward (sent, delivered, undelivered, failed); never published backwards.</summary>
public record SmsStatusChanged(Guid SmsId, Guid OfficerId, string Purpose, string Status, int? ErrorCode, DateTimeOffset OccurredAt);
