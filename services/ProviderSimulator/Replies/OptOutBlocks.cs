namespace Reminders.ProviderSimulator.Replies;

/// <summary>
/// Twilio's built-in opt-out: a reply that is one of its opt-out keywords blocks the number for the sender it answered
/// (and for that sender's Messaging Service) until one of its opt-in keywords comes from the same number. A create to a
/// blocked number is refused with 21610. Only a message that is the keyword alone counts ("STOP", not "stop please").
/// </summary>
internal sealed class OptOutBlocks
{
    public static readonly IReadOnlyList<string> OptOutKeywords = ["STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT"];
    public static readonly IReadOnlyList<string> OptInKeywords = ["START", "UNSTOP", "YES"];

    private readonly HashSet<(string Phone, string Scope)> blocked = [];
    private readonly Lock gate = new();

    /// <summary>Blocks or unblocks <paramref name="from"/> when <paramref name="body"/> is a keyword; the scopes are the sender answered and its service.</summary>
    public void Apply(string from, string body, string to, string? messagingServiceSid)
    {
        var word = body.Trim();
        var optOut = OptOutKeywords.Any(k => string.Equals(k, word, StringComparison.OrdinalIgnoreCase));
        if (!optOut && !OptInKeywords.Any(k => string.Equals(k, word, StringComparison.OrdinalIgnoreCase)))
        {
            return;
        }
        string?[] scopes = [to, messagingServiceSid];
        lock (gate)
        {
            foreach (var scope in scopes.OfType<string>())
            {
                if (optOut)
                {
                    blocked.Add((from, scope));
                }
                else
                {
                    blocked.Remove((from, scope));
                }
            }
        }
    }

    /// <summary>Whether a create to <paramref name="to"/> from this sender (a number, or a service and the number it picks) is blocked.</summary>
    public bool IsBlocked(string to, params string?[] senders)
    {
        lock (gate)
        {
            return senders.OfType<string>().Any(sender => blocked.Contains((to, sender)));
        }
    }

    public void Reset()
    {
        lock (gate)
        {
            blocked.Clear();
        }
    }
}
