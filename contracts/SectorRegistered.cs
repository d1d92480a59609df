namespace Reminders.Contracts;

/// <summary>
/// A sector was loaded, or its name or time zone changed (the latest <see cref="RegisteredAt"/> wins). <see cref="TimeZone"/>:
/// its IANA zone when it is not the protocol's (null: the protocol's).
/// </summary>
public record SectorRegistered(Guid SectorId, string SectorCode, string Name, DateTimeOffset RegisteredAt, string? TimeZone = null);
