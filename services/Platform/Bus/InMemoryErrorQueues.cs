using System.Net.Mime;
using MassTransit;
using MassTransit.Serialization;
using Microsoft.Extensions.DependencyInjection;

namespace Reminders.Platform.Bus;

/// <summary>
/// Error queues for the in-memory bus. MassTransit's in-memory transport moves a faulted message to a <c>_error</c> queue
/// that nothing can read or count, so each endpoint's error and dead-letter pipes park the message here instead (its
/// body, headers and exception), under the queue name RabbitMQ would use. Re-drive sends the same body back to the
/// endpoint's queue. Like everything on the in-memory bus, parked messages do not survive a restart.
/// </summary>
public sealed class InMemoryErrorQueues(BusEndpointNames endpoints, IServiceProvider services, TimeProvider clock) : ErrorQueues(endpoints)
{
    sealed record Parked(ErrorQueueMessage Message, byte[] Body, string? ContentType, IReadOnlyList<KeyValuePair<string, object>> Headers);

    readonly Lock gate = new();
    readonly Dictionary<string, List<Parked>> queues = new(StringComparer.Ordinal);

    public override Task<long> DepthAsync(string queue, CancellationToken ct)
    {
        lock (gate) return Task.FromResult((long)(queues.TryGetValue(queue, out var parked) ? parked.Count : 0));
    }

    public override Task<IReadOnlyList<ErrorQueueMessage>> PeekAsync(string queue, CancellationToken ct)
    {
        lock (gate)
            return Task.FromResult<IReadOnlyList<ErrorQueueMessage>>(
                queues.TryGetValue(queue, out var parked) ? parked.Take(ListLimit).Select(p => p.Message).ToList() : []);
    }

    public override async Task<RedriveResult?> RedriveAsync(string queue, string? messageId, CancellationToken ct)
    {
        if (DestinationOf(queue) is not { } destination) return null;
        List<Parked> chosen;
        lock (gate)
            chosen = queues.TryGetValue(queue, out var parked)
                ? parked.Where(p => messageId is null || p.Message.MessageId == messageId).Take(messageId is null ? int.MaxValue : 1).ToList()
                : [];
        var endpoint = await services.GetRequiredService<IBus>().GetSendEndpoint(new Uri($"queue:{destination}"));
        var redriven = 0;
        foreach (var message in chosen)
        {
            await endpoint.Send(new Redriven(), context =>
            {
                // The body is sent as it arrived, so the consumer reads the original message, id and headers included.
                var contentType = new ContentType(message.ContentType ?? "application/vnd.masstransit+json");
                context.ContentType = contentType;
                context.Serializer = new CopyBodySerializer(contentType, new StoredBody(message.Body));
                if (Guid.TryParse(message.Message.MessageId, out var id)) context.MessageId = id;
                foreach (var (key, value) in message.Headers) context.Headers.Set(key, value);
            }, ct);
            // Removed only once the bus took the copy (a failed send leaves it parked), and by reference: if the copy already
            // failed again, its new entry stays.
            lock (gate)
                if (queues.TryGetValue(queue, out var parked)) parked.RemoveAll(p => ReferenceEquals(p, message));
            redriven++;
        }
        return new RedriveResult(queue, destination, redriven);
    }

    /// <summary>Keeps a message an endpoint could not handle (<paramref name="exception"/> null: no consumer took it).</summary>
    internal void Park(ReceiveContext context, string endpoint, Exception? exception)
    {
        var body = context.Body.GetBytes();
        var (envelopeId, envelopeType) = ReadEnvelope(body);
        var transportId = context.TransportHeaders.Get<string>(MessageHeaders.MessageId);
        var queue = endpoint + (exception is null ? SkippedSuffix : ErrorSuffix);
        var message = new ErrorQueueMessage(queue, KindOf(queue), envelopeId ?? transportId ?? Guid.NewGuid().ToString(), envelopeType,
            clock.GetUtcNow(), exception?.GetType().FullName, Masked(exception?.Message), exception is null ? "skip" : "fault", endpoint);
        var headers = context.TransportHeaders.GetAll().Where(h => !IsFaultHeader(h.Key)).ToList();
        lock (gate)
        {
            if (!queues.TryGetValue(queue, out var parked)) queues[queue] = parked = [];
            parked.Add(new Parked(message, body, context.ContentType?.ToString(), headers));
        }
    }

    /// <summary>Stands in for the message on re-drive; the body sent is the stored one (<see cref="CopyBodySerializer"/>).</summary>
    sealed class Redriven;

    sealed class StoredBody(byte[] bytes) : MessageBody
    {
        public long? Length => bytes.Length;
        public Stream GetStream() => new MemoryStream(bytes, writable: false);
        public byte[] GetBytes() => bytes;
        public string GetString() => System.Text.Encoding.UTF8.GetString(bytes);
    }
}

/// <summary>The last filter of an in-memory endpoint's error pipe: the faulted message is parked, not lost in an unreadable queue.</summary>
sealed class ParkFaultedFilter(InMemoryErrorQueues store, string endpoint) : IFilter<ExceptionReceiveContext>
{
    public Task Send(ExceptionReceiveContext context, IPipe<ExceptionReceiveContext> next)
    {
        store.Park(context, endpoint, context.Exception);
        return next.Send(context);
    }

    public void Probe(ProbeContext context) => context.CreateFilterScope("park-faulted");
}

/// <summary>The in-memory dead-letter pipe: a message no consumer took is parked as skipped.</summary>
sealed class ParkSkippedFilter(InMemoryErrorQueues store, string endpoint) : IFilter<ReceiveContext>
{
    public Task Send(ReceiveContext context, IPipe<ReceiveContext> next)
    {
        store.Park(context, endpoint, null);
        return next.Send(context);
    }

    public void Probe(ProbeContext context) => context.CreateFilterScope("park-skipped");
}
