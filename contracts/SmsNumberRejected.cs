namespace Reminders.Contracts;

/// <summary>The provider refused an officer's number for good (21211 invalid, 21614 not a mobile): Enrollment marks it wrong.</summary>
public record SmsNumberRejected(Guid OfficerId, Guid SmsId, int ErrorCode, DateTimeOffset RejectedAt);
