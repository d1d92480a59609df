using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Reminders.Platform.Data;
using Reminders.Testing;

namespace Reminders.Platform.Tests.Infrastructure;

/// <summary>
/// One service database per dialect (a SQLite file in a temp folder, a schema in a fresh PostgreSQL database),
/// migrated with the platform's scripts (outbox, inbox) and the test-only widgets table.
/// </summary>
public sealed class MigratedDatabases : IAsyncLifetime
{
    public const string Service = "widgets";

    readonly string sqliteFolder = TempFolder.Create();
    TestDatabase? postgres;

    public ServiceDatabase Sqlite { get; private set; } = null!;
    public ServiceDatabase Postgres { get; private set; } = null!;
    public string PostgresConnectionString => postgres!.ConnectionString;

    public ServiceDatabase For(SqlDialect dialect) => dialect == SqlDialect.Postgres ? Postgres : Sqlite;

    public async Task InitializeAsync()
    {
        postgres = await TestDatabase.CreateAsync("platform");
        Sqlite = new ServiceDatabase(Service, new DatabaseOptions { Provider = SqlDialect.Sqlite, SqliteFolder = sqliteFolder });
        Postgres = new ServiceDatabase(Service, new DatabaseOptions { Provider = SqlDialect.Postgres, Postgres = postgres.ConnectionString });
        foreach (var database in new[] { Sqlite, Postgres })
            await new Migrator(database, MigrationScripts.PlatformAndWidgets, NullLogger<Migrator>.Instance).MigrateAsync(CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        await Sqlite.DisposeAsync();
        await Postgres.DisposeAsync();
        SqliteConnection.ClearAllPools();
        TempFolder.Delete(sqliteFolder);
        if (postgres is not null) await postgres.DisposeAsync();
    }
}

public static class MigrationScripts
{
    /// <summary>The platform's scripts (outbox, inbox) and this assembly's (widgets).</summary>
    public static readonly System.Reflection.Assembly[] PlatformAndWidgets = [typeof(Migrator).Assembly, typeof(MigrationScripts).Assembly];
}

public static class TempFolder
{
    public static string Create()
    {
        var path = Path.Combine(Path.GetTempPath(), "reminders-platform-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        return path;
    }

    public static void Delete(string path)
    {
        try { Directory.Delete(path, recursive: true); }
        catch (IOException) { }
    }
}
