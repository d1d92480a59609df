using System.Globalization;
using System.Text;

namespace Reminders.Protocol;

public enum SmsEncodingKind { Gsm7, Ucs2 }

/// <summary>
/// What one SMS body costs: its encoding, how many segments the provider bills, and its length in the encoding's
/// units (GSM-7 septets, an extension character counting two; UCS-2 UTF-16 code units).
/// </summary>
public readonly record struct SmsMeasure(SmsEncodingKind Encoding, int Segments, int Length);

/// <summary>
/// GSM 03.38 segment counting. One character outside the GSM-7 basic and extension tables (á, í, ó, ú, an emoji)
/// makes the whole message UCS-2: 70 code units in one segment, 67 per segment when split, instead of 160 / 153 septets.
/// </summary>
public static class SmsEncoding
{
    public const int Gsm7SingleSegment = 160;
    public const int Gsm7MultiSegment = 153;
    public const int Ucs2SingleSegment = 70;
    public const int Ucs2MultiSegment = 67;

    // The GSM 03.38 default alphabet in table order, without ESC (0x1B). Note é, ñ, ü, ¿, ¡ are here; á, í, ó, ú are not.
    internal const string BasicTable =
        "@£$¥èéùìòÇ\nØø\rÅå" +
        "Δ_ΦΓΛΩΠΨΣΘΞÆæßÉ" +
        " !\"#¤%&'()*+,-./" +
        "0123456789:;<=>?" +
        "¡ABCDEFGHIJKLMNO" +
        "PQRSTUVWXYZÄÖÑÜ§" +
        "¿abcdefghijklmno" +
        "pqrstuvwxyzäöñüà";

    // The extension table: each is sent as ESC + character, two septets.
    internal const string ExtensionTable = "\f^{}\\[~]|€";

    static readonly HashSet<char> Basic = [.. BasicTable];
    static readonly HashSet<char> Extension = [.. ExtensionTable];

    /// <summary>Septets a character takes in GSM-7: 1 (basic table), 2 (extension table) or 0 (not representable).</summary>
    public static int Septets(char c) => Basic.Contains(c) ? 1 : Extension.Contains(c) ? 2 : 0;

    public static bool IsGsm7(string text) => text.All(c => Septets(c) > 0);

    public static SmsMeasure Measure(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return IsGsm7(text) ? MeasureGsm7(text) : MeasureUcs2(text);
    }

    static SmsMeasure MeasureGsm7(string text)
    {
        var length = text.Sum(Septets);
        if (length <= Gsm7SingleSegment) return new(SmsEncodingKind.Gsm7, length == 0 ? 0 : 1, length);
        // An escape pair is never split across two segments, so a split message can need more than ceil(length / 153).
        var segments = 1;
        var used = 0;
        foreach (var c in text)
        {
            var septets = Septets(c);
            if (used + septets > Gsm7MultiSegment) { segments++; used = 0; }
            used += septets;
        }
        return new(SmsEncodingKind.Gsm7, segments, length);
    }

    static SmsMeasure MeasureUcs2(string text)
    {
        var length = text.Length;
        if (length <= Ucs2SingleSegment) return new(SmsEncodingKind.Ucs2, 1, length);
        // A surrogate pair (an emoji) is never split across two segments either.
        var segments = 1;
        var used = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var units = char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]) ? 2 : 1;
            if (used + units > Ucs2MultiSegment) { segments++; used = 0; }
            used += units;
            i += units - 1;
        }
        return new(SmsEncodingKind.Ucs2, segments, length);
    }

    /// <summary>
    /// The characters that keep <paramref name="text"/> out of GSM-7, and the text with each replaced by its nearest GSM-7
    /// character (á → a, Ó → O, “ → ", – → -), or null for the folded text when some character has no such neighbour (an emoji).
    /// Used to tell a template's author what an accent costs; nothing is ever folded silently before sending.
    /// </summary>
    public static (IReadOnlyList<char> Offending, string? Folded) FoldToGsm7(string text)
    {
        var offending = new List<char>();
        var folded = new StringBuilder(text.Length);
        var foldable = true;
        foreach (var c in text)
        {
            if (Septets(c) > 0) { folded.Append(c); continue; }
            if (!offending.Contains(c)) offending.Add(c);
            var replacement = Fold(c);
            if (replacement is null) foldable = false;
            else folded.Append(replacement);
        }
        return (offending, foldable ? folded.ToString() : null);
    }

    static string? Fold(char c)
    {
        switch (c)
        {
            case '‘' or '’' or '´' or '`': return "'";
            case '“' or '”' or '«' or '»': return "\"";
            case '–' or '—': return "-";
            case '…': return "...";
            case '\u00A0': return " ";
        }
        if (char.IsSurrogate(c)) return null;
        // A letter with an accent GSM-7 lacks: keep the base letter when that one is GSM-7 (á → a, Ú → U, ç → c).
        var decomposed = c.ToString().Normalize(NormalizationForm.FormD);
        var letter = decomposed.Where(d => CharUnicodeInfo.GetUnicodeCategory(d) != UnicodeCategory.NonSpacingMark).ToArray();
        return letter.Length == 1 && letter[0] != c && Septets(letter[0]) > 0 ? letter[0].ToString() : null;
    }
}
