using System.Buffers;
using System.Text.Json.Serialization;

namespace Reminders.ProviderSimulator.Segments;

[JsonConverter(typeof(JsonStringEnumConverter<SmsEncoding>))]
public enum SmsEncoding
{
    [JsonStringEnumMemberName("GSM-7")] Gsm7,
    [JsonStringEnumMemberName("UCS-2")] Ucs2,
}

public readonly record struct SegmentCount(SmsEncoding Encoding, int Segments);

/// <summary>How a carrier splits a body into SMS segments (3GPP TS 23.038 default alphabet).</summary>
public static class SmsSegments
{
    public const int Gsm7SingleSeptets = 160;
    public const int Gsm7PartSeptets = 153;
    public const int Ucs2SingleUnits = 70;
    public const int Ucs2PartUnits = 67;

    // The default alphabet: é, ñ, ü, ¿, ¡ are in it; á, í, ó, ú are not.
    private const string BasicChars =
        "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" +
        "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";

    // Reached through the escape code, so each costs two septets.
    private const string ExtensionChars = "\f^{}\\[~]|€";

    private static readonly SearchValues<char> Basic = SearchValues.Create(BasicChars);
    private static readonly SearchValues<char> Extension = SearchValues.Create(ExtensionChars);
    private static readonly SearchValues<char> Gsm7 = SearchValues.Create(BasicChars + ExtensionChars);

    public static SegmentCount Count(string body)
    {
        ArgumentNullException.ThrowIfNull(body);
        return body.AsSpan().IndexOfAnyExcept(Gsm7) < 0
            ? new SegmentCount(SmsEncoding.Gsm7, CountGsm7(body))
            : new SegmentCount(SmsEncoding.Ucs2, CountUcs2(body));
    }

    /// <summary>Septets a character takes in GSM-7, or 0 when it is not in the alphabet.</summary>
    public static int Septets(char c) => Basic.Contains(c) ? 1 : Extension.Contains(c) ? 2 : 0;

    private static int CountGsm7(string body)
    {
        var total = 0;
        foreach (var c in body)
        {
            total += Septets(c);
        }
        if (total <= Gsm7SingleSeptets)
        {
            return 1;
        }

        // An escape pair is never split across two parts.
        var parts = 1;
        var used = 0;
        foreach (var c in body)
        {
            var width = Septets(c);
            if (used + width > Gsm7PartSeptets)
            {
                parts++;
                used = 0;
            }
            used += width;
        }
        return parts;
    }

    private static int CountUcs2(string body)
    {
        if (body.Length <= Ucs2SingleUnits)
        {
            return 1;
        }

        // A surrogate pair is never split across two parts.
        var parts = 1;
        var used = 0;
        for (var i = 0; i < body.Length; i++)
        {
            var width = char.IsHighSurrogate(body[i]) && i + 1 < body.Length && char.IsLowSurrogate(body[i + 1]) ? 2 : 1;
            if (used + width > Ucs2PartUnits)
            {
                parts++;
                used = 0;
            }
            used += width;
            i += width - 1;
        }
        return parts;
    }
}
