namespace Reminders.Contracts;

/// <summary>A cohort's attendance is closed: the Scheduler decides from it who receives reminders.</summary>
public record CohortAttendanceClosed(Guid CohortId, Guid SectorId, string Role, IReadOnlyList<OfficerAttendanceTotal> Officers, DateTimeOffset ClosedAt);
