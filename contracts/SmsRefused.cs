namespace Reminders.Contracts;

/// <summary>Messaging refused to send (control arm, no contact, opted out...): no request reached the provider.</summary>
public record SmsRefused(Guid SmsId, Guid OfficerId, string Purpose, string Reason, DateTimeOffset RefusedAt);
