namespace Reminders.Contracts;

/// <summary>A committed randomization was voided by a manager before any training or SMS: its arms no longer hold.</summary>
public record RandomizationVoided(Guid RandomizationId, IReadOnlyList<Guid> SectorIds, DateTimeOffset VoidedAt);
