namespace Reminders.Contracts;

public record SectorRegistered(Guid SectorId, string SectorCode, string Name, DateTimeOffset RegisteredAt);
