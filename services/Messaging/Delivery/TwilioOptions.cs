namespace Reminders.Messaging.Delivery;

/// <summary>Configuration section <c>Messaging:Twilio</c>. Credentials come from configuration or the environment, never the repo.</summary>
public sealed class TwilioOptions
{
    public const string Section = "Messaging:Twilio";

    public string AccountSid { get; set; } = "";
    public string AuthToken { get; set; } = "";

    /// <summary>A Twilio-compatible base URL (the provider simulator); empty talks to Twilio itself.</summary>
    public string? BaseUrl { get; set; }

    /// <summary>The sender number; or <see cref="Senders"/> for a pool of numbers; or <see cref="MessagingServiceSid"/> for Twilio's own pool.</summary>
    public string? From { get; set; }
    /// <summary>Several sender numbers, each paced at <see cref="MessagesPerSecondPerSender"/>; every SMS goes from the one free soonest.</summary>
    public List<string> Senders { get; set; } = [];
    public string? MessagingServiceSid { get; set; }

    /// <summary>
    /// What each sender may send per second (long code 1, toll-free 3, alphanumeric 10, short code 100+; for a Messaging
    /// Service, the whole service's rate). Sends are given slots 1/rate apart, shared by all Messaging instances, so the
    /// slots never exceed it in any one-second window; what reaches the provider can bunch by a few tens of
    /// milliseconds (database and network), so set it a little under the provider's limit (a 429 is retried anyway).
    /// 0 turns pacing off (a provider with no limit, as in benchmarks).
    /// </summary>
    public double MessagesPerSecondPerSender { get; set; } = 1;

    /// <summary>The senders to pace: the service, the pool, or the one number.</summary>
    public IReadOnlyList<string> SenderKeys =>
        !string.IsNullOrEmpty(MessagingServiceSid) ? [MessagingServiceSid] : Senders.Count > 0 ? Senders : [From ?? ""];

    /// <summary>How long one provider request may take before the send counts as in doubt.</summary>
    public int RequestTimeoutSeconds { get; set; } = 10;

    /// <summary>
    /// How far outside a request's own time window a provider message may be dated and still be that request's, when a send in
    /// doubt is looked up (the provider's times are whole seconds, its clock is not ours).
    /// </summary>
    public int LookupClockSkewSeconds { get; set; } = 5;

    /// <summary>While the provider refuses the credentials, how often they are tried again (sending resumes on the first success).</summary>
    public int CredentialsProbeSeconds { get; set; } = 2;
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
