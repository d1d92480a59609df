namespace Reminders.Contracts;

/// <summary>One event of an <see cref="SmsEventsBatch"/>, with the message id it was written with: exactly one of the three is set.</summary>
public record SmsEvent(Guid MessageId, SmsAccepted? Accepted = null, SmsStatusChanged? StatusChanged = null, SmsFailed? Failed = null);
