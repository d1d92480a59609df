namespace Reminders.Platform.Data;

/// <summary>Configuration section <c>Database</c>.</summary>
public sealed class DatabaseOptions
{
    public const string Section = "Database";

    /// <summary><c>Sqlite</c> (local default) or <c>Postgres</c> (distributed).</summary>
    public SqlDialect Provider { get; set; } = SqlDialect.Sqlite;

    /// <summary>PostgreSQL connection string; each service uses its own schema inside this database.</summary>
    public string? Postgres { get; set; }

    /// <summary>Folder of the SQLite files, one per service.</summary>
    public string SqliteFolder { get; set; } = "data";
}
