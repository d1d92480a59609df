namespace Reminders.Contracts;

/// <summary>The provider refused the SMS for good (invalid number, opted out at the carrier...).</summary>
public record SmsFailed(Guid SmsId, Guid OfficerId, string Purpose, int? ErrorCode, string Reason, DateTimeOffset FailedAt);
