namespace Reminders.Contracts;

/// <summary>
/// Where Messaging is with one SMS, as <c>POST /api/messaging/sms/states</c> answers the Scheduler's re-dispatch job:
/// its send state (new, sending, retrying, accepted, failed, refused, in_doubt_ambiguous...) and provider status.
/// </summary>
public sealed record SmsState(Guid SmsId, string State, string? Status);
