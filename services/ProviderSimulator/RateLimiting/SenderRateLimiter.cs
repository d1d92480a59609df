using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace Reminders.ProviderSimulator.RateLimiting;

/// <summary>
/// At most <see cref="SimulatorOptions.MessagesPerSecondPerSender"/> acquisitions per sender in any
/// 1-second window (t - 1 s, t]. One lock per sender makes it exact under concurrency.
/// </summary>
internal sealed class SenderRateLimiter(IOptions<SimulatorOptions> options, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, Queue<long>> windows = new(StringComparer.Ordinal);

    public bool TryAcquire(string sender)
    {
        var limit = options.Value.MessagesPerSecondPerSender;
        if (limit <= 0)
        {
            return true;
        }
        var window = windows.GetOrAdd(sender, static (_, capacity) => new Queue<long>(capacity), limit);
        lock (window)
        {
            var now = time.GetTimestamp();
            var horizon = now - time.TimestampFrequency;
            while (window.Count > 0 && window.Peek() <= horizon)
            {
                window.Dequeue();
            }
            if (window.Count >= limit)
            {
                return false;
            }
            window.Enqueue(now);
            return true;
        }
    }

    public void Reset() => windows.Clear();
}
