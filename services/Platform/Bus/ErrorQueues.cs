using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;

namespace Reminders.Platform.Bus;

/// <summary>A message MassTransit could not handle: why, when, and the queue it came from (its destination on re-drive).</summary>
/// <param name="Kind"><c>error</c> (the consumer threw after its retries) or <c>skipped</c> (no consumer for it).</param>
public sealed record ErrorQueueMessage(
    string Queue, string Kind, string MessageId, string? MessageType, DateTimeOffset? FaultedAt,
    string? ExceptionType, string? ExceptionMessage, string? Reason, string Destination);

/// <summary>How many messages wait in one <c>_error</c> or <c>_skipped</c> queue.</summary>
public sealed record ErrorQueueDepth(string Queue, string Kind, string Destination, long Messages);

/// <summary>What a re-drive moved: how many messages, from which queue, back to which.</summary>
public sealed record RedriveResult(string Queue, string Destination, int Redriven);

/// <summary>
/// The <c>_error</c> and <c>_skipped</c> queues of this process's receive endpoints (<c>&lt;service&gt;-&lt;consumer&gt;_error</c>):
/// their depth, their messages with the exception, and re-drive (back to the original queue, fault headers removed, the
/// copy confirmed before the original is removed). On RabbitMQ the broker's queues; on the in-memory bus, messages parked
/// in this process by the endpoints' error pipes.
/// </summary>
public abstract class ErrorQueues(BusEndpointNames endpoints)
{
    public const string ErrorSuffix = "_error";
    public const string SkippedSuffix = "_skipped";

    /// <summary>At most this many messages of one queue are read to list them (the depth still counts them all).</summary>
    public const int ListLimit = 100;

    /// <summary>Every error and skipped queue of <paramref name="service"/>'s endpoints in this process (all of them when null).</summary>
    public IReadOnlyList<(string Queue, string Kind, string Destination)> QueuesOf(string? service) =>
        endpoints.Names
            .Where(name => service is null || name.StartsWith(service + "-", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .SelectMany(name => new[] { (name + ErrorSuffix, "error", name), (name + SkippedSuffix, "skipped", name) })
            .ToList();

    /// <summary>The endpoint a known error or skipped queue belongs to; null for any other name.</summary>
    public string? DestinationOf(string queue) =>
        QueuesOf(null).FirstOrDefault(q => q.Queue == queue).Destination;

    public async Task<IReadOnlyList<ErrorQueueDepth>> DepthsAsync(string? service, CancellationToken ct)
    {
        var depths = new List<ErrorQueueDepth>();
        foreach (var (queue, kind, destination) in QueuesOf(service))
            depths.Add(new ErrorQueueDepth(queue, kind, destination, await DepthAsync(queue, ct)));
        return depths;
    }

    /// <summary>Messages waiting in <paramref name="queue"/> (0 when it does not exist yet).</summary>
    public abstract Task<long> DepthAsync(string queue, CancellationToken ct);

    /// <summary>Up to <see cref="ListLimit"/> messages of <paramref name="queue"/>, oldest first, left where they are.</summary>
    public abstract Task<IReadOnlyList<ErrorQueueMessage>> PeekAsync(string queue, CancellationToken ct);

    /// <summary>
    /// Moves one message (<paramref name="messageId"/>) or all of <paramref name="queue"/> back to its endpoint; null when
    /// the queue is not one of this process's, 0 redriven when the message is not there.
    /// </summary>
    public abstract Task<RedriveResult?> RedriveAsync(string queue, string? messageId, CancellationToken ct);

    /// <summary>Headers that describe the fault, not the message: dropped on re-drive so the message arrives as it was first sent.</summary>
    public static bool IsFaultHeader(string name) =>
        name.StartsWith("MT-Fault-", StringComparison.OrdinalIgnoreCase)
        || name.StartsWith("MT-Host-", StringComparison.OrdinalIgnoreCase)
        || name.Equals(MassTransit.MessageHeaders.Reason, StringComparison.OrdinalIgnoreCase);

    /// <summary>"error" or "skipped" from a queue name.</summary>
    protected static string KindOf(string queue) => queue.EndsWith(SkippedSuffix, StringComparison.Ordinal) ? "skipped" : "error";

    /// <summary>The message id and type MassTransit's JSON envelope carries, when the body is one.</summary>
    protected static (string? MessageId, string? MessageType) ReadEnvelope(ReadOnlySpan<byte> body)
    {
        try
        {
            var reader = new Utf8JsonReader(body);
            using var json = JsonDocument.ParseValue(ref reader);
            if (json.RootElement.ValueKind != JsonValueKind.Object) return (null, null);
            var id = json.RootElement.TryGetProperty("messageId", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() : null;
            var type = json.RootElement.TryGetProperty("messageType", out var t) && t.ValueKind == JsonValueKind.Array && t.GetArrayLength() > 0
                ? t[0].GetString() : null;
            return (id, ShortType(type));
        }
        catch (JsonException)
        {
            return (null, null);
        }
    }

    /// <summary>"urn:message:Reminders.Contracts:SendSms" or "Reminders.Contracts.SendSms" → "SendSms".</summary>
    protected static string? ShortType(string? type) =>
        type is null ? null : type[(type.LastIndexOfAny([':', '.']) + 1)..] is { Length: > 0 } name ? name : type;

    /// <summary>A header value as text: AMQP gives strings as bytes.</summary>
    protected static string? HeaderText(object? value) => value switch
    {
        null => null,
        byte[] bytes => Encoding.UTF8.GetString(bytes),
        string text => text,
        _ => Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture),
    };

    /// <summary>An exception message with any phone number in it masked, as in the logs.</summary>
    protected static string? Masked(string? text) => text is null ? null : Logging.PhoneMask.MaskAll(text);
}

/// <summary>The receive endpoints this process's bus configured (filled as MassTransit configures them).</summary>
public sealed class BusEndpointNames
{
    readonly ConcurrentDictionary<string, byte> names = new(StringComparer.Ordinal);

    public void Add(string name) => names.TryAdd(name, 0);

    public IReadOnlyCollection<string> Names => names.Keys.ToList();
}
