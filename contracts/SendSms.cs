namespace Reminders.Contracts;

/// <summary>
/// Asks Messaging to send one SMS. <see cref="SmsId"/> is stable across redeliveries and retries:
/// Messaging sends at most one SMS per id.
/// </summary>
public record SendSms(Guid SmsId, Guid OfficerId, string Purpose, string Body, DateTimeOffset RequestedAt);
