namespace Reminders.Contracts;

/// <summary>An officer replied with the opt-in keyword (ALTA): the only reply that undoes an opt-out.</summary>
public record SmsOptInRequested(Guid OfficerId, string Keyword, DateTimeOffset ReceivedAt);
