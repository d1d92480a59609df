namespace Reminders.Contracts;

/// <summary>
/// One officer's arm of randomization and the sector it came from. <see cref="EnrolledAfterRandomization"/>: the officer
/// was not on the roster when the sectors were randomized and took the arm of the sector they joined.
/// </summary>
public record OfficerArm(Guid OfficerId, Guid SectorId, string Arm, bool EnrolledAfterRandomization);
