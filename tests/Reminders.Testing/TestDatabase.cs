using System.Diagnostics;
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

    readonly List<string> roles = [];

    /// <summary>
    /// Each service's own user, limited to its own schema, made by the deployment's script (deploy/postgres/service-users.sh)
    /// on this database: the connection string each service runs with. The roles are unique to this database and dropped with it.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, string>> CreateServiceUsersAsync()
    {
        var admin = new NpgsqlConnectionStringBuilder(TestEnvironment.Postgres);
        var prefix = Name[^12..] + "_";
        string[] services = ["enrollment", "scheduler", "messaging", "attendance", "console"];
        var info = new ProcessStartInfo("bash", [Path.Combine(TestEnvironment.RepositoryRoot, "deploy", "postgres", "service-users.sh")])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment =
            {
                ["PGHOST"] = admin.Host, ["PGPORT"] = admin.Port.ToString(), ["PGUSER"] = admin.Username, ["PGPASSWORD"] = admin.Password,
                ["POSTGRES_DB"] = Name, ["SERVICE_ROLE_PREFIX"] = prefix,
            },
        };
        foreach (var service in services) info.Environment[$"{service.ToUpperInvariant()}_DB_PASSWORD"] = $"{service}-test-only";
        roles.AddRange(services.Select(s => prefix + s));
        using var script = Process.Start(info)!;
        var (stdout, stderr) = (script.StandardOutput.ReadToEndAsync(), script.StandardError.ReadToEndAsync());
        await script.WaitForExitAsync();
        if (script.ExitCode != 0) throw new InvalidOperationException($"service-users.sh exited with {script.ExitCode}: {await stderr}{await stdout}");
        return services.ToDictionary(s => s, s => new NpgsqlConnectionStringBuilder(ConnectionString)
        {
            Username = prefix + s, Password = $"{s}-test-only",
        }.ConnectionString);
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
                foreach (var role in roles)
                {
                    await using var dropRole = new NpgsqlCommand($"DROP ROLE IF EXISTS \"{role}\"", admin);
                    await dropRole.ExecuteNonQueryAsync();
                }
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
