using Reminders.Platform.Data;

namespace Reminders.Platform.Tests;

public sealed class SqlDialectTests
{
    [Theory]
    [InlineData(SqlDialect.Postgres, "p", "FOR UPDATE OF p SKIP LOCKED")]
    [InlineData(SqlDialect.Postgres, null, "FOR UPDATE SKIP LOCKED")]
    [InlineData(SqlDialect.Sqlite, "p", "")]
    [InlineData(SqlDialect.Sqlite, null, "")]
    public void Skip_locked_locks_only_the_named_alias_on_Postgres_and_is_empty_on_Sqlite(SqlDialect dialect, string? of, string expected)
    {
        Assert.Equal(expected, dialect.SkipLocked(of));
    }

    [Fact]
    public void Skip_locked_takes_the_alias_by_name()
    {
        Assert.Equal("FOR UPDATE OF p SKIP LOCKED", SqlDialect.Postgres.SkipLocked(of: "p"));
        Assert.Equal("", SqlDialect.Sqlite.SkipLocked(of: "p"));
    }
}
