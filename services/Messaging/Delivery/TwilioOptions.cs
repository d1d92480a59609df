namespace Reminders.Messaging.Delivery;

/// <summary>Configuration section <c>Messaging:Twilio</c>. Credentials come from configuration or the environment, never the repo.</summary>
public sealed class TwilioOptions
{
    public const string Section = "Messaging:Twilio";

    public string AccountSid { get; set; } = "";
    public string AuthToken { get; set; } = "";

    /// <summary>A Twilio-compatible base URL (the provider simulator); empty talks to Twilio itself.</summary>
    public string? BaseUrl { get; set; }

    /// <summary>The sender number; or use <see cref="MessagingServiceSid"/> for a pool of senders.</summary>
    public string? From { get; set; }
    public string? MessagingServiceSid { get; set; }

    /// <summary>How long one provider request may take before the send counts as in doubt.</summary>
    public int RequestTimeoutSeconds { get; set; } = 10;
}

/// <summary>Configuration section <c>Messaging</c>.</summary>
public sealed class MessagingOptions
{
    public const string Section = "Messaging";

    /// <summary>The address the provider reaches Messaging's webhooks at (status callbacks are built on it and signatures checked against it).</summary>
    public string? PublicBaseUrl { get; set; }

    /// <summary>How long a SendSms for an officer whose arm or phone Messaging has not learned yet is retried before it is refused.</summary>
    public int ReplicaWaitSeconds { get; set; } = 120;

    public TimeSpan ReplicaWait => TimeSpan.FromSeconds(ReplicaWaitSeconds);
}
