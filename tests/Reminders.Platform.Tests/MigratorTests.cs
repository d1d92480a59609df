using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Reminders.Platform.Data;
using Reminders.Platform.Tests.Infrastructure;
using Reminders.Testing;

namespace Reminders.Platform.Tests;

public sealed class MigratorTests : IAsyncLifetime
{
    const string Service = "widgets";
    /// <summary>The scripts each engine applies: 0003 has a variant per engine (.postgres.sql, .sqlite.sql), each the other's syntax error.</summary>
    static string[] ExpectedScripts(SqlDialect dialect) =>
        ["platform/0001_outbox_inbox.sql", "platform/0002_outbox_relay_order.sql", "widgets/0001_widgets.sql", "widgets/0002_widget_notes.sql",
         $"widgets/0003_widget_name_search.{(dialect == SqlDialect.Postgres ? "postgres" : "sqlite")}.sql", "widgets/0004_widget_colours.sql"];

    readonly string sqliteFolder = TempFolder.Create();
    TestDatabase postgres = null!;

    public async Task InitializeAsync() => postgres = await TestDatabase.CreateAsync("migrator");

    public async Task DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        TempFolder.Delete(sqliteFolder);
        await postgres.DisposeAsync();
    }

    ServiceDatabase Database(SqlDialect dialect) => new(Service, dialect == SqlDialect.Postgres
        ? new DatabaseOptions { Provider = SqlDialect.Postgres, Postgres = postgres.ConnectionString }
        : new DatabaseOptions { Provider = SqlDialect.Sqlite, SqliteFolder = sqliteFolder });

    static Migrator Migrator(ServiceDatabase database) => new(database, MigrationScripts.PlatformAndWidgets, NullLogger<Migrator>.Instance);

    static async Task<List<(string Script, DateTimeOffset AppliedAt)>> JournalAsync(ServiceDatabase database)
    {
        await using var connection = await database.OpenAsync();
        return (await connection.QueryAsync<(string, DateTimeOffset)>("SELECT script, applied_at FROM schema_migrations ORDER BY script")).ToList();
    }

    [Theory]
    [InlineData(SqlDialect.Sqlite)]
    [InlineData(SqlDialect.Postgres)]
    public async Task Applies_each_script_once_in_order_and_records_it_in_the_journal(SqlDialect dialect)
    {
        await using var database = Database(dialect);

        await Migrator(database).MigrateAsync(CancellationToken.None);

        Assert.Equal(ExpectedScripts(dialect), (await JournalAsync(database)).Select(j => j.Script));
        // 0002 added a column to 0001's table: both ran, in order.
        await using var connection = await database.OpenAsync();
        await connection.ExecuteAsync("INSERT INTO widgets (id, name, note, colour, created_at) VALUES (@id, 'w', 'n', 'c', @now)", new { id = Guid.NewGuid(), now = DateTimeOffset.UtcNow });
        Assert.Equal(0, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM outbox_messages"));
    }

    [Theory]
    [InlineData(SqlDialect.Sqlite)]
    [InlineData(SqlDialect.Postgres)]
    public async Task Running_again_applies_nothing(SqlDialect dialect)
    {
        await using var database = Database(dialect);
        await Migrator(database).MigrateAsync(CancellationToken.None);
        var first = await JournalAsync(database);

        await Migrator(database).MigrateAsync(CancellationToken.None);

        Assert.Equal(first, await JournalAsync(database));
    }

    [Fact]
    public async Task On_postgres_the_service_gets_its_own_schema()
    {
        await using var database = Database(SqlDialect.Postgres);

        await Migrator(database).MigrateAsync(CancellationToken.None);

        await using var connection = await database.OpenAsync();
        var schemas = (await connection.QueryAsync<string>(
            "SELECT table_schema FROM information_schema.tables WHERE table_name IN ('schema_migrations', 'outbox_messages', 'inbox_messages', 'widgets')")).Distinct();
        Assert.Equal([Service], schemas);
    }

    [Fact]
    public async Task Concurrent_migrators_on_one_postgres_database_both_succeed_and_apply_each_script_once()
    {
        // Separate data sources, as two service instances starting together would have.
        var databases = Enumerable.Range(0, 3).Select(_ => Database(SqlDialect.Postgres)).ToList();
        try
        {
            var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var migrations = databases.Select(async database =>
            {
                await start.Task;
                await Migrator(database).MigrateAsync(CancellationToken.None);
            }).ToList();
            start.SetResult();
            await Task.WhenAll(migrations);

            Assert.Equal(ExpectedScripts(SqlDialect.Postgres), (await JournalAsync(databases[0])).Select(j => j.Script));
        }
        finally
        {
            foreach (var database in databases) await database.DisposeAsync();
        }
    }

    [Theory]
    [InlineData(SqlDialect.Sqlite)]
    [InlineData(SqlDialect.Postgres)]
    public async Task A_script_changed_after_it_was_applied_stops_the_start_naming_the_file_and_applies_nothing_after_it(SqlDialect dialect)
    {
        await using var database = Database(dialect);
        await Migrator(database).MigrateAsync(CancellationToken.None);
        await using var connection = await database.OpenAsync();
        // The journal holds what 0002 was when it ran; the file no longer matches it.
        await connection.ExecuteAsync("UPDATE schema_migrations SET checksum = @old WHERE script = 'widgets/0002_widget_notes.sql'",
            new { old = Reminders.Platform.Data.Migrator.Checksum("ALTER TABLE widgets ADD COLUMN note TEXT NULL;") });
        await connection.ExecuteAsync("DELETE FROM schema_migrations WHERE script = 'widgets/0004_widget_colours.sql'");

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => Migrator(database).MigrateAsync(CancellationToken.None));

        Assert.Contains("widgets/0002_widget_notes.sql", refused.Message);
        Assert.Contains("new numbered migration", refused.Message);
        Assert.DoesNotContain("widgets/0004_widget_colours.sql", (await JournalAsync(database)).Select(j => j.Script));
    }

    [Theory]
    [InlineData(SqlDialect.Sqlite)]
    [InlineData(SqlDialect.Postgres)]
    public async Task A_journal_kept_before_checksums_gets_each_scripts_checksum_and_line_endings_do_not_count(SqlDialect dialect)
    {
        await using var database = Database(dialect);
        await Migrator(database).MigrateAsync(CancellationToken.None);
        await using var connection = await database.OpenAsync();
        await connection.ExecuteAsync("ALTER TABLE schema_migrations DROP COLUMN checksum");

        await Migrator(database).MigrateAsync(CancellationToken.None);

        var checksums = (await connection.QueryAsync<(string Script, string? Checksum)>("SELECT script, checksum FROM schema_migrations")).ToDictionary(j => j.Script, j => j.Checksum);
        Assert.Equal(ExpectedScripts(dialect), checksums.Keys.Order(StringComparer.Ordinal));
        Assert.All(checksums.Values, c => Assert.Matches("^[0-9a-f]{64}$", c));
        Assert.Equal(Reminders.Platform.Data.Migrator.Checksum("a;\nb;\n"), Reminders.Platform.Data.Migrator.Checksum("a;\r\nb;\r\n"));
        Assert.NotEqual(Reminders.Platform.Data.Migrator.Checksum("a;\n"), Reminders.Platform.Data.Migrator.Checksum("b;\n"));
    }

    [Theory]
    [InlineData(SqlDialect.Sqlite)]
    [InlineData(SqlDialect.Postgres)]
    public async Task A_column_added_if_not_exists_runs_on_a_database_that_has_it_and_one_that_does_not(SqlDialect dialect)
    {
        await using var database = Database(dialect);
        await Migrator(database).MigrateAsync(CancellationToken.None);
        await using var connection = await database.OpenAsync();
        // As if 0003 had not run on a database whose 0002 already added note: run it again.
        await connection.ExecuteAsync("DELETE FROM schema_migrations WHERE script = 'widgets/0004_widget_colours.sql'");
        await connection.ExecuteAsync("ALTER TABLE widgets DROP COLUMN colour");

        await Migrator(database).MigrateAsync(CancellationToken.None);

        Assert.Equal(ExpectedScripts(dialect), (await JournalAsync(database)).Select(j => j.Script));
        await connection.ExecuteAsync("INSERT INTO widgets (id, name, note, colour, created_at) VALUES (@id, 'w', 'n', 'c', @now)", new { id = Guid.NewGuid(), now = DateTimeOffset.UtcNow });
    }
}
