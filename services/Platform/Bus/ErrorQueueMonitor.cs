using System.Diagnostics.Metrics;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Reminders.Platform.Bus;

/// <summary>
/// Counts every error and skipped queue of this process: a gauge per queue (<c>reminders.bus.error_queue.messages</c>) and
/// a readiness check that turns Degraded, naming each queue that holds messages. Degraded, not Unhealthy: the service
/// still works; some messages wait for a person to re-drive them.
/// </summary>
public sealed class ErrorQueueMonitor : BackgroundService, IHealthCheck
{
    public const string MeterName = "Reminders.Bus";

    readonly ErrorQueues queues;
    // Real time, not the study clock (which may run faster in a demo): this is about the broker, not the study.
    readonly TimeProvider clock = TimeProvider.System;
    readonly ILogger<ErrorQueueMonitor> logger;
    readonly TimeSpan every;
    readonly SemaphoreSlim counting = new(1, 1);
    IReadOnlyList<ErrorQueueDepth> depths = [];
    string? lastError;

    public ErrorQueueMonitor(ErrorQueues queues, BusOptions options, IMeterFactory meters, ILogger<ErrorQueueMonitor> logger)
    {
        (this.queues, this.logger) = (queues, logger);
        every = TimeSpan.FromSeconds(Math.Max(1, options.ErrorQueuePollSeconds));
        meters.Create(MeterName).CreateObservableGauge("reminders.bus.error_queue.messages",
            () => depths.Select(d => new Measurement<long>(d.Messages,
                new KeyValuePair<string, object?>("queue", d.Queue), new KeyValuePair<string, object?>("kind", d.Kind))),
            description: "Messages waiting in each _error (consumer failed) and _skipped (no consumer) queue, to be re-driven by a manager.");
    }

    /// <summary>The last count (refreshed every <see cref="BusOptions.ErrorQueuePollSeconds"/>, and by each health check).</summary>
    public IReadOnlyList<ErrorQueueDepth> Depths => depths;

    /// <summary>Counts now (a health check, a poll, a re-drive), and keeps the count for the gauge.</summary>
    public async Task<IReadOnlyList<ErrorQueueDepth>> CountAsync(CancellationToken ct)
    {
        await counting.WaitAsync(ct);
        try
        {
            depths = await queues.DepthsAsync(null, ct);
            lastError = null;
            return depths;
        }
        finally
        {
            counting.Release();
        }
    }

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        try
        {
            var waiting = (await CountAsync(ct)).Where(d => d.Messages > 0).ToList();
            if (waiting.Count == 0) return HealthCheckResult.Healthy("No message in any error or skipped queue.");
            return HealthCheckResult.Degraded(
                $"Messages wait to be re-driven: {string.Join(", ", waiting.Select(d => $"{d.Queue} ({d.Messages})"))}.",
                data: waiting.ToDictionary(d => d.Queue, d => (object)d.Messages));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return HealthCheckResult.Degraded($"The error queues could not be counted: {e.Message}");
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(every, clock);
        try
        {
            do
            {
                try
                {
                    await CountAsync(stoppingToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // Logged once per distinct failure, not every poll while the broker is away.
                    if (e.Message != lastError) logger.LogWarning(e, "The error queues could not be counted");
                    lastError = e.Message;
                }
            } while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }
}
