using System.Security.Claims;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Reminders.Platform.Auth;
using Reminders.Platform.Hosting;

namespace Reminders.Platform.Bus;

/// <summary>
/// <c>/api/&lt;service&gt;/error-queues</c>: each service's own error and skipped queues, mapped by the service, so one
/// process hosting all four (local) and four processes (distributed) answer the same routes with the same queues.
/// </summary>
public static class ErrorQueuesApi
{
    public sealed record ErrorQueuesView(IReadOnlyList<ErrorQueueDepth> Queues, IReadOnlyList<ErrorQueueMessage> Messages);

    /// <param name="MessageId">The one message to re-drive; null or absent: every message of the queue.</param>
    public sealed record RedriveRequest(string? MessageId);

    public static IEndpointRouteBuilder MapErrorQueuesApi(this IEndpointRouteBuilder app, string service)
    {
        var api = app.MapGroup($"/api/{service}/error-queues").WithTags("Error queues");
        api.MapGet("", ([FromServices] ErrorQueues queues, CancellationToken ct) => ListAsync(queues, service, ct)).RequireAuthorization(Roles.Manager)
            .WithSummary($"The {service} endpoints' _error and _skipped queues with their depth, and their messages (up to {ErrorQueues.ListLimit} a queue) with the exception.");
        api.MapPost("/{queue}/redrive", (string queue, RedriveRequest? request, ClaimsPrincipal user, [FromServices] ErrorQueues queues, [FromServices] ErrorQueueMonitor monitor,
                [FromServices] ILoggerFactory logs, CancellationToken ct) => RedriveAsync(service, queue, request, user, queues, monitor, logs, ct))
            .RequireAuthorization(Roles.Manager)
            .WithSummary("Moves one message (messageId) or every message of an error or skipped queue back to its original queue, fault headers removed.");
        return app;
    }

    static async Task<Ok<ErrorQueuesView>> ListAsync(ErrorQueues queues, string service, CancellationToken ct)
    {
        var depths = await queues.DepthsAsync(service, ct);
        var messages = new List<ErrorQueueMessage>();
        foreach (var depth in depths.Where(d => d.Messages > 0))
            messages.AddRange(await queues.PeekAsync(depth.Queue, ct));
        return TypedResults.Ok(new ErrorQueuesView(depths, messages));
    }

    static async Task<Results<Ok<RedriveResult>, ProblemHttpResult>> RedriveAsync(string service, string queue, RedriveRequest? request,
        ClaimsPrincipal user, ErrorQueues queues, ErrorQueueMonitor monitor, ILoggerFactory logs, CancellationToken ct)
    {
        if (!queues.QueuesOf(service).Any(q => q.Queue == queue))
            return Refusals.NotFound("queue", "No such error queue",
                $"{queue} is not an error or skipped queue of {service}; GET /api/{service}/error-queues lists them.");
        var messageId = request?.MessageId?.Trim() is { Length: > 0 } id ? id : null;
        var result = await queues.RedriveAsync(queue, messageId, ct);
        // The gauge shows the re-drive at once, not at the next poll.
        await monitor.CountAsync(ct);
        if (result is null || (messageId is not null && result.Redriven == 0))
            return Refusals.NotFound("messageId", "No such message", $"There is no message {messageId} in {queue}: it may have been re-driven already.");
        logs.CreateLogger(typeof(ErrorQueuesApi)).LogWarning("{Person} re-drove {Count} message(s) from {Queue} to {Destination}{One}",
            user.Identity?.Name ?? "(unknown)", result.Redriven, result.Queue, result.Destination, messageId is null ? "" : $" (message {messageId})");
        return TypedResults.Ok(result);
    }
}
