using System.Reflection;
using Dapper;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Reminders.Platform.Data;

/// <summary>
/// Applies numbered plain-SQL files (embedded as <c>Migrations/NNNN_name.sql</c>, or <c>NNNN_name.postgres.sql</c> /
/// <c>NNNN_name.sqlite.sql</c> for one engine) once each, in order, recording them in <c>schema_migrations</c>. On
/// PostgreSQL an advisory lock keeps two instances that start together from applying the same script twice.
/// </summary>
public sealed class Migrator(ServiceDatabase database, IReadOnlyList<Assembly> scriptAssemblies, ILogger<Migrator> logger)
{
    public async Task MigrateAsync(CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        var postgres = database.Dialect == SqlDialect.Postgres;
        var lockKey = UnitOfWork.AdvisoryLockKey(database.Service);
        if (postgres)
        {
            await connection.ExecuteAsync(new CommandDefinition("SELECT pg_advisory_lock(@lockKey)", new { lockKey }, cancellationToken: ct));
            await connection.ExecuteAsync(new CommandDefinition($"CREATE SCHEMA IF NOT EXISTS \"{database.Service}\"", cancellationToken: ct));
        }
        try
        {
            var journal = SqlDialectTokens.Apply(database.Dialect,
                "CREATE TABLE IF NOT EXISTS schema_migrations (script TEXT PRIMARY KEY, applied_at {{timestamp}} NOT NULL)");
            await connection.ExecuteAsync(new CommandDefinition(journal, cancellationToken: ct));
            var applied = (await connection.QueryAsync<string>(new CommandDefinition("SELECT script FROM schema_migrations", cancellationToken: ct))).ToHashSet();

            foreach (var script in Scripts())
            {
                if (applied.Contains(script.Id)) continue;
                await using var transaction = await connection.BeginTransactionAsync(ct);
                await connection.ExecuteAsync(new CommandDefinition(SqlDialectTokens.Apply(database.Dialect, script.Sql), transaction: transaction, cancellationToken: ct));
                await connection.ExecuteAsync(new CommandDefinition(
                    "INSERT INTO schema_migrations (script, applied_at) VALUES (@Id, @appliedAt)",
                    new { script.Id, appliedAt = DateTimeOffset.UtcNow }, transaction, cancellationToken: ct));
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
