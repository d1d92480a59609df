using System.Data.Common;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Dapper;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Reminders.Platform.Data;

/// <summary>
/// Applies numbered plain-SQL files (embedded as <c>Migrations/NNNN_name.sql</c>, or <c>NNNN_name.postgres.sql</c> /
/// <c>NNNN_name.sqlite.sql</c> for one engine) once each, in order, recording them in <c>schema_migrations</c> with their
/// SHA-256. A file changed after it was applied stops the service at start-up, naming the file: its change belongs in a new
/// numbered migration. On PostgreSQL an advisory lock keeps two instances that start together from applying the same script twice.
/// </summary>
public sealed partial class Migrator(ServiceDatabase database, IReadOnlyList<Assembly> scriptAssemblies, ILogger<Migrator> logger)
{
    public async Task MigrateAsync(CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        var postgres = database.Dialect == SqlDialect.Postgres;
        var lockKey = UnitOfWork.AdvisoryLockKey(database.Service);
        if (postgres)
        {
            await connection.ExecuteAsync(new CommandDefinition("SELECT pg_advisory_lock(@lockKey)", new { lockKey }, cancellationToken: ct));
            // Created only when missing: a service user limited to its schema (deploy/postgres/service-users.sh) may not create
            // schemas, and PostgreSQL refuses even CREATE SCHEMA IF NOT EXISTS to it.
            var schemaExists = await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
                "SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = @schema)", new { schema = database.Service }, cancellationToken: ct));
            if (!schemaExists)
                await connection.ExecuteAsync(new CommandDefinition($"CREATE SCHEMA IF NOT EXISTS \"{database.Service}\"", cancellationToken: ct));
        }
        try
        {
            var journal = SqlDialectTokens.Apply(database.Dialect,
                "CREATE TABLE IF NOT EXISTS schema_migrations (script TEXT PRIMARY KEY, applied_at {{timestamp}} NOT NULL, checksum TEXT NULL)");
            await connection.ExecuteAsync(new CommandDefinition(journal, cancellationToken: ct));
            // Journals written before checksums were kept.
            await ExecuteAsync(connection, "ALTER TABLE schema_migrations ADD COLUMN IF NOT EXISTS checksum TEXT NULL;", null, ct);
            var applied = (await connection.QueryAsync<(string Script, string? Checksum)>(new CommandDefinition(
                "SELECT script, checksum FROM schema_migrations", cancellationToken: ct))).ToDictionary(j => j.Script, j => j.Checksum);

            foreach (var script in Scripts())
            {
                var checksum = Checksum(script.Sql);
                if (applied.TryGetValue(script.Id, out var recorded))
                {
                    if (recorded is null)
                        await connection.ExecuteAsync(new CommandDefinition("UPDATE schema_migrations SET checksum = @checksum WHERE script = @Id",
                            new { checksum, script.Id }, cancellationToken: ct));
                    else if (recorded != checksum)
                        throw new InvalidOperationException(
                            $"Migration {script.Id} was changed after it was applied to {database.Service} (SHA-256 {recorded} when applied, {checksum} now). " +
                            "Restore the file as it was applied and put the change in a new numbered migration.");
                    continue;
                }
                await using var transaction = await connection.BeginTransactionAsync(ct);
                await ExecuteAsync(connection, SqlDialectTokens.Apply(database.Dialect, script.Sql), transaction, ct);
                await connection.ExecuteAsync(new CommandDefinition(
                    "INSERT INTO schema_migrations (script, applied_at, checksum) VALUES (@Id, @appliedAt, @checksum)",
                    new { script.Id, appliedAt = DateTimeOffset.UtcNow, checksum }, transaction, cancellationToken: ct));
                await transaction.CommitAsync(ct);
                logger.LogInformation("Applied migration {Script} to {Service} ({Dialect})", script.Id, database.Service, database.Dialect);
            }
        }
        finally
        {
            if (postgres)
                await connection.ExecuteAsync(new CommandDefinition("SELECT pg_advisory_unlock(@lockKey)", new { lockKey }, cancellationToken: CancellationToken.None));
        }
    }

    /// <summary>SHA-256 of the script with its line endings made \n, so a checkout's line endings do not count as a change.</summary>
    public static string Checksum(string sql) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(sql.ReplaceLineEndings("\n"))));

    /// <summary>
    /// Runs a script; on SQLite, which has no <c>ADD COLUMN IF NOT EXISTS</c>, each such statement runs only when the column
    /// is missing, so a migration can bring databases that did and did not run an earlier edit to the same schema.
    /// </summary>
    async Task ExecuteAsync(DbConnection connection, string sql, DbTransaction? transaction, CancellationToken ct)
    {
        if (database.Dialect == SqlDialect.Sqlite)
        {
            foreach (Match m in AddColumnIfMissing().Matches(sql))
            {
                var exists = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
                    "SELECT COUNT(*) FROM pragma_table_info(@table) WHERE name = @column",
                    new { table = m.Groups["table"].Value, column = m.Groups["column"].Value }, transaction, cancellationToken: ct)) > 0;
                sql = sql.Replace(m.Value, exists ? "" : $"ALTER TABLE {m.Groups["table"].Value} ADD COLUMN {m.Groups["column"].Value}{m.Groups["rest"].Value};",
                    StringComparison.Ordinal);
            }
            if (string.IsNullOrWhiteSpace(sql)) return;
        }
        await connection.ExecuteAsync(new CommandDefinition(sql, transaction: transaction, cancellationToken: ct));
    }

    [GeneratedRegex(@"ALTER TABLE (?<table>\w+) ADD COLUMN IF NOT EXISTS (?<column>\w+)(?<rest>[^;]*);", RegexOptions.IgnoreCase)]
    private static partial Regex AddColumnIfMissing();

    /// <summary>
    /// "NNNN_name.postgres.sql" and "NNNN_name.sqlite.sql" run on that engine alone: the two halves of a change each engine makes
    /// its own way (a trigram index is pg_trgm on one, an FTS5 table on the other). Plain "NNNN_name.sql" runs on both.
    /// </summary>
    static SqlDialect? OnlyFor(string file) =>
        file.EndsWith(".postgres.sql", StringComparison.Ordinal) ? SqlDialect.Postgres
        : file.EndsWith(".sqlite.sql", StringComparison.Ordinal) ? SqlDialect.Sqlite
        : null;

    IEnumerable<(string Id, string Sql)> Scripts()
    {
        foreach (var assembly in scriptAssemblies)
        {
            var owner = assembly == typeof(Migrator).Assembly ? "platform" : database.Service;
            var scripts = assembly.GetManifestResourceNames()
                .Where(n => n.Contains(".Migrations.", StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal))
                .Select(n => (Resource: n, File: n[(n.IndexOf(".Migrations.", StringComparison.Ordinal) + ".Migrations.".Length)..]))
                .Where(s => OnlyFor(s.File) is not { } only || only == database.Dialect)
                .OrderBy(s => s.File, StringComparer.Ordinal);
            foreach (var (resource, file) in scripts)
            {
                using var stream = assembly.GetManifestResourceStream(resource)!;
                using var reader = new StreamReader(stream);
                yield return ($"{owner}/{file}", reader.ReadToEnd());
            }
        }
    }
}

/// <summary>Migrates the service's database before the bus and the outbox relay start.</summary>
public sealed class MigrationHostedService(Migrator migrator) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => migrator.MigrateAsync(cancellationToken);
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
