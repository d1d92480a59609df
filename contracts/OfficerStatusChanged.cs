namespace Reminders.Contracts;

/// <summary>An officer's study status changed (source: import, manager or keyword). Pseudonymous.</summary>
public record OfficerStatusChanged(Guid OfficerId, string Status, string PreviousStatus, string Source, DateTimeOffset ChangedAt);
