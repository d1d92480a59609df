namespace Reminders.Contracts;

/// <summary>
/// Asks Messaging to send one SMS. <see cref="SmsId"/> is stable across redeliveries and retries:
/// Messaging sends at most one SMS per id. <see cref="TimeZone"/>: the IANA zone of the officer's sector, whose quiet
/// hours apply (null: the protocol's). <see cref="SendBy"/>: the end of the SMS's late window (the earlier of its window
/// end and the cut-off); one that meets quiet hours is held until the window opens if that is before this instant, and
/// skipped as missed_window otherwise (null: no deadline, held however long).
/// </summary>
public record SendSms(Guid SmsId, Guid OfficerId, string Purpose, string Body, DateTimeOffset RequestedAt, string? TimeZone = null,
    DateTimeOffset? SendBy = null);
