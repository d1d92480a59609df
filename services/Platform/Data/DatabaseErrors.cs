using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Reminders.Platform.Data;

public static class DatabaseErrors
{
    /// <summary>A unique key refused a row: a concurrent writer got there first (a domain conflict, HTTP 409), not a fault.</summary>
    public static bool IsUniqueViolation(this DbException exception) => exception switch
    {
        PostgresException pg => pg.SqlState == PostgresErrorCodes.UniqueViolation,
        SqliteException sqlite => sqlite.SqliteErrorCode == 19 && sqlite.SqliteExtendedErrorCode is 2067 or 1555,
        _ => false,
    };
}
