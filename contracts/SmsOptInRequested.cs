namespace Reminders.Contracts;

/// <summary>
/// An officer replied with an opt-in keyword (ALTA, START...): the only reply that undoes an opt-out.
/// <see cref="UnblockedAtProvider"/>: the keyword is one the provider acts on itself (START, UNSTOP, YES), so it also
/// lifts the provider's block after a STOP; ALTA alone does not.
/// </summary>
public record SmsOptInRequested(Guid OfficerId, string Keyword, DateTimeOffset ReceivedAt, bool UnblockedAtProvider = false);
