namespace Reminders.Contracts;

/// <summary>An officer moved to another sector. <see cref="CrossArm"/>: the two sectors are in different arms.</summary>
public record OfficerTransferred(Guid OfficerId, Guid FromSectorId, Guid ToSectorId, bool CrossArm, DateOnly TransferredOn, DateTimeOffset RecordedAt);
