namespace Reminders.Contracts;

/// <summary>Pseudonymous: never carries a name, badge or phone number.</summary>
public record OfficerEnrolled(Guid OfficerId, Guid SectorId, string Role, DateTimeOffset EnrolledAt);
