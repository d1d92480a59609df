namespace Reminders.Contracts;

/// <summary>Everyone now expected in a cohort (the whole list, not a difference: the latest <see cref="ChangedAt"/> wins).</summary>
public record CohortMembersChanged(Guid CohortId, Guid SectorId, string Role, IReadOnlyList<Guid> OfficerIds, DateTimeOffset ChangedAt);
