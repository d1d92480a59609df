namespace Reminders.Contracts;

/// <summary>Command sent only to Messaging's own queue: the one message that carries a phone number.</summary>
public record UpdateOfficerContact(Guid OfficerId, string PhoneE164, DateTimeOffset ChangedAt);
