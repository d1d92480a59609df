using System.Data.Common;
using Dapper;
using Reminders.Platform.Csv;
using Reminders.Platform.Data;

namespace Reminders.Enrollment.Officers;

/// <summary>Search over badge and name that ignores case, accents and spaces, with % and _ taken literally.</summary>
public static class OfficerSearch
{
    /// <summary>A trigram index finds fragments of at least this many characters; a shorter one is looked for row by row.</summary>
    public const int IndexedLength = 3;

    /// <summary>
    /// Up to this many matches, SQLite fetches the officers through the trigram index. Beyond, a lookup per match costs more
    /// than walking the badge order, which finds a page of so common a fragment within a few thousand officers.
    /// </summary>
    public const long FetchedThroughIndex = 1_000;

    const string Like = "o.search_text LIKE @like ESCAPE '\\'";

    public static string Text(string badge, string name) => CsvText.NormalizeHeader(badge) + " " + CsvText.NormalizeHeader(name);

    public static string Pattern(string? search) =>
        "%" + CsvText.NormalizeHeader(search ?? "").Replace("\\", "\\\\").Replace("%", "\\%").Replace("_", "\\_") + "%";

    /// <summary>The fragment as an FTS5 phrase of its trigrams, that is the fragment as a substring: quoted, its own quotes doubled.</summary>
    public static string Phrase(string? search) => "\"" + CsvText.NormalizeHeader(search ?? "").Replace("\"", "\"\"") + "\"";

    /// <summary>How the list looks for a search: its condition on officers "o" (parameters @like, @phrase) and, when the index counted them, how many officers hold the fragment.</summary>
    public sealed record Plan(string Condition, long? Matches);

    /// <summary>
    /// PostgreSQL's trigram index (migration 0016) serves the LIKE itself. On SQLite the FTS5 trigram table counts the officers
    /// holding the fragment at once; few are fetched through it (the LIKE still decides), many by the LIKE alone.
    /// </summary>
    public static async Task<Plan> PlanAsync(DbConnection connection, SqlDialect dialect, string search, CancellationToken ct)
    {
        if (dialect != SqlDialect.Sqlite || CsvText.NormalizeHeader(search).Length < IndexedLength) return new(Like, null);
        var matches = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT COUNT(*) FROM officer_search WHERE officer_search MATCH @phrase", new { phrase = Phrase(search) }, cancellationToken: ct));
        return matches > FetchedThroughIndex
            ? new(Like, matches)
            : new($"""
                  o.id IN (SELECT k.officer_id FROM officer_search_keys k
                           WHERE k.key IN (SELECT rowid FROM officer_search WHERE officer_search MATCH @phrase))
                  AND {Like}
                  """, matches);
    }
}
