using System.Globalization;
using Microsoft.Extensions.Localization;

namespace Reminders.Web.Components.Shared;

/// <summary>
/// Stratum columns and lists of names as people read them: a column as the sectors file named it, with its accents back
/// when it is a usual one (alcaldia: "Alcaldía"), and names sorted the way the reader's language sorts them ("Álvaro
/// Obregón" among the A's, not after "Xochimilco").
/// </summary>
public static class DisplayText
{
    /// <summary>The current culture's order for names on a page, case aside.</summary>
    public static StringComparer Order => StringComparer.Create(CultureInfo.CurrentCulture, ignoreCase: true);

    /// <summary>"Alcaldía" for alcaldia (Words.Stratum_*); any other column capitalized as written.</summary>
    public static string StratumName(this IStringLocalizer<Words> words, string column)
    {
        var name = column.Trim();
        if (name.Length == 0) return name;
        var known = words["Stratum_" + name.ToLowerInvariant()];
        return known.ResourceNotFound ? char.ToUpper(name[0], CultureInfo.CurrentCulture) + name[1..] : known.Value;
    }

    /// <summary>"Alcaldía, Tamaño": the chosen columns in words, in the order given.</summary>
    public static string StratumNames(this IStringLocalizer<Words> words, IEnumerable<string> columns) =>
        string.Join(", ", columns.Select(words.StratumName));
}
