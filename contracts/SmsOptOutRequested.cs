namespace Reminders.Contracts;

/// <summary>An officer replied with an opt-out keyword (BAJA, ALTO, STOP...). Enrollment records the status change.</summary>
public record SmsOptOutRequested(Guid OfficerId, string Keyword, DateTimeOffset ReceivedAt);
