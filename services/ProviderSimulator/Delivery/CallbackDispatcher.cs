using System.Threading.Channels;
using Microsoft.Extensions.Options;
using Reminders.ProviderSimulator.Log;

namespace Reminders.ProviderSimulator.Delivery;

/// <summary>
/// Posts status callbacks from a few partitions, each a channel with one sender, so a slow receiver
/// does not hold up everything and the callbacks of one message keep their order.
/// </summary>
internal sealed class CallbackDispatcher(
    IHttpClientFactory httpClients,
    SimulatorLog log,
    IOptions<SimulatorOptions> options,
    TimeProvider time,
    ILogger<CallbackDispatcher> logger) : BackgroundService
{
    public const string HttpClientName = "provider-simulator-callbacks";

    private readonly Channel<Webhook>[] partitions = Enumerable
        .Range(0, Math.Max(1, options.Value.CallbackConcurrency))
        .Select(_ => Channel.CreateUnbounded<Webhook>(new UnboundedChannelOptions { SingleReader = true }))
        .ToArray();

    public void Enqueue(string messageSid, Webhook callback) =>
        partitions[(int)((uint)StringComparer.Ordinal.GetHashCode(messageSid) % (uint)partitions.Length)].Writer.TryWrite(callback);

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(partitions.Select(p => Task.Run(() => DrainAsync(p.Reader, stoppingToken), stoppingToken)));

    private async Task DrainAsync(ChannelReader<Webhook> reader, CancellationToken stoppingToken)
    {
        await foreach (var callback in reader.ReadAllAsync(stoppingToken))
        {
            await DeliverAsync(callback, stoppingToken);
        }
    }

    private async Task DeliverAsync(Webhook callback, CancellationToken stoppingToken)
    {
        var client = httpClients.CreateClient(HttpClientName);
        var maxAttempts = Math.Max(1, options.Value.CallbackMaxAttempts);
        var delay = TimeSpan.FromMilliseconds(options.Value.CallbackRetryDelayMs);
        for (var attempt = 1; ; attempt++)
        {
            string failure;
            try
            {
                using var request = callback.ToRequest();
                using var response = await client.SendAsync(request, stoppingToken);
                var status = (int)response.StatusCode;
                if (status < 500)
                {
                    log.CountCallback(status < 300 ? CallbackOutcome.Delivered : CallbackOutcome.Refused, attempt - 1);
                    if (status >= 300)
                    {
                        logger.LogWarning("Status callback to {Url} refused with {Status}", callback.Url, status);
                    }
                    return;
                }
                failure = $"HTTP {status}";
            }
            catch (HttpRequestException e)
            {
                failure = e.Message;
            }
            catch (TaskCanceledException) when (!stoppingToken.IsCancellationRequested)
            {
                failure = "timeout";
            }

            if (attempt >= maxAttempts)
            {
                log.CountCallback(CallbackOutcome.Failed, attempt - 1);
                logger.LogWarning("Status callback to {Url} failed after {Attempts} attempts: {Failure}", callback.Url, attempt, failure);
                return;
            }
            await Task.Delay(delay * (1 << (attempt - 1)), time, stoppingToken);
        }
    }
}
