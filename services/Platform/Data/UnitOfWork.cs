using System.Data;
using System.Data.Common;
using System.Text.Json;
using System.Text.RegularExpressions;
using Dapper;
using MassTransit;

namespace Reminders.Platform.Data;

/// <summary>
/// One transaction on a service's database with its outbox and inbox: whatever a handler writes,
/// the messages it publishes or sends, and the id of the message it handled commit together or not at all.
/// </summary>
public sealed partial class UnitOfWork : IAsyncDisposable
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
    /// The most characters of statements one command of <see cref="ExecuteAllAsync"/> carries: its text then stays under
    /// the large object heap's 85,000 bytes, which a batch's hundreds of statements would otherwise fill between full
    /// collections (Attendance's resident memory reached its 250 MB limit).
    /// </summary>
    public const int MaxCommandChars = 30_000;

    /// <summary>
    /// Runs the statements in their order, as few commands as <see cref="MaxCommandChars"/> allows (one round trip each, one
    /// for a usual group). Each statement's parameters get its index appended (<c>@SmsId</c> of the third becomes
    /// <c>@SmsId_2</c>), so no two collide, and the texts stay the same whatever the list, which PostgreSQL keeps prepared.
    /// Parameters are the public properties of each statement's object, bound as <see cref="IndexedStatements.Bind"/> says.
    /// </summary>
    public async Task ExecuteAllAsync(IReadOnlyList<(string Sql, object Param)> statements, CancellationToken ct = default)
    {
        var (start, length) = (0, 0);
        for (var i = 0; i < statements.Count; i++)
        {
            if (i > start && length + statements[i].Sql.Length > MaxCommandChars)
            {
                await ExecuteIndexedAsync(statements, start, i - start, ct);
                (start, length) = (i, 0);
            }
            length += statements[i].Sql.Length;
        }
        if (statements.Count > start) await ExecuteIndexedAsync(statements, start, statements.Count - start, ct);
    }

    async Task ExecuteIndexedAsync(IReadOnlyList<(string Sql, object Param)> statements, int start, int count, CancellationToken ct)
    {
        await using var command = NewCommand();
        IndexedStatements.Fill(command, statements, start, count);
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>
    /// Runs the queries in their order in one round trip, parameters indexed as in <see cref="ExecuteAllAsync"/>; read each
    /// one's row from the results in the same order. The caller keeps the texts under <see cref="MaxCommandChars"/> in all.
    /// </summary>
    public async Task<IndexedStatements.Results> QueryAllAsync(IReadOnlyList<(string Sql, object Param)> statements, CancellationToken ct = default)
    {
        var command = NewCommand();
        try
        {
            IndexedStatements.Fill(command, statements, 0, statements.Count);
            return new IndexedStatements.Results(command, await command.ExecuteReaderAsync(ct));
        }
        catch
        {
            await command.DisposeAsync();
            throw;
        }
    }

    /// <summary>A command in this transaction, its text and parameters set by the caller.</summary>
    DbCommand NewCommand()
    {
        var command = Connection.CreateCommand();
        command.Transaction = Transaction;
        return command;
    }

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

    /// <summary>Publishes each event, as its own type, once this transaction commits.</summary>
    public void PublishAll(IEnumerable<object> messages)
    {
        foreach (var message in messages) Add(message, destination: null);
    }

    /// <summary>Runs a <see cref="GroupedWrite"/>'s statements and publishes its events in this transaction.</summary>
    public Task WriteAsync(GroupedWrite write, CancellationToken ct = default)
    {
        PublishAll(write.Published);
        return ExecuteAllAsync(write.Statements, ct);
    }

    Guid Add(object message, string? destination)
    {
        var messageId = NewId.NextGuid();
        var type = message.GetType();
        outbox.Add(new OutboxEntry(messageId, type.FullName!, destination, JsonSerializer.Serialize(message, type, OutboxJson.Options)));
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

    /// <summary>
    /// Records in one statement that each consumer handled its message id (the events a batch message carries). Returns the
    /// pairs recorded now: those already there were handled before, alone or in another batch, and must have no second effect.
    /// </summary>
    public async Task<HashSet<(string Consumer, Guid MessageId)>> TryRecordInboxAsync(IReadOnlyCollection<(string Consumer, Guid MessageId)> handled,
        CancellationToken ct = default)
    {
        if (handled.Count == 0) return [];
        await using var command = NewCommand();
        IndexedStatements.Bind(command, "handledAt", DateTimeOffset.UtcNow, typeof(DateTimeOffset));
        var values = handled.Select((h, i) =>
        {
            IndexedStatements.Bind(command, $"c{i}", h.Consumer, typeof(string));
            IndexedStatements.Bind(command, $"m{i}", h.MessageId, typeof(Guid));
            return $"(@c{i}, @m{i}, @handledAt)";
        });
        command.CommandText = $"""
            INSERT INTO inbox_messages (consumer, message_id, handled_at) VALUES {string.Join(", ", values)}
            ON CONFLICT (consumer, message_id) DO NOTHING RETURNING consumer, message_id
            """;
        var recorded = new HashSet<(string Consumer, Guid MessageId)>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        var parse = reader.GetRowParser(typeof(InboxRow));
        while (await reader.ReadAsync(ct))
        {
            var row = (InboxRow)parse(reader);
            recorded.Add((row.Consumer, row.MessageId));
        }
        return recorded;
    }

    public async Task CommitAsync(CancellationToken ct = default)
    {
        // A statement per thousand rows: Dapper runs a statement once per element of a list, a round trip each, and one
        // statement may bind only so many parameters (PostgreSQL 65,535; SQLite 32,766).
        var createdAt = DateTimeOffset.UtcNow;
        foreach (var rows in outbox.Chunk(1000))
        {
            await using var command = NewCommand();
            IndexedStatements.Bind(command, "createdAt", createdAt, typeof(DateTimeOffset));
            var values = rows.Select((e, i) =>
            {
                IndexedStatements.Bind(command, $"i{i}", e.MessageId, typeof(Guid));
                IndexedStatements.Bind(command, $"t{i}", e.MessageType, typeof(string));
                IndexedStatements.Bind(command, $"d{i}", e.Destination, typeof(string));
                IndexedStatements.Bind(command, $"b{i}", e.Body, typeof(string));
                return $"(@i{i}, @t{i}, @d{i}, @b{i}, @createdAt)";
            });
            command.CommandText = $"INSERT INTO outbox_messages (message_id, message_type, destination, body, created_at) VALUES {string.Join(", ", values)}";
            await command.ExecuteNonQueryAsync(ct);
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

    sealed record InboxRow
    {
        public string Consumer { get; init; } = "";
        public Guid MessageId { get; init; }
    }

    sealed record OutboxEntry(Guid MessageId, string MessageType, string? Destination, string Body);
}

public static class OutboxJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);
}
