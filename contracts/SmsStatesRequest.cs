namespace Reminders.Contracts;

/// <summary>The SMS ids <c>POST /api/messaging/sms/states</c> is asked about (at most 1,000); ids Messaging never received are left out of the answer.</summary>
public sealed record SmsStatesRequest(IReadOnlyList<Guid> SmsIds);
