namespace Reminders.Contracts;

/// <summary>
/// An officer replied with an opt-out keyword (BAJA, ALTO, STOP...). Enrollment records the status change.
/// <see cref="BlockedAtProvider"/>: the keyword is one the provider acts on itself (STOP family), so the provider now
/// refuses every SMS to the number until START, UNSTOP or YES; our own opt-in (ALTA) cannot lift that.
/// </summary>
public record SmsOptOutRequested(Guid OfficerId, string Keyword, DateTimeOffset ReceivedAt, bool BlockedAtProvider = false);
