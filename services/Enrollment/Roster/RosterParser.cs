using System.Globalization;
using CsvHelper;
using CsvHelper.Configuration;
using PhoneNumbers;
using Reminders.Platform.Csv;

namespace Reminders.Enrollment.Roster;

public sealed record RosterRow(
    int Line, string Badge, string Name, string Role, string SectorCode, string PhoneE164, bool Consent,
    IReadOnlyDictionary<string, string> Attributes, IReadOnlyList<string> RawFields);

public sealed record RosterError(int Line, string Column, string Value, string Reason);

public sealed record RosterParseResult(
    IReadOnlyList<RosterRow> Rows, IReadOnlyList<RosterError> Errors, IReadOnlyList<string> Header,
    IReadOnlyDictionary<int, IReadOnlyList<string>> RejectedRows);

/// <summary>
/// Reads a roster CSV as spreadsheets export it into validated rows. Every bad cell is reported with its line,
/// column, value and reason; nothing in a bad row is guessed. Unknown columns are kept as attributes.
/// </summary>
public static class RosterParser
{
    public const int MaxNameLength = 200;
    public const int MaxCodeLength = 64;
    public const int MaxAttributeLength = 500;

    /// <summary>The reasons column of a rejects CSV: ignored when that file comes back fixed.</summary>
    public const string ImportErrorColumn = "import_error";

    static readonly PhoneNumberUtil Phones = PhoneNumberUtil.GetInstance();

    static readonly Dictionary<string, string[]> HeaderAliases = new()
    {
        ["badge"] = ["badge", "placa", "numeroempleado", "numerodeempleado", "numdeempleado", "noempleado", "nodeempleado", "badgenumber"],
        ["name"] = ["name", "nombre", "nombrecompleto"],
        ["role"] = ["role", "rol", "cargo"],
        ["sector"] = ["sector"],
        ["phone"] = ["phone", "phonenumber", "mobile", "telefono", "celular", "movil", "telefonocelular", "telefonomovil", "numerodecelular", "numerocelular"],
        ["consent"] = ["consent", "consentimiento"],
    };

    static readonly Dictionary<string, string> RoleAliases = new()
    {
        ["officer"] = "officer", ["policia"] = "officer", ["oficial"] = "officer", ["agente"] = "officer",
        ["commander"] = "commander", ["mando"] = "commander", ["comandante"] = "commander", ["mandomedio"] = "commander",
    };

    static readonly Dictionary<string, bool> ConsentAliases = new()
    {
        ["yes"] = true, ["si"] = true, ["1"] = true, ["true"] = true, ["verdadero"] = true, ["x"] = true,
        ["no"] = false, ["0"] = false, ["false"] = false, ["falso"] = false,
    };

