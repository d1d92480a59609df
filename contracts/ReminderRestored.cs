namespace Reminders.Contracts;

/// <summary>
/// A skipped reminder planned again (the reason it was skipped no longer holds): it is due at <see cref="DueAt"/>, its
/// original due time, or at once when that has passed and its late window is still open. The latest of a reminder's
/// planned, skipped and restored facts (by time) is its state.
/// </summary>
public record ReminderRestored(Guid SmsId, Guid OfficerId, int Number, DateTimeOffset DueAt, string LiftedReason, DateTimeOffset RestoredAt);
