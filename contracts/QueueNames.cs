namespace Reminders.Contracts;

/// <summary>Queues that receive commands. Events are published; only commands are sent to a named queue.</summary>
public static class QueueNames
{
    /// <summary>Messaging's own queue for outbound SMS; phone numbers travel only on Messaging's queues.</summary>
    public const string SendSms = "messaging-send-sms";

    /// <summary>Messaging's own queue for contact (phone number) updates.</summary>
    public const string UpdateOfficerContact = "messaging-update-officer-contact";
}
