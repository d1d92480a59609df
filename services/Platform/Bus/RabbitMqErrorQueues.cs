using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace Reminders.Platform.Bus;

/// <summary>
/// The broker's own <c>_error</c>/<c>_skipped</c> queues, read over AMQP with a connection of this class's own: depth by a
/// passive declare (immediate, unlike the management API's sampled figures), listing by get-without-ack then requeue, and
/// re-drive by publishing a copy with confirms to the original queue before acknowledging the faulted message.
/// </summary>
public sealed class RabbitMqErrorQueues(BusEndpointNames endpoints, BusOptions options, ILogger<RabbitMqErrorQueues> logger)
    : ErrorQueues(endpoints), IAsyncDisposable
{
    readonly SemaphoreSlim connecting = new(1, 1);
    IConnection? connection;

    public override async Task<long> DepthAsync(string queue, CancellationToken ct)
    {
        var connected = await ConnectAsync(ct);
        // A passive declare of a missing queue closes the channel: one channel per question.
        await using var channel = await connected.CreateChannelAsync(cancellationToken: ct);
        try
        {
            return (await channel.QueueDeclarePassiveAsync(queue, ct)).MessageCount;
        }
        catch (OperationInterruptedException e) when (e.ShutdownReason?.ReplyCode == 404)
        {
            return 0;
        }
    }

    public override async Task<IReadOnlyList<ErrorQueueMessage>> PeekAsync(string queue, CancellationToken ct)
    {
        var destination = DestinationOf(queue) ?? throw new ArgumentException($"{queue} is not an error queue of this process.", nameof(queue));
        var depth = await DepthAsync(queue, ct);
        if (depth == 0) return [];
        var connected = await ConnectAsync(ct);
        await using var channel = await connected.CreateChannelAsync(cancellationToken: ct);
        var messages = new List<ErrorQueueMessage>();
        ulong lastTag = 0;
        try
        {
            while (messages.Count < ListLimit && await channel.BasicGetAsync(queue, autoAck: false, ct) is { } got)
            {
                lastTag = got.DeliveryTag;
                messages.Add(Describe(queue, destination, got));
            }
        }
        finally
        {
            // Everything read goes back where it was: listing never consumes.
            if (lastTag > 0 && channel.IsOpen) await channel.BasicNackAsync(lastTag, multiple: true, requeue: true, CancellationToken.None);
        }
        // A quorum queue takes the requeued messages back a moment later: until then its depth reads 0, and a re-drive or
        // health check made right after the listing would find nothing. The listing returns once they are back.
        for (var wait = Stopwatch.StartNew(); lastTag > 0 && wait.Elapsed < RequeueWait && await DepthAsync(queue, ct) < depth;)
            await Task.Delay(20, ct);
        return messages;
    }

    static readonly TimeSpan RequeueWait = TimeSpan.FromSeconds(5);

    public override async Task<RedriveResult?> RedriveAsync(string queue, string? messageId, CancellationToken ct)
    {
        if (DestinationOf(queue) is not { } destination) return null;
        var waiting = await DepthAsync(queue, ct);
        var connected = await ConnectAsync(ct);
        await using var channel = await connected.CreateChannelAsync(
            new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true), ct);
        var redriven = 0;
        var others = new List<ulong>();
        try
        {
            // At most what waited when we began: a message that faults again at once is not re-driven twice.
            for (long read = 0; read < waiting && await channel.BasicGetAsync(queue, autoAck: false, ct) is { } got; read++)
            {
                if (messageId is not null && MessageIdOf(got) != messageId)
                {
                    others.Add(got.DeliveryTag);
                    continue;
                }
                var properties = new BasicProperties(got.BasicProperties)
                {
                    Headers = got.BasicProperties.Headers?.Where(h => !IsFaultHeader(h.Key)).ToDictionary(h => h.Key, h => h.Value),
                };
                // The default exchange routes by queue name: only the original queue gets the copy, and mandatory makes a
                // missing queue an error instead of a silent drop. The await returns once the broker confirmed it.
                await channel.BasicPublishAsync("", destination, mandatory: true, properties, got.Body, ct);
                await channel.BasicAckAsync(got.DeliveryTag, multiple: false, ct);
                redriven++;
                if (messageId is not null) break;
            }
        }
        finally
        {
            if (channel.IsOpen)
                foreach (var tag in others) await channel.BasicNackAsync(tag, multiple: false, requeue: true, CancellationToken.None);
        }
        return new RedriveResult(queue, destination, redriven);
    }

    ErrorQueueMessage Describe(string queue, string destination, BasicGetResult got)
    {
        var headers = got.BasicProperties.Headers ?? new Dictionary<string, object?>();
        string? Header(string name) => headers.TryGetValue(name, out var value) ? HeaderText(value) : null;
        var (envelopeId, envelopeType) = ReadEnvelope(got.Body.Span);
        var faultedAt = DateTimeOffset.TryParse(Header(MassTransit.MessageHeaders.FaultTimestamp), CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal, out var at) ? at
            : got.BasicProperties.IsTimestampPresent() ? DateTimeOffset.FromUnixTimeSeconds(got.BasicProperties.Timestamp.UnixTime) : (DateTimeOffset?)null;
        return new ErrorQueueMessage(queue, KindOf(queue), MessageIdOf(got) ?? envelopeId ?? "",
            ShortType(Header(MassTransit.MessageHeaders.FaultMessageType)) ?? envelopeType, faultedAt,
            Header(MassTransit.MessageHeaders.FaultExceptionType), Masked(Header(MassTransit.MessageHeaders.FaultMessage)),
            Header(MassTransit.MessageHeaders.Reason), destination);
    }

    static string? MessageIdOf(BasicGetResult got) =>
        got.BasicProperties.MessageId is { Length: > 0 } id ? id : ReadEnvelope(got.Body.Span).MessageId;

    async Task<IConnection> ConnectAsync(CancellationToken ct)
    {
        if (connection is { IsOpen: true } open) return open;
        await connecting.WaitAsync(ct);
        try
        {
            if (connection is { IsOpen: true } again) return again;
            if (connection is not null) await connection.DisposeAsync();
            var rabbit = options.RabbitMq;
            connection = await new ConnectionFactory
            {
                HostName = rabbit.Host,
                Port = rabbit.Port,
                VirtualHost = rabbit.VirtualHost,
                UserName = rabbit.Username,
                Password = rabbit.Password,
                ClientProvidedName = "reminders-error-queues",
                RequestedConnectionTimeout = TimeSpan.FromSeconds(5),
            }.CreateConnectionAsync(ct);
            logger.LogDebug("Connected to RabbitMQ to read error queues");
            return connection;
        }
        finally
        {
            connecting.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (connection is not null) await connection.DisposeAsync();
        connecting.Dispose();
    }
}
