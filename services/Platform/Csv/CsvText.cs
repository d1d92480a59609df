using System.Globalization;
using System.Text;

namespace Reminders.Platform.Csv;

/// <summary>
/// Spreadsheet CSV as it really arrives: UTF-8 with or without BOM, UTF-16 ("Unicode text"), or Windows-1252
/// when the bytes are not valid UTF-8; comma, semicolon (Excel in Spanish locales) or tab; English or
/// Spanish headers with any case, accents and spacing.
/// </summary>
public static class CsvText
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
    public static string Line(IEnumerable<string?> fields) => string.Join(',', fields.Select(Field)) + "\r\n";
}