    public static RosterParseResult Parse(string text, IReadOnlyCollection<string>? allowedPhoneRegions = null)
    {
        allowedPhoneRegions ??= ["MX"];
        var rows = new List<RosterRow>();
        var errors = new List<RosterError>();
        var rejected = new Dictionary<int, IReadOnlyList<string>>();
        var config = new CsvConfiguration(CultureInfo.InvariantCulture)
        {
            Delimiter = CsvText.DetectDelimiter(text).ToString(),
            IgnoreBlankLines = true,
            BadDataFound = null,
            MissingFieldFound = null,
            DetectColumnCountChanges = false,
            TrimOptions = TrimOptions.None,
        };
        using var csv = new CsvReader(new StringReader(text.TrimStart('\uFEFF')), config);
        if (!csv.Read() || !csv.ReadHeader() || csv.HeaderRecord is not { Length: > 0 } header || header.All(string.IsNullOrWhiteSpace))
            return new([], [new RosterError(1, "", "", "The roster is empty: a header row is required.")], [], rejected);

        var (columns, extras, duplicates) = MapHeaders(header);
        foreach (var duplicate in duplicates)
            errors.Add(new RosterError(1, duplicate, duplicate, $"Column '{duplicate}' appears twice in the header."));
        var missing = HeaderAliases.Keys.Where(k => !columns.ContainsKey(k)).ToList();
        foreach (var m in missing)
            errors.Add(new RosterError(1, m, "", $"Missing column '{m}' (accepted headers: {string.Join(", ", HeaderAliases[m])})."));
        if (errors.Count > 0) return new([], errors, header, rejected);

        var seenBadges = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        var seenPhones = new Dictionary<string, int>();
        while (csv.Read())
        {
            var raw = csv.Parser.Record ?? [];
            if (raw.All(string.IsNullOrWhiteSpace)) continue;
            var line = csv.Parser.RawRow - CountLineBreaks(csv.Parser.RawRecord.TrimEnd('\r', '\n'));
            string Cell(string column) => columns[column] < raw.Length ? CsvText.Unneutralize(CsvText.OneLine(raw[columns[column]]).Trim()) : "";
            var rowErrors = new List<RosterError>();
            void Error(string column, string value, string reason) => rowErrors.Add(new RosterError(line, column, value, reason));

            if (raw.Length > header.Length && raw.Skip(header.Length).Any(f => !string.IsNullOrWhiteSpace(f)))
                Error("", string.Join(config.Delimiter, raw.Skip(header.Length)), $"The row has {raw.Length} fields but the header has {header.Length} (an unquoted delimiter in a value?).");

            var badge = Cell("badge");
            var name = Cell("name");
            var roleText = Cell("role");
            var sector = Cell("sector");
            var phoneText = Cell("phone");
            var consentText = Cell("consent");

            RequireText("badge", badge, MaxCodeLength, Error);
            RequireText("name", name, MaxNameLength, Error);
            RequireText("sector", sector, MaxCodeLength, Error);
            if (!RoleAliases.TryGetValue(CsvText.NormalizeHeader(roleText), out var role))
                Error("role", roleText, "Role must be officer (policía, oficial) or commander (mando, mando medio, comandante).");
            if (!ConsentAliases.TryGetValue(CsvText.NormalizeHeader(consentText), out var consent))
                Error("consent", consentText, "Consent must be yes/no, sí/no, 1/0 or true/false.");
            var phone = NormalizePhone(phoneText, allowedPhoneRegions, out var phoneError);
            if (phone is null) Error("phone", phoneText, phoneError!);

            if (badge.Length > 0 && seenBadges.TryGetValue(badge, out var firstBadgeLine))
                Error("badge", badge, $"Badge {badge} appears twice in the file (also on line {firstBadgeLine}).");
            if (phone is not null && seenPhones.TryGetValue(phone, out var firstPhoneLine))
                Error("phone", phoneText, $"The same phone is given for two officers in the file (also on line {firstPhoneLine}).");

            var attributes = new Dictionary<string, string>();
            foreach (var (index, columnName) in extras)
            {
                var value = index < raw.Length ? CsvText.Unneutralize(raw[index].Trim()) : "";
                if (value.Length > MaxAttributeLength) Error(columnName, value[..40] + "…", $"At most {MaxAttributeLength} characters.");
                // A note may span lines in its cell (Alt+Enter in a spreadsheet); other control characters are refused.
                else if (value.Any(c => char.IsControl(c) && c is not ('\r' or '\n' or '\t'))) Error(columnName, value, "Contains control characters.");
                else if (value.Length > 0) attributes[columnName] = value;
            }

            if (badge.Length > 0) seenBadges.TryAdd(badge, line);
            if (phone is not null) seenPhones.TryAdd(phone, line);
            if (rowErrors.Count > 0)
            {
                errors.AddRange(rowErrors);
                rejected[line] = raw;
                continue;
            }
            rows.Add(new RosterRow(line, badge, name, role!, sector, phone!, consent, attributes, raw));
        }
        return new(rows, errors, header, rejected);
    }

