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
        ["platform/0001_outbox_inbox.sql", "widgets/0001_widgets.sql", "widgets/0002_widget_notes.sql",
         $"widgets/0003_widget_name_search.{(dialect == SqlDialect.Postgres ? "postgres" : "sqlite")}.sql"];

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
        await connection.ExecuteAsync("INSERT INTO widgets (id, name, note, created_at) VALUES (@id, 'w', 'n', @now)", new { id = Guid.NewGuid(), now = DateTimeOffset.UtcNow });
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
}
