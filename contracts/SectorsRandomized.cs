namespace Reminders.Contracts;

public record SectorsRandomized(Guid RandomizationId, long Seed, IReadOnlyList<SectorArm> Assignments, DateTimeOffset RandomizedAt);
