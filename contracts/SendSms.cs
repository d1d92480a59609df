namespace Reminders.Contracts;

/// <summary>
/// Asks Messaging to send one SMS. <see cref="SmsId"/> is stable across redeliveries and retries:
/// Messaging sends at most one SMS per id. <see cref="TimeZone"/>: the IANA zone of the officer's sector, whose quiet
/// hours apply (null: the protocol's).
/// </summary>
public record SendSms(Guid SmsId, Guid OfficerId, string Purpose, string Body, DateTimeOffset RequestedAt, string? TimeZone = null);
