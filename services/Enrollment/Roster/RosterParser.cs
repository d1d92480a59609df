using System.Globalization;
using System.Text;
using CsvHelper;
using CsvHelper.Configuration;
using PhoneNumbers;

namespace Reminders.Enrollment.Roster;

public sealed record RosterRow(int Line, string Badge, string Name, string Role, string SectorCode, string PhoneE164, bool Consent);

public sealed record RosterError(int Line, string Column, string Value, string Reason);

public sealed record RosterParseResult(IReadOnlyList<RosterRow> Rows, IReadOnlyList<RosterError> Errors);

/// <summary>
/// Reads a roster CSV as spreadsheets export it (comma, semicolon or tab; English or Spanish headers) into
/// validated rows; every bad cell is reported with its line, column, value and reason, nothing is guessed.
/// </summary>
public static class RosterParser
{
    static readonly PhoneNumberUtil Phones = PhoneNumberUtil.GetInstance();

    static readonly Dictionary<string, string[]> HeaderAliases = new()
    {
        ["badge"] = ["badge", "placa", "numeroempleado"],
        ["name"] = ["name", "nombre"],
        ["role"] = ["role", "rol"],
        ["sector"] = ["sector"],
        ["phone"] = ["phone", "telefono", "celular"],
        ["consent"] = ["consent", "consentimiento"],
    };

    static readonly Dictionary<string, string> RoleAliases = new()
    {
        ["officer"] = "officer", ["policia"] = "officer", ["oficial"] = "officer",
        ["commander"] = "commander", ["mando"] = "commander", ["comandante"] = "commander", ["mandomedio"] = "commander",
    };

    static readonly Dictionary<string, bool> ConsentAliases = new()
    {
        ["yes"] = true, ["si"] = true, ["1"] = true, ["true"] = true,
        ["no"] = false, ["0"] = false, ["false"] = false,
    };

    public static RosterParseResult Parse(string text)
    {
        var rows = new List<RosterRow>();
        var errors = new List<RosterError>();
        var config = new CsvConfiguration(CultureInfo.InvariantCulture)
        {
            Delimiter = DetectDelimiter(text),
            IgnoreBlankLines = true,
            BadDataFound = null,
            MissingFieldFound = null,
            TrimOptions = TrimOptions.Trim,
        };
        using var csv = new CsvReader(new StringReader(text.TrimStart('\uFEFF')), config);
        if (!csv.Read() || !csv.ReadHeader() || csv.HeaderRecord is null)
            return new([], [new RosterError(1, "", "", "The roster is empty: a header row is required.")]);

        var columns = MapHeaders(csv.HeaderRecord);
        var missing = HeaderAliases.Keys.Where(k => !columns.ContainsKey(k)).ToList();
        if (missing.Count > 0)
            return new([], missing.Select(m => new RosterError(1, m, "", $"Missing column '{m}' (accepted headers: {string.Join(", ", HeaderAliases[m])}).")).ToList());

        var seenBadges = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        var seenPhones = new Dictionary<string, int>();
        while (csv.Read())
        {
            var line = csv.Parser.RawRow;
            string Cell(string column) => csv.GetField(columns[column])?.Trim() ?? "";
            var rowErrors = new List<RosterError>();
            void Error(string column, string value, string reason) => rowErrors.Add(new RosterError(line, column, value, reason));

            var badge = Cell("badge");
            var name = Cell("name");
            var roleText = Cell("role");
            var sector = Cell("sector");
            var phoneText = Cell("phone");
            var consentText = Cell("consent");

            if (badge.Length == 0) Error("badge", badge, "Badge is required.");
            if (name.Length == 0) Error("name", name, "Name is required.");
            if (sector.Length == 0) Error("sector", sector, "Sector is required.");
            if (!RoleAliases.TryGetValue(Normalize(roleText), out var role))
                Error("role", roleText, "Role must be officer (policía, oficial) or commander (mando, comandante).");
            if (!ConsentAliases.TryGetValue(Normalize(consentText), out var consent))
                Error("consent", consentText, "Consent must be yes/no, sí/no, 1/0 or true/false.");
            var phone = NormalizeMexicanMobile(phoneText, out var phoneError);
            if (phone is null) Error("phone", phoneText, phoneError!);

            if (badge.Length > 0 && seenBadges.TryGetValue(badge, out var firstBadgeLine))
                Error("badge", badge, $"Badge {badge} appears twice (also on line {firstBadgeLine}).");
            if (phone is not null && seenPhones.TryGetValue(phone, out var firstPhoneLine))
                Error("phone", phoneText, $"The same phone is given for two officers (also on line {firstPhoneLine}).");

            if (rowErrors.Count > 0) { errors.AddRange(rowErrors); continue; }
            seenBadges[badge] = line;
            seenPhones[phone!] = line;
            rows.Add(new RosterRow(line, badge, name, role!, sector, phone!, consent));
        }
        return new(rows, errors);
    }

