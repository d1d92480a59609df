namespace Reminders.Platform.Data;

public enum SqlDialect
{
    Sqlite,
    Postgres,
}

/// <summary>
/// The one seam between SQLite and PostgreSQL. Migrations are written once, with tokens for the few
/// column types that differ; queries use the SQL both understand (ON CONFLICT, RETURNING, LIMIT).
/// </summary>
public static class SqlDialectTokens
{
    public static string Apply(SqlDialect dialect, string sql)
    {
        var tokens = dialect == SqlDialect.Postgres ? PostgresTokens : SqliteTokens;
        foreach (var (token, value) in tokens)
            sql = sql.Replace(token, value, StringComparison.Ordinal);
        return sql;
    }

    static readonly (string Token, string Value)[] PostgresTokens =
    [
        ("{{identity}}", "bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY"),
        ("{{uuid}}", "uuid"),
        ("{{timestamp}}", "timestamptz"),
        ("{{bool}}", "boolean"),
        ("{{json}}", "jsonb"),
        ("{{true}}", "true"),
        ("{{false}}", "false"),
    ];

    static readonly (string Token, string Value)[] SqliteTokens =
    [
        ("{{identity}}", "INTEGER PRIMARY KEY AUTOINCREMENT"),
        ("{{uuid}}", "TEXT"),
        ("{{timestamp}}", "TEXT"),
        ("{{bool}}", "INTEGER"),
        ("{{json}}", "TEXT"),
        ("{{true}}", "1"),
        ("{{false}}", "0"),
    ];

    /// <summary>Row-lock clause for claiming rows that several instances compete for (SQLite has one writer anyway): locks the rows read (of table alias <paramref name="of"/> when the query joins others) and passes over rows another instance holds.</summary>
    public static string SkipLocked(this SqlDialect dialect, string? of = null) =>
        dialect != SqlDialect.Postgres ? "" : of is null ? "FOR UPDATE SKIP LOCKED" : $"FOR UPDATE OF {of} SKIP LOCKED";

    /// <summary>"column is one of the list parameter": PostgreSQL takes the array as one parameter, SQLite needs Dapper's expansion.</summary>
    public static string InList(this SqlDialect dialect, string column, string parameter) =>
        dialect == SqlDialect.Postgres ? $"{column} = ANY(@{parameter})" : $"{column} IN @{parameter}";

    /// <summary>
    /// A list of uuids for <see cref="InList"/>: PostgreSQL takes a uuid array; SQLite compares the text the type handler
    /// stores (Dapper's list expansion bypasses type handlers, so the values are converted here). Typed Array, not object:
    /// Dapper expands a list only when the parameter's declared type is enumerable.
    /// </summary>
    public static Array UuidList(this SqlDialect dialect, IEnumerable<Guid> ids) =>
        dialect == SqlDialect.Postgres ? ids.ToArray() : ids.Select(id => id.ToString()).ToArray();

    /// <summary>Row lock held to the end of the transaction (SQLite's write transaction already excludes other writers).</summary>
    public static string ForUpdate(this SqlDialect dialect) =>
        dialect == SqlDialect.Postgres ? "FOR UPDATE" : "";
}
