namespace Reminders.Contracts;

/// <summary>
/// An officer acknowledged a logistics SMS (OK, SI...): the latest SMS sent to them inside the protocol's window was a
/// logistics one, not a reminder. The invitation asks for this OK to confirm; the Scheduler, which knows which
/// cohort and kind the SMS was, records the confirmation.
/// </summary>
public record LogisticsSmsAcknowledged(Guid SmsId, Guid OfficerId, string Reply, DateTimeOffset ReceivedAt);
