namespace Reminders.Contracts;

/// <summary>
/// Officers' arms of randomization: every officer on the roster when the sectors were randomized (the arm of the sector
/// they were in then), or one officer enrolled afterwards (the arm of the sector they joined). This arm, never the current
/// sector's, decides who is trained and messaged. Published in chunks; pseudonymous.
/// </summary>
public record OfficerArmsAssigned(Guid RandomizationId, IReadOnlyList<OfficerArm> Officers, DateTimeOffset AssignedAt);
