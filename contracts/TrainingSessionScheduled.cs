namespace Reminders.Contracts;

/// <summary>
/// One day of a cohort's training, planned (or re-planned) with its local date and exact times. Published again with
/// a later <see cref="ScheduledAt"/> when the session moves; the latest wins. <see cref="TimeZone"/>: the sector's IANA
/// zone, on whose wall clock the date and roll-call times are read (null: the protocol's).
/// </summary>
public record TrainingSessionScheduled(
    Guid SessionId, Guid CohortId, Guid SectorId, string Role, int DayNumber, DateOnly Date,
    DateTimeOffset StartsAt, DateTimeOffset EndsAt, string Venue, Guid TrainerId, string ProtocolVersion, DateTimeOffset ScheduledAt,
    string? TimeZone = null);
