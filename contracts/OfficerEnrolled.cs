namespace Reminders.Contracts;

/// <summary>
/// Pseudonymous: never carries a name, badge or phone number. <see cref="Consent"/>: the roster's consent to SMS
/// (true in messages sent before it was carried).
/// </summary>
public record OfficerEnrolled(Guid OfficerId, Guid SectorId, string Role, DateTimeOffset EnrolledAt, bool Consent = true);
