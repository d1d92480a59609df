using Reminders.Platform.Data;
using Reminders.Platform.Tests.Infrastructure;

namespace Reminders.Platform.Tests;

/// <summary>The same record types and SQL read and write uuids and timestamps on SQLite (text) and PostgreSQL (native).</summary>
public sealed class DapperTypeHandlerTests(MigratedDatabases databases) : IClassFixture<MigratedDatabases>
{
    sealed record Widget
    {
        public Guid Id { get; init; }
        public string Name { get; init; } = "";
        public Guid? ParentId { get; init; }
        public DateTimeOffset? DueAt { get; init; }
        public DateTimeOffset CreatedAt { get; init; }
    }

    const string Select = "SELECT id AS Id, name AS Name, parent_id AS ParentId, due_at AS DueAt, created_at AS CreatedAt FROM widgets";

    // Microsecond precision (PostgreSQL's), below a millisecond, written with a non-UTC offset.
    static readonly DateTimeOffset MexicoCityTime = new DateTimeOffset(2025, 3, 14, 21, 59, 58, TimeSpan.FromHours(-6)).AddTicks(9_876_540);

    async Task<Widget> RoundTripAsync(SqlDialect dialect, Widget widget)
    {
        await using var work = await databases.For(dialect).BeginAsync();
        await work.ExecuteAsync("INSERT INTO widgets (id, name, parent_id, due_at, created_at) VALUES (@Id, @Name, @ParentId, @DueAt, @CreatedAt)", widget);
        await work.CommitAsync();
        await using var read = await databases.For(dialect).BeginAsync();
        return (await read.QuerySingleOrDefaultAsync<Widget>($"{Select} WHERE id = @Id", new { widget.Id }))!;
    }

    [Theory]
    [InlineData(SqlDialect.Sqlite)]
    [InlineData(SqlDialect.Postgres)]
    public async Task Guid_and_sub_millisecond_timestamp_round_trip_as_the_same_utc_instant(SqlDialect dialect)
    {
        var widget = new Widget { Id = Guid.NewGuid(), Name = "w", ParentId = Guid.NewGuid(), DueAt = MexicoCityTime, CreatedAt = MexicoCityTime.AddTicks(10) };

        var read = await RoundTripAsync(dialect, widget);

        Assert.Equal(widget.Id, read.Id);
        Assert.Equal(widget.ParentId, read.ParentId);
        Assert.Equal(MexicoCityTime.UtcTicks, read.DueAt!.Value.UtcTicks);
        Assert.Equal(MexicoCityTime.UtcTicks + 10, read.CreatedAt.UtcTicks);
        Assert.Equal(TimeSpan.Zero, read.DueAt.Value.Offset);
        Assert.Equal(TimeSpan.Zero, read.CreatedAt.Offset);
    }

    [Theory]
    [InlineData(SqlDialect.Sqlite)]
    [InlineData(SqlDialect.Postgres)]
    public async Task Null_uuid_and_null_timestamp_round_trip_as_null(SqlDialect dialect)
    {
        var widget = new Widget { Id = Guid.NewGuid(), Name = "w", CreatedAt = DateTimeOffset.UtcNow };

        var read = await RoundTripAsync(dialect, widget);

        Assert.Null(read.ParentId);
        Assert.Null(read.DueAt);
    }

    [Theory]
    [InlineData(SqlDialect.Sqlite)]
    [InlineData(SqlDialect.Postgres)]
    public async Task Timestamps_compare_in_sql_as_instants_whatever_offset_they_were_written_with(SqlDialect dialect)
    {
        var name = $"cmp-{Guid.NewGuid():N}";
        var earlier = new DateTimeOffset(2025, 1, 1, 23, 0, 0, TimeSpan.FromHours(-6));       // 05:00Z on Jan 2
        var later = new DateTimeOffset(2025, 1, 2, 6, 0, 0, TimeSpan.Zero).AddTicks(10);      // 06:00Z on Jan 2
        await using (var work = await databases.For(dialect).BeginAsync())
        {
            await work.ExecuteAsync("INSERT INTO widgets (id, name, created_at) VALUES (@id, @name, @at)",
                new[] { new { id = Guid.NewGuid(), name, at = later }, new { id = Guid.NewGuid(), name, at = earlier } });
            await work.CommitAsync();
        }

        await using var read = await databases.For(dialect).BeginAsync();
        var after = await read.QueryAsync<DateTimeOffset>("SELECT created_at FROM widgets WHERE name = @name AND created_at > @cutoff ORDER BY created_at",
            new { name, cutoff = new DateTimeOffset(2025, 1, 1, 23, 30, 0, TimeSpan.FromHours(-6)) });
        var ordered = await read.QueryAsync<DateTimeOffset>("SELECT created_at FROM widgets WHERE name = @name ORDER BY created_at", new { name });

        Assert.Equal([later], after);
        Assert.Equal([earlier, later], ordered);
    }

    [Theory]
    [InlineData(SqlDialect.Sqlite)]
    [InlineData(SqlDialect.Postgres)]
    public async Task Snake_case_columns_fill_pascal_case_init_properties_without_aliases(SqlDialect dialect)
    {
        var widget = new Widget { Id = Guid.NewGuid(), Name = "w", ParentId = Guid.NewGuid(), DueAt = MexicoCityTime, CreatedAt = MexicoCityTime.AddTicks(10) };
        await RoundTripAsync(dialect, widget);

        // The services' queries name columns as stored (parent_id, not ParentId): ServiceDatabase turns underscore matching on.
        await using var read = await databases.For(dialect).BeginAsync();
        var unaliased = await read.QuerySingleAsync<Widget>("SELECT id, name, parent_id, due_at, created_at FROM widgets WHERE id = @Id", new { widget.Id });

        Assert.Equal(widget, unaliased);
    }

    [Fact]
    public async Task On_sqlite_uuids_and_timestamps_are_written_as_fixed_width_utc_text_whether_nullable_or_not()
    {
        var widget = new Widget { Id = Guid.NewGuid(), Name = "w", ParentId = Guid.NewGuid(), DueAt = MexicoCityTime, CreatedAt = MexicoCityTime };
        await RoundTripAsync(SqlDialect.Sqlite, widget);

        await using var read = await databases.Sqlite.BeginAsync();
        var stored = await read.QuerySingleOrDefaultAsync<(string, string, string, string)>(
            "SELECT typeof(id), typeof(parent_id), due_at, created_at FROM widgets WHERE id = @Id", new { widget.Id });
        Guid? nullableId = widget.Id;
        var byNullable = await read.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM widgets WHERE id = @nullableId", new { nullableId });

        Assert.Equal(("text", "text", "2025-03-15T03:59:58.9876540Z", "2025-03-15T03:59:58.9876540Z"), stored);
        Assert.Equal(1, byNullable);
    }
}
