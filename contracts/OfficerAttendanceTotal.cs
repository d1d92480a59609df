namespace Reminders.Contracts;

/// <summary>One officer's attendance over a closed cohort: minutes against the plan and sessions attended.</summary>
public record OfficerAttendanceTotal(Guid OfficerId, int MinutesAttended, int MinutesPlanned, int SessionsAttended, int Sessions, bool WalkIn);