    /// <summary>E.164 (+52 and 10 digits) for a valid Mexican number, else null with the reason.</summary>
    public static string? NormalizeMexicanMobile(string text, out string? error)
    {
        error = null;
        if (string.IsNullOrWhiteSpace(text)) { error = "Phone is required."; return null; }
        var cleaned = text.Trim();
        // libphonenumber skips leading and trailing text ("tel 55…", "…5678a"); a roster cell with any is refused, not guessed.
        if (!cleaned.All(c => char.IsAsciiDigit(c) || char.IsWhiteSpace(c) || c is '+' or '(' or ')' or '-' or '.'))
        { error = "Phone may contain only digits, spaces, +, parentheses, dashes and dots."; return null; }
        // 044/045 were the old mobile dialing prefixes; the number after them is the 10-digit national number.
        var digitsOnly = new string(cleaned.Where(char.IsAsciiDigit).ToArray());
        if (!cleaned.StartsWith('+') && (digitsOnly.StartsWith("044") || digitsOnly.StartsWith("045")) && digitsOnly.Length == 13)
            cleaned = digitsOnly[3..];
        // The mobile "1" after +52 was dropped in 2019; old exports still carry it.
        else if (digitsOnly.StartsWith("521") && digitsOnly.Length == 13)
            cleaned = "+52" + digitsOnly[3..];
        else if (!cleaned.StartsWith('+') && digitsOnly.StartsWith("52") && digitsOnly.Length == 12)
            cleaned = "+" + digitsOnly;
        try
        {
            var number = Phones.Parse(cleaned, "MX");
            if (number.CountryCode != 52) { error = "Not a Mexican number (+52)."; return null; }
            if (!Phones.IsValidNumber(number)) { error = "Not a valid Mexican phone number."; return null; }
            var type = Phones.GetNumberType(number);
            if (type is not (PhoneNumberType.MOBILE or PhoneNumberType.FIXED_LINE_OR_MOBILE))
            { error = $"Not a mobile number ({type.ToString().ToLowerInvariant().Replace('_', ' ')})."; return null; }
            return Phones.Format(number, PhoneNumberFormat.E164);
        }
        catch (NumberParseException ex)
        {
            error = $"Not a phone number: {ex.Message}";
            return null;
        }
    }

    static Dictionary<string, int> MapHeaders(string[] headers)
    {
        var map = new Dictionary<string, int>();
        for (var i = 0; i < headers.Length; i++)
        {
            var normalized = Normalize(headers[i]);
            foreach (var (column, aliases) in HeaderAliases)
                if (aliases.Contains(normalized) && !map.ContainsKey(column)) map[column] = i;
        }
        return map;
    }

    /// <summary>Lower case, without accents, spaces, underscores or dashes: "Número_Empleado" → "numeroempleado".</summary>
    static string Normalize(string text)
    {
        var decomposed = text.Trim().ToLowerInvariant().Normalize(NormalizationForm.FormD);
        var sb = new StringBuilder(decomposed.Length);
        foreach (var c in decomposed)
            if (CharUnicodeInfo.GetUnicodeCategory(c) != UnicodeCategory.NonSpacingMark && c is not (' ' or '_' or '-'))
                sb.Append(c);
        return sb.ToString();
    }

    static string DetectDelimiter(string text)
    {
        var end = text.IndexOfAny(['\r', '\n']);
        var header = end >= 0 ? text[..end] : text;
        return new[] { ',', ';', '\t' }.OrderByDescending(c => header.Count(h => h == c)).First().ToString();
    }
}
