namespace Reminders.Contracts;

/// <summary>
/// The provider refused an officer's number for good: 21211 (invalid) or 21614 (not a mobile) make it a wrong number,
/// 21610 (the number opted out at the carrier) an opt-out. Enrollment records the status with the provider as its source.
/// </summary>
public record SmsNumberRejected(Guid OfficerId, Guid SmsId, int ErrorCode, DateTimeOffset RejectedAt);
