namespace Reminders.Contracts;

/// <summary>Reminder <see cref="Number"/> for one officer; <see cref="SmsId"/> is the SendSms id it will be sent with.</summary>
public record PlannedReminder(Guid SmsId, Guid OfficerId, int Number, DateTimeOffset DueAt, string Status, string? Reason);
