using Npgsql;

namespace Reminders.Testing;

/// <summary>A PostgreSQL database of its own for one test class, dropped at the end.</summary>
public sealed class TestDatabase : IAsyncDisposable
{
    TestDatabase(string name, string connectionString)
    {
        Name = name;
        ConnectionString = connectionString;
    }

    public string Name { get; }
    public string ConnectionString { get; }

    public static async Task<TestDatabase> CreateAsync(string prefix = "test")
    {
        var name = $"{prefix}_{Guid.NewGuid():N}"[..Math.Min(63, prefix.Length + 33)].ToLowerInvariant();
        await using (var admin = new NpgsqlConnection(TestEnvironment.Postgres))
        {
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", admin);
            await create.ExecuteNonQueryAsync();
        }
        var builder = new NpgsqlConnectionStringBuilder(TestEnvironment.Postgres) { Database = name, MaxPoolSize = 20 };
        return new TestDatabase(name, builder.ConnectionString);
    }

    /// <summary>
    /// Drops the database, retrying while a backend (an autovacuum worker on a busy database) still holds it; a drop that
    /// still fails is reported and left, never thrown: cleanup must not fail a run whose figures and verdicts are in.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var admin = new NpgsqlConnection(TestEnvironment.Postgres);
                await admin.OpenAsync();
                await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{Name}\" WITH (FORCE)", admin);
                await drop.ExecuteNonQueryAsync();
                return;
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException)
            {
                if (attempt < 5) { await Task.Delay(TimeSpan.FromSeconds(attempt)); continue; }
                await Console.Error.WriteLineAsync($"[test-database] could not drop {Name} after {attempt} attempts, left behind: {e.Message}");
                return;
            }
        }
    }
}
