using System.Diagnostics.Metrics;
using System.Text.Json;
using Dapper;
using MassTransit;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Reminders.Contracts;
using Reminders.Platform.Data;
using Reminders.Platform.Hosting;

namespace Reminders.Platform.Outbox;

/// <summary>
/// Relays committed outbox rows of one service to the bus, each with the message id it was written with
/// (so consumers' inboxes drop duplicates). Woken by commits; a periodic sweep catches rows left by a
/// crash or a broker outage. Several instances share the table: PostgreSQL hands each a disjoint batch. Events an
/// <see cref="OutboxEnvelope"/> names leave a round together, as one message.
/// </summary>
public sealed class OutboxRelay(ServiceDatabase database, IBus bus, ILogger<OutboxRelay> logger, IMeterFactory? meters = null,
    OutboxEnvelope? envelope = null) : BackgroundService
{
    const int BatchSize = 500;
    /// <summary>Rows per relayed batch: how much one read of the table and one delete carry (the delivery benchmark prints its mean).</summary>
    readonly Histogram<int>? batchSizes = meters?.Create(DatabaseGaugeSampler.MeterName).CreateHistogram<int>("reminders.outbox.relay.batch", "{message}",
        "Outbox rows read in one relay round");
    static readonly TimeSpan SweepInterval = TimeSpan.FromSeconds(1);
    /// <summary>How long a woken relay lets the commits of the same moment join its round: fewer, fuller rounds (and envelopes).</summary>
    static readonly TimeSpan GatherWindow = TimeSpan.FromMilliseconds(20);
    static readonly TimeSpan PublishTimeout = TimeSpan.FromSeconds(15);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var relayed = await RelayBatchAsync(stoppingToken);
                failures = 0;
                if (relayed == BatchSize) continue;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                failures++;
                logger.LogWarning(ex, "Outbox relay of {Service} failed ({Failures} in a row); rows stay for the next attempt", database.Service, failures);
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(5000, 250 * failures)), stoppingToken);
                continue;
            }
            try
            {
                if (await database.OutboxSignal.WaitAsync(SweepInterval, stoppingToken)) await Task.Delay(GatherWindow, stoppingToken);
            }
            catch (OperationCanceledException) { return; }
        }
    }

    /// <summary>Publishes one batch of pending rows and deletes those the broker confirmed. Returns how many were relayed.</summary>
    public async Task<int> RelayBatchAsync(CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        await using var transaction = database.Dialect == SqlDialect.Postgres ? await connection.BeginTransactionAsync(ct) : null;
        var sql = $"""
            SELECT id, message_id, message_type, destination, body
            FROM outbox_messages ORDER BY attempts, id LIMIT {BatchSize} {database.Dialect.SkipLocked()}
            """;
        var rows = (await connection.QueryAsync<OutboxRow>(new CommandDefinition(sql, transaction: transaction, cancellationToken: ct))).AsList();
        if (rows.Count == 0) return 0;
        batchSizes?.Record(rows.Count, new KeyValuePair<string, object?>("service", database.Service));

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(PublishTimeout);
        // Each row is its own message, except those the envelope carries: one message for all of them, relayed or not together.
        var enveloped = envelope is null ? [] : rows.Where(row => envelope.Carries(row.MessageType, row.Destination)).ToList();
        var messages = rows.Except(enveloped).Select(row => (Rows: (IReadOnlyList<OutboxRow>)[row], Relay: TryRelayAsync(row, timeout.Token))).ToList();
        if (enveloped.Count > 0) messages.Add((enveloped, TryRelayEnvelopeAsync(enveloped, timeout.Token)));
        await Task.WhenAll(messages.Select(m => m.Relay));

        var relayed = messages.Where(m => m.Relay.Result is null).SelectMany(m => m.Rows).Select(r => r.Id).ToArray();
        var failed = messages.Where(m => m.Relay.Result is not null).SelectMany(m => m.Rows.Select(r => (r.Id, Error: m.Relay.Result))).ToArray();
        if (relayed.Length > 0)
            await connection.ExecuteAsync(new CommandDefinition($"DELETE FROM outbox_messages WHERE {database.Dialect.InList("id", "relayed")}", new { relayed }, transaction, cancellationToken: ct));
        foreach (var (id, error) in failed)
            await connection.ExecuteAsync(new CommandDefinition(
                "UPDATE outbox_messages SET attempts = attempts + 1, last_error = @error WHERE id = @id", new { id, error }, transaction, cancellationToken: ct));
        if (transaction is not null) await transaction.CommitAsync(ct);
        // Only a batch where nothing went out backs off; a row that keeps failing sorts behind the others (attempts, id).
        if (failed.Length == rows.Count)
            throw new InvalidOperationException($"{failed.Length} outbox messages of {database.Service} were not relayed: {failed[0].Error}");
        if (failed.Length > 0)
            logger.LogWarning("{Failed} of {Count} outbox messages of {Service} were not relayed: {Error}", failed.Length, rows.Count, database.Service, failed[0].Error);
        return relayed.Length;
    }

    async Task<string?> TryRelayEnvelopeAsync(IReadOnlyList<OutboxRow> rows, CancellationToken ct)
    {
        try
        {
            var message = envelope!.Wrap([.. rows.Select(row => new OutboxEvent(row.MessageId, Deserialize(row).Message))]);
            await bus.Publish(message, message.GetType(), ct);
            return null;
        }
        catch (Exception ex) when (!ct.IsCancellationRequested || ex is OperationCanceledException)
        {
            return ex.Message;
        }
    }

    static (object Message, Type Type) Deserialize(OutboxRow row)
    {
        var type = typeof(SendSms).Assembly.GetType(row.MessageType)
            ?? throw new InvalidOperationException($"Unknown message type {row.MessageType}");
        return (JsonSerializer.Deserialize(row.Body, type, OutboxJson.Options)!, type);
    }

    async Task<string?> TryRelayAsync(OutboxRow row, CancellationToken ct)
    {
        try
        {
            var (message, type) = Deserialize(row);
            if (row.Destination is null)
                await bus.Publish(message, type, context => context.MessageId = row.MessageId, ct);
            else
            {
                // bind=false: the consumer declares its own (quorum) queue; a sender declaring it classic would clash.
                // Mandatory: if that queue does not exist yet, the broker returns the command and the row stays for a retry.
                var endpoint = await bus.GetSendEndpoint(new Uri($"queue:{row.Destination}?bind=false"));
                await endpoint.Send(message, type, context =>
                {
                    context.MessageId = row.MessageId;
                    if (context.TryGetPayload<RabbitMqSendContext>(out var rabbit)) rabbit.Mandatory = true;
                }, ct);
            }
            return null;
        }
        catch (Exception ex) when (!ct.IsCancellationRequested || ex is OperationCanceledException)
        {
            return ex.Message;
        }
    }

    sealed record OutboxRow
    {
        public long Id { get; init; }
        public Guid MessageId { get; init; }
        public string MessageType { get; init; } = "";
        public string? Destination { get; init; }
        public string Body { get; init; } = "";
    }
}
