namespace Reminders.ProviderSimulator.Log;

/// <summary>The values of Twilio's <c>message_enum_status</c> that the simulator produces.</summary>
public static class MessageStatuses
{
    public const string Accepted = "accepted";
    public const string Queued = "queued";
    public const string Sent = "sent";
    public const string Delivered = "delivered";
    public const string Undelivered = "undelivered";
    public const string Failed = "failed";
}
