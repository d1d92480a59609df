namespace Reminders.Contracts;

/// <summary>
/// The reminders planned when a cohort's attendance closed: one entry per officer × reminder, eligible or not
/// (skipped entries carry their reason), so the denominator of what each officer was owed is known.
/// </summary>
public record RemindersPlanned(Guid CohortId, string ProtocolVersion, IReadOnlyList<PlannedReminder> Reminders, DateTimeOffset PlannedAt);
