using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Reminders.Platform.Csv;

/// <summary>
/// Spreadsheet CSV as it really arrives: UTF-8 with or without BOM, UTF-16 ("Unicode text"), or Windows-1252
/// when the bytes are not valid UTF-8; comma, semicolon (Excel in Spanish locales) or tab; English or
/// Spanish headers with any case, accents and spacing.
/// </summary>
public static partial class CsvText
{
    static readonly Encoding StrictUtf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    static CsvText() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    /// <summary>The text of the file and the encoding it was read as.</summary>
    public static (string Text, string Encoding) Decode(ReadOnlySpan<byte> bytes)
    {
        if (bytes.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF])) return Utf8OrWindows1252(bytes[3..], "utf-8-bom");
        if (bytes.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE])) return (Encoding.Unicode.GetString(bytes[2..]), "utf-16le");
        if (bytes.StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF])) return (Encoding.BigEndianUnicode.GetString(bytes[2..]), "utf-16be");
        return Utf8OrWindows1252(bytes, "utf-8");
    }

    // A UTF-8 BOM followed by bytes that are not UTF-8 is read as Windows-1252 too, rather than failing the request.
    static (string Text, string Encoding) Utf8OrWindows1252(ReadOnlySpan<byte> bytes, string utf8Name)
    {
        try
        {
            return (StrictUtf8.GetString(bytes), utf8Name);
        }
        catch (DecoderFallbackException)
        {
            return (Encoding.GetEncoding(1252).GetString(bytes), "windows-1252");
        }
    }

    /// <summary>
    /// <paramref name="text"/> as bytes in an encoding <see cref="Decode"/> names, with its byte order mark if it has one, so
    /// a file goes back as it came. Windows-1252 cannot hold every character (a badge in Polish, an emoji): such a text is
    /// written as UTF-8 with a BOM, which Excel reads too, rather than with question marks. Returns the encoding used.
    /// </summary>
    public static (byte[] Bytes, string Encoding) Encode(string text, string encoding)
    {
        switch (encoding)
        {
            case "windows-1252":
                try
                {
                    return (Encoding.GetEncoding(1252, EncoderFallback.ExceptionFallback, DecoderFallback.ReplacementFallback).GetBytes(text), encoding);
                }
                catch (EncoderFallbackException)
                {
                    return Encode(text, "utf-8-bom");
                }
            case "utf-16le": return ([.. Encoding.Unicode.GetPreamble(), .. Encoding.Unicode.GetBytes(text)], encoding);
            case "utf-16be": return ([.. Encoding.BigEndianUnicode.GetPreamble(), .. Encoding.BigEndianUnicode.GetBytes(text)], encoding);
            case "utf-8-bom": return ([.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes(text)], encoding);
            default: return (Encoding.UTF8.GetBytes(text), "utf-8");
        }
    }

    /// <summary>The charset name of an encoding <see cref="Decode"/> names, for a Content-Type header.</summary>
    public static string Charset(string encoding) => encoding switch
    {
        "windows-1252" => "windows-1252", "utf-16le" => "utf-16le", "utf-16be" => "utf-16be", _ => "utf-8",
    };

    /// <summary>comma, semicolon or tab: how a report names a delimiter.</summary>
    public static string DelimiterName(char delimiter) => delimiter switch { ';' => "semicolon", '\t' => "tab", _ => "comma" };

    /// <summary>The delimiter used most often in the header line, counting only outside quotes.</summary>
    public static char DetectDelimiter(string text)
    {
        int comma = 0, semicolon = 0, tab = 0;
        var quoted = false;
        foreach (var c in text)
        {
            if (c == '"') quoted = !quoted;
            else if (!quoted && c is '\n' or '\r') break;
            else if (!quoted && c == ',') comma++;
            else if (!quoted && c == ';') semicolon++;
            else if (!quoted && c == '\t') tab++;
        }
        return semicolon > comma && semicolon >= tab ? ';' : tab > comma && tab > semicolon ? '\t' : ',';
    }

    /// <summary>
    /// A cell typed on several lines (Alt+Enter in a spreadsheet: LF, CRLF or CR inside the quotes) as one line: each
    /// break, with the blanks around it, becomes one space ("Juan\nPérez" → "Juan Pérez").
    /// </summary>
    public static string OneLine(string value) => value.AsSpan().IndexOfAny('\r', '\n') < 0 ? value : LineBreaks().Replace(value, " ");

    [GeneratedRegex(@"[ \t]*[\r\n][\s]*")]
    private static partial Regex LineBreaks();

    /// <summary>Lower case, without accents, spaces, underscores, dashes or dots: "Número_Empleado" → "numeroempleado".</summary>
    public static string NormalizeHeader(string text)
    {
        var decomposed = text.Trim().Trim('\uFEFF').ToLowerInvariant().Normalize(NormalizationForm.FormD);
        var sb = new StringBuilder(decomposed.Length);
        foreach (var c in decomposed)
            if (CharUnicodeInfo.GetUnicodeCategory(c) != UnicodeCategory.NonSpacingMark && c is not (' ' or '_' or '-' or '.'))
                sb.Append(c);
        return sb.ToString();
    }

    /// <summary>
    /// A cell a spreadsheet would run as a formula (=, +, -, @, tab, carriage return at the start) is prefixed
    /// with an apostrophe in every CSV we write, so it shows as text. Phone numbers in E.164 (+52...) are data,
    /// not formulas, and are left alone.
    /// </summary>
    public static string Neutralize(string? value)
    {
        if (string.IsNullOrEmpty(value)) return "";
        if (value[0] is '=' or '@' or '\t' or '\r' or '+' or '-' && !IsNumberLike(value)) return "'" + value;
        return value;
    }

    /// <summary>
    /// Undoes <see cref="Neutralize"/>: a file we exported (a rejects CSV) may come back fixed, and "'=..." is then
    /// the cell "=..." again, not a name or phone with an apostrophe.
    /// </summary>
    public static string Unneutralize(string value) =>
        value.Length > 1 && value[0] == '\'' && Neutralize(value[1..]) == value ? value[1..] : value;

    static bool IsNumberLike(string value)
    {
        var body = value[0] is '+' or '-' ? value.AsSpan(1) : value.AsSpan();
        if (body.IsEmpty) return false;
        foreach (var c in body)
            if (!char.IsAsciiDigit(c) && c is not ('.' or ' ')) return false;
        return true;
    }

    /// <summary>One RFC 4180 field: quoted when it holds a delimiter, quote or line break; formulas neutralized.</summary>
    public static string Field(string? value)
    {
        var safe = Neutralize(value);
        return safe.AsSpan().IndexOfAny(",;\"\r\n\t") >= 0 ? "\"" + safe.Replace("\"", "\"\"") + "\"" : safe;
    }

    /// <summary>One CSV line (CRLF-terminated, as RFC 4180 and Excel expect).</summary>
    public static string Line(IEnumerable<string?> fields) => Line(fields, ',');

    /// <summary>One line with another delimiter (semicolon or tab, as the file it answers came).</summary>
    public static string Line(IEnumerable<string?> fields, char delimiter) => string.Join(delimiter, fields.Select(Field)) + "\r\n";
}
