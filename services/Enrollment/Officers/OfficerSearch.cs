using Reminders.Platform.Csv;
using Reminders.Platform.Data;

namespace Reminders.Enrollment.Officers;

/// <summary>Search over badge and name that ignores case, accents and spaces, with % and _ taken literally.</summary>
public static class OfficerSearch
{
    /// <summary>A trigram index finds fragments of at least this many characters; a shorter one is looked for row by row.</summary>
    public const int IndexedLength = 3;

    public static string Text(string badge, string name) => CsvText.NormalizeHeader(badge) + " " + CsvText.NormalizeHeader(name);

    public static string Pattern(string? search) =>
        "%" + CsvText.NormalizeHeader(search ?? "").Replace("\\", "\\\\").Replace("%", "\\%").Replace("_", "\\_") + "%";

    /// <summary>The fragment as an FTS5 phrase: a quoted string is taken literally, its own quotes doubled.</summary>
    public static string Phrase(string? search) => "\"" + CsvText.NormalizeHeader(search ?? "").Replace("\"", "\"\"") + "\"";

    /// <summary>
    /// The condition on officers "o" for a search (parameters @like and @phrase). PostgreSQL's trigram index serves the LIKE
    /// itself; SQLite's FTS5 trigram table (migration 0016) narrows to the officers holding the fragment's trigrams in a row,
    /// and the same LIKE decides, so both engines return the same officers.
    /// </summary>
    public static string Condition(SqlDialect dialect, string search) =>
        dialect == SqlDialect.Sqlite && CsvText.NormalizeHeader(search).Length >= IndexedLength
            ? """
              o.id IN (SELECT k.officer_id FROM officer_search_keys k
                       WHERE k.key IN (SELECT rowid FROM officer_search WHERE officer_search MATCH @phrase))
              AND o.search_text LIKE @like ESCAPE '\'
              """
            : "o.search_text LIKE @like ESCAPE '\\'";
}
