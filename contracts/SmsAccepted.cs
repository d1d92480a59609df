namespace Reminders.Contracts;

/// <summary>The provider took the SMS (Twilio answered with a message sid).</summary>
public record SmsAccepted(Guid SmsId, Guid OfficerId, string Purpose, string ProviderMessageId, int Segments, DateTimeOffset AcceptedAt);
