namespace Reminders.Contracts;

/// <summary>A planned reminder that will not be sent, with the reason (see <see cref="SmsSkipReasons"/>).</summary>
public record ReminderSkipped(Guid SmsId, Guid OfficerId, int Number, string Reason, DateTimeOffset SkippedAt);
