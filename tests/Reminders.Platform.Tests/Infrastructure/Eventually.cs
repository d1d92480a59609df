using System.Diagnostics;

namespace Reminders.Platform.Tests.Infrastructure;

/// <summary>Polls a condition instead of sleeping a fixed time; fails with what was awaited and the diagnostics.</summary>
public static class Eventually
{
    public static async Task UntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string what, Func<string>? diagnostics = null)
    {
        var stopwatch = Stopwatch.StartNew();
        while (true)
        {
            if (await condition()) return;
            if (stopwatch.Elapsed > timeout)
                throw new TimeoutException($"Not true after {timeout.TotalSeconds:0} s: {what}.{Environment.NewLine}{diagnostics?.Invoke()}");
            await Task.Delay(100);
        }
    }
}
