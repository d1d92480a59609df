using System.Collections.Immutable;
using System.Globalization;
using System.Text;

namespace Reminders.Platform.Protocol;

public enum KeywordCategory { None, Acknowledge, OptOut, OptIn, Help }

/// <summary>
/// The reply keywords. A reply matches a keyword when both are equal after <see cref="Normalize"/>: " Sí. " is "SI",
/// "ok!" is "OK". The loader refuses a file where two categories share a normalized keyword, so a reply means one thing.
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
        yield return (KeywordCategory.OptOut, OptOut);
        yield return (KeywordCategory.OptIn, OptIn);
        yield return (KeywordCategory.Help, Help);
    }
}
