using System.Collections.Immutable;
using System.Globalization;
using System.Text;

namespace Reminders.Protocol;

public enum KeywordCategory { None, Acknowledge, OptOut, OptIn, Help }

/// <summary>What the SMS provider itself does with a reply, before it reaches us.</summary>
public enum ProviderAction { None, Block, Unblock }

/// <summary>
/// The reply keywords. A reply matches a keyword when both are equal after <see cref="Normalize"/>: " Sí. " is "SI",
/// "ok!" is "OK". The loader refuses a file where two categories share a normalized keyword, so a reply means one thing.
/// <see cref="ProviderOptOut"/> and <see cref="ProviderOptIn"/> are the provider's own keywords (Twilio's by default):
/// they are opt-out and opt-in replies too, and the provider blocks the number after the first until one of the second.
/// </summary>
public sealed record KeywordRules(
    ImmutableArray<string> Acknowledge,
    ImmutableArray<string> OptOut,
    ImmutableArray<string> OptIn,
    ImmutableArray<string> Help,
    int AcknowledgeWindowDays,
    ByRole<SmsTemplate> HelpReply,
    ByRole<SmsTemplate> OptOutConfirmation)
{
    /// <summary>Twilio's default opt-out keywords: the number is blocked at the provider (21610 on every later send).</summary>
    public static readonly ImmutableArray<string> TwilioOptOut = ["STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT"];
    /// <summary>Twilio's default opt-in keywords: the only replies that lift its block.</summary>
    public static readonly ImmutableArray<string> TwilioOptIn = ["START", "UNSTOP", "YES"];

    public ImmutableArray<string> ProviderOptOut { get; init; } = TwilioOptOut;
    public ImmutableArray<string> ProviderOptIn { get; init; } = TwilioOptIn;

    /// <summary>
    /// Whether the provider blocks or unblocks the number on this reply. It acts on a message that is the keyword alone
    /// ("STOP", " stop "), not on "Stop." or "stop please", so its match is stricter than <see cref="Classify"/>'s.
    /// </summary>
    public ProviderAction AtProvider(string? reply)
    {
        var word = reply?.Trim() ?? "";
        if (ProviderOptOut.Any(k => string.Equals(k, word, StringComparison.OrdinalIgnoreCase))) return ProviderAction.Block;
        if (ProviderOptIn.Any(k => string.Equals(k, word, StringComparison.OrdinalIgnoreCase))) return ProviderAction.Unblock;
        return ProviderAction.None;
    }

    /// <summary>The category of an inbound reply; <see cref="KeywordCategory.None"/> for anything else (kept for a person to read).</summary>
    public KeywordCategory Classify(string? reply)
    {
        // A dozen keywords and rare replies: no cache, so a `with` copy can never answer with stale keywords.
        var key = Normalize(reply);
        if (key.Length == 0) return KeywordCategory.None;
        foreach (var (category, keywords) in ByCategory())
            if (keywords.Any(k => Normalize(k) == key)) return category;
        return KeywordCategory.None;
    }

    /// <summary>Upper case, accents removed, everything but letters and digits dropped: " Sí. " → "SI", "Re-cibido" → "RECIBIDO".</summary>
    public static string Normalize(string? text)
    {
        if (string.IsNullOrEmpty(text)) return "";
        var builder = new StringBuilder(text.Length);
        foreach (var c in text.Normalize(NormalizationForm.FormD))
        {
            if (CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.NonSpacingMark) continue;
            if (char.IsLetterOrDigit(c)) builder.Append(char.ToUpperInvariant(c));
        }
        return builder.ToString();
    }

    public IEnumerable<(KeywordCategory Category, ImmutableArray<string> Keywords)> ByCategory()
    {
        yield return (KeywordCategory.Acknowledge, Acknowledge);
        yield return (KeywordCategory.OptOut, OptOut.AddRange(ProviderOptOut));
        yield return (KeywordCategory.OptIn, OptIn.AddRange(ProviderOptIn));
        yield return (KeywordCategory.Help, Help);
    }
}