    static void RequireText(string column, string value, int maxLength, Action<string, string, string> error)
    {
        if (value.Length == 0) error(column, value, $"{char.ToUpperInvariant(column[0])}{column[1..]} is required.");
        else if (value.Length > maxLength) error(column, value[..Math.Min(40, value.Length)] + "…", $"At most {maxLength} characters.");
        else if (HasControlCharacters(value)) error(column, value, "Contains control characters.");
    }

    static bool HasControlCharacters(string value) => value.Any(c => char.IsControl(c));

    /// <summary>E.164 for a valid mobile number of an allowed region (Mexico: +52 and 10 digits), else null with the reason.</summary>
    public static string? NormalizePhone(string text, IReadOnlyCollection<string> allowedRegions, out string? error)
    {
        error = null;
        if (string.IsNullOrWhiteSpace(text)) { error = "Phone is required."; return null; }
        var cleaned = text.Trim();
        // libphonenumber ignores text around a number; a phone cell must hold nothing but the number.
        if (cleaned.Any(c => !char.IsAsciiDigit(c) && c is not (' ' or '+' or '(' or ')' or '-' or '.')))
        { error = "A phone may contain only digits, spaces, + ( ) - and dots."; return null; }
        var digits = new string(cleaned.Where(char.IsAsciiDigit).ToArray());
        // 044/045 were the mobile dialing prefixes; the mobile "1" after +52 was dropped in 2019. Old exports carry both.
        if (!cleaned.StartsWith('+') && (digits.StartsWith("044") || digits.StartsWith("045")) && digits.Length == 13)
            cleaned = digits[3..];
        else if (digits.StartsWith("521") && digits.Length == 13 && (cleaned.StartsWith('+') || cleaned.StartsWith("52")))
            cleaned = "+52" + digits[3..];
        else if (!cleaned.StartsWith('+') && digits.StartsWith("52") && digits.Length == 12)
            cleaned = "+" + digits;
        try
        {
            var number = Phones.Parse(cleaned, "MX");
            var region = Phones.GetRegionCodeForNumber(number);
            if (region is null || !allowedRegions.Contains(region))
            { error = number.CountryCode == 52 ? "Not a valid Mexican phone number." : $"Not a Mexican number (+{number.CountryCode}); allowed: {string.Join(", ", allowedRegions)}."; return null; }
            if (!Phones.IsValidNumber(number))
            { error = $"Not a valid phone number for {region} ({digits.Length} digits)."; return null; }
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

    /// <summary>Mexican mobiles only (the default configuration).</summary>
    public static string? NormalizeMexicanMobile(string text, out string? error) => NormalizePhone(text, ["MX"], out error);

    /// <summary>The index of the badge column in a header (any accepted spelling), or -1.</summary>
    public static int BadgeColumn(IReadOnlyList<string> header) =>
        header.Select(CsvText.NormalizeHeader).ToList().FindIndex(h => HeaderAliases["badge"].Contains(h));

    static (Dictionary<string, int> Known, List<(int Index, string Name)> Extras, List<string> Duplicates) MapHeaders(string[] header)
    {
        var known = new Dictionary<string, int>();
        var extras = new List<(int, string)>();
        var duplicates = new List<string>();
        for (var i = 0; i < header.Length; i++)
        {
            var normalized = CsvText.NormalizeHeader(header[i]);
            var column = HeaderAliases.FirstOrDefault(a => a.Value.Contains(normalized)).Key;
            if (column is null)
            {
                if (normalized.Length > 0 && normalized != CsvText.NormalizeHeader(ImportErrorColumn)) extras.Add((i, header[i].Trim()));
            }
            else if (!known.TryAdd(column, i)) duplicates.Add(header[i].Trim());
        }
        return (known, extras, duplicates);
    }

    static int CountLineBreaks(string text) => text.Count(c => c == '\n');
}
