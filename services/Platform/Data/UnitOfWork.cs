using System.Data.Common;
using System.Text.Json;
using Dapper;
using MassTransit;

namespace Reminders.Platform.Data;

/// <summary>
/// One transaction on a service's database with its outbox and inbox: whatever a handler writes,
/// the messages it publishes or sends, and the id of the message it handled commit together or not at all.
/// </summary>
public sealed class UnitOfWork : IAsyncDisposable
{
    readonly ServiceDatabase database;
    readonly List<OutboxEntry> outbox = [];
    bool committed;

    internal UnitOfWork(ServiceDatabase database, DbConnection connection, DbTransaction transaction)
    {
        this.database = database;
        Connection = connection;
        Transaction = transaction;
    }

    public DbConnection Connection { get; }
    public DbTransaction Transaction { get; }
    public SqlDialect Dialect => database.Dialect;

    public Task<int> ExecuteAsync(string sql, object? param = null, CancellationToken ct = default) =>
        Connection.ExecuteAsync(new CommandDefinition(sql, param, Transaction, cancellationToken: ct));

    public Task<T?> QuerySingleOrDefaultAsync<T>(string sql, object? param = null, CancellationToken ct = default) =>
        Connection.QuerySingleOrDefaultAsync<T>(new CommandDefinition(sql, param, Transaction, cancellationToken: ct));

    public Task<T> QuerySingleAsync<T>(string sql, object? param = null, CancellationToken ct = default) =>
        Connection.QuerySingleAsync<T>(new CommandDefinition(sql, param, Transaction, cancellationToken: ct));

    public Task<T> ExecuteScalarAsync<T>(string sql, object? param = null, CancellationToken ct = default) =>
        Connection.ExecuteScalarAsync<T>(new CommandDefinition(sql, param, Transaction, cancellationToken: ct))!;

    public async Task<IReadOnlyList<T>> QueryAsync<T>(string sql, object? param = null, CancellationToken ct = default) =>
        (await Connection.QueryAsync<T>(new CommandDefinition(sql, param, Transaction, cancellationToken: ct))).AsList();

    /// <summary>
    /// Serializes this transaction with every other one taking the same named lock, until commit or rollback
    /// (PostgreSQL advisory lock; a SQLite write transaction already excludes other writers).
    /// </summary>
    public async Task LockAsync(string name, CancellationToken ct = default)
    {
        if (Dialect != SqlDialect.Postgres) return;
        await ExecuteScalarAsync<object>("SELECT pg_advisory_xact_lock(@key)", new { key = AdvisoryLockKey(name) }, ct);
    }

    /// <summary>The PostgreSQL advisory-lock key of a lock name: a hash that is the same in every process and .NET version.</summary>
    public static long AdvisoryLockKey(string name)
    {
        long key = 1125899906842597L;
        foreach (var c in name) key = 31 * key + c;
        return key;
    }

    /// <summary>Publishes an event once this transaction commits.</summary>
    public Guid Publish<T>(T message) where T : class => Add(message, destination: null);

    /// <summary>Sends a command to a named queue once this transaction commits.</summary>
    public Guid Send<T>(string queueName, T message) where T : class => Add(message, queueName);

    Guid Add<T>(T message, string? destination) where T : class
    {
        var messageId = NewId.NextGuid();
        outbox.Add(new OutboxEntry(messageId, typeof(T).FullName!, destination, JsonSerializer.Serialize(message, OutboxJson.Options)));
        return messageId;
    }

    /// <summary>
    /// Records that <paramref name="consumer"/> handled <paramref name="messageId"/>. False when it already
    /// did: the caller must then do nothing (a redelivery has no second effect).
    /// </summary>
    public async Task<bool> TryRecordInboxAsync(Guid messageId, string consumer, CancellationToken ct = default)
    {
        const string sql = """
            INSERT INTO inbox_messages (consumer, message_id, handled_at)
            VALUES (@consumer, @messageId, @handledAt)
            ON CONFLICT (consumer, message_id) DO NOTHING
            """;
        return await ExecuteAsync(sql, new { consumer, messageId, handledAt = DateTimeOffset.UtcNow }, ct) == 1;
    }

    public async Task CommitAsync(CancellationToken ct = default)
    {
        if (outbox.Count > 0)
        {
            const string sql = """
                INSERT INTO outbox_messages (message_id, message_type, destination, body, created_at)
                VALUES (@MessageId, @MessageType, @Destination, @Body, @CreatedAt)
                """;
            var now = DateTimeOffset.UtcNow;
            await Connection.ExecuteAsync(new CommandDefinition(sql,
                outbox.Select(e => new { e.MessageId, e.MessageType, e.Destination, e.Body, CreatedAt = now }),
                Transaction, cancellationToken: ct));
        }
        await Transaction.CommitAsync(ct);
        committed = true;
        if (outbox.Count > 0) database.OutboxSignal.Notify();
    }

    public async ValueTask DisposeAsync()
    {
        if (!committed)
        {
            try { await Transaction.RollbackAsync(); } catch (InvalidOperationException) { }
        }
        await Transaction.DisposeAsync();
        await Connection.DisposeAsync();
    }

    sealed record OutboxEntry(Guid MessageId, string MessageType, string? Destination, string Body);
}

public static class OutboxJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);
}
