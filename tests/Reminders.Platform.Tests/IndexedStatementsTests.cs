using Reminders.Platform.Data;
using Reminders.Platform.Tests.Infrastructure;

namespace Reminders.Platform.Tests;

/// <summary>
/// The parameters of grouped statements (<see cref="UnitOfWork.ExecuteAllAsync"/>, <see cref="UnitOfWork.QueryAllAsync"/>)
/// are bound on the command, not by Dapper: each kind of value must reach its column and read back as Dapper reads it, on
/// both databases, and a null must carry the type PostgreSQL needs to compare it.
/// </summary>
public sealed class IndexedStatementsTests(MigratedDatabases databases) : IClassFixture<MigratedDatabases>
{
    public sealed record Row
    {
        public Guid Id { get; init; }
        public Guid? Other { get; init; }
        public DateTimeOffset At { get; init; }
        public DateTimeOffset? Until { get; init; }
        public string? Name { get; init; }
        public int Count { get; init; }
        public int? Maybe { get; init; }
        public long Big { get; init; }
        public bool Flag { get; init; }
        public double Ratio { get; init; }
        public int Day { get; init; }
    }

    [Theory]
    [InlineData(SqlDialect.Sqlite)]
    [InlineData(SqlDialect.Postgres)]
    public async Task Each_kind_of_value_reaches_its_column_and_reads_back_in_the_order_of_the_statements(SqlDialect dialect)
    {
        var database = databases.For(dialect);
        var mexicoCity = TimeSpan.FromHours(-6);
        var rows = new[]
        {
            new { Id = Guid.NewGuid(), Other = (Guid?)Guid.NewGuid(), At = new DateTimeOffset(2027, 1, 4, 11, 30, 0, mexicoCity), Until = (DateTimeOffset?)DateTimeOffset.UnixEpoch,
                Name = (string?)"Recordatorio ñ", Count = 3, Maybe = (int?)7, Big = 5_000_000_000L, Flag = true, Ratio = 0.25, Day = DayOfWeek.Friday },
            new { Id = Guid.NewGuid(), Other = (Guid?)null, At = new DateTimeOffset(2027, 1, 5, 0, 0, 0, TimeSpan.Zero), Until = (DateTimeOffset?)null,
                Name = (string?)null, Count = -1, Maybe = (int?)null, Big = 0L, Flag = false, Ratio = -1.5, Day = DayOfWeek.Sunday },
        };
        var columns = dialect == SqlDialect.Postgres
            ? "id uuid, other uuid, at timestamptz, until timestamptz, name text, count integer, maybe integer, big bigint, flag boolean, ratio double precision, day integer"
            : "id TEXT, other TEXT, at TEXT, until TEXT, name TEXT, count INTEGER, maybe INTEGER, big INTEGER, flag INTEGER, ratio REAL, day INTEGER";

        await using var work = await database.BeginAsync();
        await work.ExecuteAsync($"CREATE TEMP TABLE bound ({columns})");
        await work.ExecuteAllAsync([.. rows.Select(r => ("""
            INSERT INTO bound (id, other, at, until, name, count, maybe, big, flag, ratio, day)
            VALUES (@Id, @Other, @At, @Until, @Name, @Count, @Maybe, @Big, @Flag, @Ratio, @Day)
            """, (object)r))]);
        // A null compared in the text: PostgreSQL refuses a parameter whose type it cannot tell.
        await using var results = await work.QueryAllAsync([.. Enumerable.Reverse(rows).Select(r => ("""
            SELECT id, other, at, until, name, count, maybe, big, flag, ratio, day FROM bound
            WHERE id = @Id AND (@Name IS NULL AND name IS NULL OR name = @Name) AND (@Maybe IS NULL OR maybe = @Maybe)
            """, (object)new { r.Id, r.Name, r.Maybe }))]);

        foreach (var expected in Enumerable.Reverse(rows))
        {
            var row = await results.ReadSingleAsync<Row>();
            Assert.Equal(expected.Id, row.Id);
            Assert.Equal(expected.Other, row.Other);
            Assert.Equal(expected.At, row.At);
            Assert.Equal(TimeSpan.Zero, row.At.Offset);
            Assert.Equal(expected.Until, row.Until);
            Assert.Equal(expected.Name, row.Name);
            Assert.Equal(expected.Count, row.Count);
            Assert.Equal(expected.Maybe, row.Maybe);
            Assert.Equal(expected.Big, row.Big);
            Assert.Equal(expected.Flag, row.Flag);
            Assert.Equal(expected.Ratio, row.Ratio);
            Assert.Equal((int)expected.Day, row.Day);
        }
    }

    [Theory]
    [InlineData(SqlDialect.Sqlite)]
    [InlineData(SqlDialect.Postgres)]
    public async Task A_statement_read_as_one_row_that_returns_none_or_two_is_an_error_not_a_default(SqlDialect dialect)
    {
        var database = databases.For(dialect);
        await using var work = await database.BeginAsync();
        await using (var none = await work.QueryAllAsync([("SELECT name FROM widgets WHERE id = @id", new { id = Guid.NewGuid() })]))
            await Assert.ThrowsAsync<InvalidOperationException>(() => none.ReadSingleAsync<string>());
        await using (var two = await work.QueryAllAsync([("SELECT 'a' AS name UNION ALL SELECT 'b'", new { })]))
            await Assert.ThrowsAsync<InvalidOperationException>(() => two.ReadSingleAsync<string>());
        await using (var one = await work.QueryAllAsync([("SELECT 'a' AS name", new { }), ("SELECT 2 AS count", new { })]))
        {
            Assert.Equal("a", await one.ReadSingleAsync<string>());
            Assert.Equal(2, await one.ReadSingleAsync<int>());
            await Assert.ThrowsAsync<InvalidOperationException>(() => one.ReadSingleAsync<int>());
        }
    }

    [Fact]
    public async Task A_list_is_an_array_on_PostgreSQL_and_refused_on_SQLite_before_anything_runs()
    {
        var ids = new[] { Guid.NewGuid(), Guid.NewGuid() };
        await using (var work = await databases.Postgres.BeginAsync())
        {
            await using var results = await work.QueryAllAsync([("SELECT cardinality(@ids) AS count", new { ids })]);
            Assert.Equal(2, await results.ReadSingleAsync<int>());
        }

        // SQLite has no arrays, and Dapper's expansion of IN @ids is not done for grouped statements: refused, not sent as text.
        await using var sqlite = await databases.Sqlite.BeginAsync();
        await Assert.ThrowsAsync<NotSupportedException>(() => sqlite.ExecuteAllAsync([("DELETE FROM widgets WHERE id IN @ids", new { ids })]));
        await Assert.ThrowsAsync<NotSupportedException>(() => sqlite.QueryAllAsync([("SELECT COUNT(*) FROM widgets WHERE id IN @ids", new { ids })]));
    }
}
