using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Localization;

namespace Reminders.Web.Components.Pages.Roster;

/// <summary>
/// An import's row problems in the reader's language: Enrollment words each reason in English; a Spanish reader gets it in
/// Spanish (from <c>RowReasons.resx</c>, with the same values filled in), and any reason not known here as the service wrote it.
/// </summary>
public static class RowReasons
{
    static readonly (Regex Pattern, string Key)[] Known =
    [
        (new(@"^Role must be officer"), "Role"),
        (new(@"^Consent must be"), "Consent"),
        (new(@"^Phone is required\.$"), "PhoneRequired"),
        (new(@"^A phone may contain only"), "PhoneCharacters"),
        (new(@"^Not a valid Mexican phone number\.$"), "PhoneNotMexican"),
        (new(@"^Not a Mexican number \(\+(\d+)\)"), "PhoneForeign"),
        (new(@"^Not a valid phone number for (\S+) \((\d+) digits\)\.$"), "PhoneInvalidForRegion"),
        (new(@"^Not a mobile number"), "PhoneNotMobile"),
        (new(@"^Not a phone number"), "PhoneUnreadable"),
        (new(@"^(?:Badge|Name|Sector|Code) is required\.$"), "Required"),
        (new(@"^At most (\d+) characters\.$"), "TooLong"),
        (new(@"^Contains control characters\.$"), "ControlCharacters"),
        (new(@"^Badge (.+) appears twice in the file \(also on line (\d+)\)\.$"), "BadgeTwice"),
        (new(@"^The same phone is given for two officers in the file \(also on line (\d+)\)\.$"), "PhoneTwice"),
        (new(@"^This phone belongs to officer (.+)\.$"), "PhoneTaken"),
        (new(@"^Sector (.+) is not registered; load the sectors first\.$"), "SectorUnknown"),
        (new(@"^The row has (\d+) fields but the header has (\d+)"), "FieldCount"),
        (new(@"^Missing column '(.+)' \(accepted headers: (.+)\)\.$"), "MissingColumn"),
        (new(@"^Missing column '(.+)' \(or (.+)\)\.$"), "MissingColumn"),
        (new(@"^Column '(.+)' appears twice in the header\.$"), "ColumnTwice"),
        (new(@"^The (?:roster|file) is empty"), "Empty"),
        (new(@"^The sectors are randomized: a new sector cannot join"), "SectorsRandomized"),
        (new(@"^The sector is randomized: its strata are frozen\.$"), "StrataFrozen"),
        (new(@"^Sector (.+) appears twice \(also on line (\d+)\)\.$"), "SectorTwice"),
        (new(@"^A (?:code|name) has at most (\d+) characters"), "TooLong"),
        (new(@"^A stratum value has at most (\d+) characters"), "TooLong"),
        (new(@"^Not a time zone name"), "TimeZone"),
    ];

    /// <summary>The reason in the reader's language (English: as the service wrote it).</summary>
    public static string Translate(string reason, IStringLocalizer<RowReasonWords> words)
    {
        if (CultureInfo.CurrentUICulture.TwoLetterISOLanguageName != "es") return reason;
        foreach (var (pattern, key) in Known)
        {
            var match = pattern.Match(reason);
            if (!match.Success) continue;
            var values = match.Groups.Values.Skip(1).Select(g => (object)g.Value).ToArray();
            return string.Format(CultureInfo.CurrentCulture, words[key], values);
        }
        return reason;
    }

    /// <summary>The column as the manager's file would call it in Spanish (placa, teléfono); a column of their own as they wrote it.</summary>
    public static string Column(string column, IStringLocalizer<RowReasonWords> words)
    {
        if (column.Length == 0) return "";
        var named = words["Column_" + column];
        return named.ResourceNotFound ? column : named.Value;
    }
}

/// <summary>The words of <see cref="RowReasons"/> (<c>Resources/Components/Pages/Roster/RowReasonWords.resx</c>).</summary>
public sealed class RowReasonWords;
