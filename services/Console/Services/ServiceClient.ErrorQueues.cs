namespace Reminders.Web.Services;

/// <summary>Every service's own error and skipped queues (<c>/api/&lt;service&gt;/error-queues</c>): the same routes on each client.</summary>
public abstract partial class ServiceClient
{
    /// <summary>The service's name in its routes ("messaging").</summary>
    public string Service => service;

    public Task<ApiResult<ErrorQueuesView>> ErrorQueuesAsync(CancellationToken ct = default) =>
        GetAsync<ErrorQueuesView>($"/api/{service}/error-queues", ct);

    /// <summary>Sends one message (<paramref name="messageId"/>) or every message of <paramref name="queue"/> back to its queue.</summary>
    public Task<ApiResult<RedriveView>> RedriveAsync(string queue, string? messageId, CancellationToken ct = default) =>
        PostJsonAsync<RedriveView>($"/api/{service}/error-queues/{Uri.EscapeDataString(queue)}/redrive", new { messageId }, ct);
}

public sealed record ErrorQueuesView(IReadOnlyList<ErrorQueueDepthView> Queues, IReadOnlyList<ErrorQueueMessageView> Messages);

/// <param name="Kind">error (the service failed on it) or skipped (no part of the service takes it).</param>
public sealed record ErrorQueueDepthView(string Queue, string Kind, string Destination, long Messages);

public sealed record ErrorQueueMessageView(
    string Queue, string Kind, string MessageId, string? MessageType, DateTimeOffset? FaultedAt,
    string? ExceptionType, string? ExceptionMessage, string? Reason, string Destination);

public sealed record RedriveView(string Queue, string Destination, int Redriven);
