using System.Text.RegularExpressions;

namespace Reminders.Platform.Logging;

/// <summary>Keeps phone numbers out of logs: all but the country code and the last four digits are hidden.</summary>
public static partial class PhoneMask
{
    /// <summary>"+525512345678" → "+52******5678".</summary>
    public static string Mask(string? phone)
    {
        if (string.IsNullOrEmpty(phone)) return "";
        var digits = phone.Count(char.IsAsciiDigit);
        if (digits < 7) return new string('*', phone.Length);
        var keepHead = phone.StartsWith('+') ? 3 : 0;
        var chars = phone.ToCharArray();
        var digitIndex = 0;
        for (var i = 0; i < chars.Length; i++)
        {
            if (!char.IsAsciiDigit(chars[i])) continue;
            digitIndex++;
            var inHead = i < keepHead;
            var inTail = digitIndex > digits - 4;
            if (!inHead && !inTail) chars[i] = '*';
        }
        return new string(chars);
    }

    /// <summary>Masks every phone-like run (10 to 15 digits, optionally with +, spaces, dashes, dots or parentheses) inside free text.</summary>
    public static string MaskAll(string text) =>
        string.IsNullOrEmpty(text) ? text : PhoneLike().Replace(text, m =>
            !m.Groups["keep"].Success && CountDigits(m.Value) is >= 10 and <= 15 ? Mask(m.Value) : m.Value);

    static int CountDigits(string s) => s.Count(char.IsAsciiDigit);

    // GUIDs and ISO dates are matched first and kept as they are: their digit runs look like phones ("…-9a0c-030582343301", "2025-03-14 21").
    [GeneratedRegex(@"(?<keep>(?<![\w-])[0-9A-Fa-f]{8}(?:-[0-9A-Fa-f]{4}){3}-[0-9A-Fa-f]{12}(?![\w-])|(?<!\w)(?:19|20)\d{2}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])(?!\d)(?:[T ]\d{2}:\d{2})?)|(?<![\w])\+?\d[\d \-().]{8,22}\d(?![\w])", RegexOptions.CultureInvariant)]
    private static partial Regex PhoneLike();
}
