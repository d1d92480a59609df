namespace Reminders.Contracts;

/// <summary>An officer's role changed (officer ↔ commander). Pseudonymous.</summary>
public record OfficerChanged(Guid OfficerId, string Role, DateTimeOffset ChangedAt);
