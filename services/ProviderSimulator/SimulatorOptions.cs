namespace Reminders.ProviderSimulator;

/// <summary>Configuration section <c>Simulator</c>.</summary>
public sealed class SimulatorOptions
{
    public const string SectionName = "Simulator";

    /// <summary>The header the control routes (<c>/simulator/*</c>) read <see cref="ControlKey"/> from.</summary>
    public const string ControlKeyHeader = "X-Simulator-Key";

    public string AccountSid { get; set; } = "ACsimulator00000000000000000000000";

    public string AuthToken { get; set; } = "simulator-fake-auth-token";

    /// <summary>The key the control routes take in <see cref="ControlKeyHeader"/>; required (the local host makes one per run).</summary>
    public string ControlKey { get; set; } = "";

    /// <summary>Where simulated officer replies (<c>POST /simulator/replies</c>) are delivered as inbound-SMS webhooks.</summary>
    public string? InboundWebhookUrl { get; set; }

    /// <summary>Accepted creates per sender (From, else MessagingServiceSid) in any 1-second window; 0 or less turns the limit off.</summary>
    public int MessagesPerSecondPerSender { get; set; } = 10;

    /// <summary>Time from acceptance to <c>sent</c>.</summary>
    public int SentDelayMs { get; set; } = 20;

    /// <summary>Time from <c>sent</c> to the final status (<c>delivered</c>, <c>undelivered</c> or <c>failed</c>).</summary>
    public int DeliveredDelayMs { get; set; } = 50;

    /// <summary>The number a Messaging Service "picks" for a message sent with MessagingServiceSid and no From.</summary>
    public string MessagingServiceFrom { get; set; } = "+15005550006";

    public int CallbackTimeoutMs { get; set; } = 5000;

    /// <summary>Attempts per status callback; connection errors, timeouts and 5xx are retried, 4xx is not.</summary>
    public int CallbackMaxAttempts { get; set; } = 3;

    /// <summary>First retry delay; it doubles on each further attempt.</summary>
    public int CallbackRetryDelayMs { get; set; } = 100;

    /// <summary>Parallel callback senders; callbacks of one message always go through the same one, in order.</summary>
    public int CallbackConcurrency { get; set; } = 8;

    /// <summary>When set, every accepted message is also appended to this CSV file (as at acceptance).</summary>
    public string? LogPath { get; set; }

    public OutcomeRules Outcomes { get; set; } = new();
}

/// <summary>
/// Numbers matched by prefix against <c>To</c> (a full E.164 number matches itself).
/// Invalid, Landline and OptedOut are refused at create; Undelivered and Failed are accepted and end that way.
/// </summary>
public sealed class OutcomeRules
{
    /// <summary>Refused with 21211.</summary>
    public List<string> Invalid { get; set; } = [];

    /// <summary>Refused with 21614.</summary>
    public List<string> Landline { get; set; } = [];

    /// <summary>Refused with 21610.</summary>
    public List<string> OptedOut { get; set; } = [];

    /// <summary>Accepted, then <c>sent</c>, then <c>undelivered</c> with 30003.</summary>
    public List<string> Undelivered { get; set; } = [];

    /// <summary>Accepted, then <c>sent</c>, then <c>failed</c> with 30008.</summary>
    public List<string> Failed { get; set; } = [];

    internal static bool Matches(List<string> prefixes, string to) =>
        prefixes.Exists(p => p.Length > 0 && to.StartsWith(p, StringComparison.Ordinal));
}
