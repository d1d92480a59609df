using System.Data.Common;
using MassTransit;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Reminders.Platform.Data;

/// <summary>
/// One service's own database: a PostgreSQL schema named after the service, or a SQLite file.
/// Hands out one connection per operation; the connection pool is the driver's. Each service derives its own sealed handle
/// (<c>SchedulerDatabase</c>, ...) so that taking another service's database is a compile error, not a wrong key.
/// </summary>
public class ServiceDatabase : IAsyncDisposable
{
    readonly NpgsqlDataSource? postgres;
    readonly string? sqliteConnectionString;
    int disposed;

    public ServiceDatabase(string service, DatabaseOptions options)
    {
        Service = service;
        Dialect = options.Provider;
        DapperTypeHandlers.Register();
        if (Dialect == SqlDialect.Postgres)
        {
            if (string.IsNullOrWhiteSpace(options.Postgres))
                throw new InvalidOperationException("Database:Postgres must be set when Database:Provider is Postgres.");
            var builder = new NpgsqlConnectionStringBuilder(options.Postgres) { SearchPath = service };
            builder.ApplicationName ??= $"reminders-{service}";
            // Every statement here is one of a few fixed texts run thousands of times: prepared once per connection, PostgreSQL
            // skips parsing and planning them. No session state is ever set, so a pooled connection needs no reset.
            if (builder.MaxAutoPrepare == 0) builder.MaxAutoPrepare = 64;
            if (!options.Postgres.Contains("No Reset On Close", StringComparison.OrdinalIgnoreCase) && !options.Postgres.Contains("NoResetOnClose", StringComparison.OrdinalIgnoreCase))
                builder.NoResetOnClose = true;
            postgres = NpgsqlDataSource.Create(builder.ConnectionString);
        }
        else
        {
            Directory.CreateDirectory(options.SqliteFolder);
            sqliteConnectionString = new SqliteConnectionStringBuilder
            {
                DataSource = Path.Combine(options.SqliteFolder, $"{service}.db"),
                Pooling = true,
                DefaultTimeout = 30,
            }.ConnectionString;
        }
    }

    public string Service { get; }
    public SqlDialect Dialect { get; }

    /// <summary>Woken on every commit that wrote outbox rows, so the relay publishes at once.</summary>
    public OutboxSignal OutboxSignal { get; } = new();

    public async Task<DbConnection> OpenAsync(CancellationToken ct = default)
    {
        if (postgres is not null) return await postgres.OpenConnectionAsync(ct);
        var connection = new SqliteConnection(sqliteConnectionString);
        await connection.OpenAsync(ct);
        await using var pragma = connection.CreateCommand();
        // WAL lets readers run beside the single writer; busy_timeout waits for the writer instead of failing.
        pragma.CommandText = "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=30000; PRAGMA foreign_keys=ON;";
        await pragma.ExecuteNonQueryAsync(ct);
        return connection;
    }

    /// <summary>Opens a connection and a transaction: a state change, its inbox record and its outbox rows commit together.</summary>
    public async Task<UnitOfWork> BeginAsync(CancellationToken ct = default)
    {
        var connection = await OpenAsync(ct);
        try
        {
            // Microsoft.Data.Sqlite begins IMMEDIATE: the write lock is taken up front, so two writers never deadlock on upgrade.
            var transaction = await connection.BeginTransactionAsync(ct);
            return new UnitOfWork(this, connection, transaction);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Handles a bus message once per consumer, as every consumer of ours must, since the bus may deliver a message again:
    /// begins a unit of work, records <paramref name="consumer"/> and the message's id in the inbox (a redelivery finds them
    /// there and returns without running <paramref name="body"/>, so it has no second effect), runs the body and commits.
    /// A body that throws commits nothing, its inbox row included, so the retry runs it again. The consumer name is stored:
    /// it must stay the one the consumer has always used, or a message redelivered after an upgrade runs twice.
    /// </summary>
    public async Task ConsumeOnceAsync(ConsumeContext context, string consumer, Func<UnitOfWork, CancellationToken, Task> body)
    {
        var ct = context.CancellationToken;
        await using var work = await BeginAsync(ct);
        if (!await work.TryRecordInboxAsync(context.MessageId!.Value, consumer, ct)) return;
        await body(work, ct);
        await work.CommitAsync(ct);
    }

    /// <summary>
    /// <see cref="ConsumeOnceAsync"/> for a message that carries several events, each with the message id it was written
    /// with (a batch): in one unit of work, records each event under the consumer that handles it (<paramref name="key"/>),
    /// runs <paramref name="body"/> with only those no consumer handled before, and commits. An event seen before, alone or in
    /// another batch, has no second effect; a body that throws records none of them.
    /// </summary>
    public async Task ConsumeEachOnceAsync<T>(ConsumeContext context, IReadOnlyList<T> events, Func<T, (string Consumer, Guid MessageId)> key,
        Func<UnitOfWork, IReadOnlyList<T>, CancellationToken, Task> body)
    {
        var ct = context.CancellationToken;
        await using var work = await BeginAsync(ct);
        var recorded = await work.TryRecordInboxAsync([.. events.Select(key).Distinct()], ct);
        var fresh = events.Where(e => recorded.Remove(key(e))).ToList();
        if (fresh.Count == 0) return;
        await body(work, fresh, ct);
        await work.CommitAsync(ct);
    }

    public async ValueTask DisposeAsync()
    {
        // Registered both typed and keyed (one instance), so the container disposes it twice.
        if (Interlocked.Exchange(ref disposed, 1) == 1) return;
        if (postgres is not null) await postgres.DisposeAsync();
    }
}

/// <summary>A wake-up for the outbox relay: many signals between two sweeps collapse into one.</summary>
public sealed class OutboxSignal
{
    readonly SemaphoreSlim pending = new(0, 1);

    public void Notify()
    {
        try { if (pending.CurrentCount == 0) pending.Release(); }
        catch (SemaphoreFullException) { }
    }

    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken ct) => pending.WaitAsync(timeout, ct);
}
