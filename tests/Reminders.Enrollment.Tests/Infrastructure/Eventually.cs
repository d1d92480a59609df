using System.Diagnostics;

namespace Reminders.Enrollment.Tests.Infrastructure;

/// <summary>Polls a condition instead of sleeping a fixed time.</summary>
public static class Eventually
{
    public static async Task UntilAsync(EnrollmentApp app, Func<bool> condition, string what, TimeSpan? timeout = null)
    {
        try { await UntilAsync(condition, what, timeout); }
        catch (TimeoutException ex) { throw new TimeoutException($"{ex.Message}{Environment.NewLine}Pending outbox:{Environment.NewLine}{await app.PendingOutboxAsync()}", ex); }
    }

    /// <summary>Waits until every outbox row is relayed, so what the bus has seen so far includes all the app committed.</summary>
    public static async Task OutboxDrainedAsync(EnrollmentApp app, TimeSpan? timeout = null)
    {
        try { await UntilAsync(async () => await app.CountAsync("SELECT COUNT(*) FROM outbox_messages") == 0, "every outbox row relayed", timeout); }
        catch (TimeoutException ex) { throw new TimeoutException($"{ex.Message}{Environment.NewLine}{await app.PendingOutboxAsync()}", ex); }
    }

    public static Task UntilAsync(Func<bool> condition, string what, TimeSpan? timeout = null) =>
        UntilAsync(() => Task.FromResult(condition()), what, timeout);

    /// <summary>Polls <paramref name="condition"/> every 25 ms until it holds, or fails after <paramref name="timeout"/> (10 s).</summary>
    public static async Task UntilAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null)
    {
        var limit = timeout ?? TimeSpan.FromSeconds(10);
        var stopwatch = Stopwatch.StartNew();
        while (!await condition())
        {
            if (stopwatch.Elapsed > limit) throw new TimeoutException($"Not true after {limit.TotalSeconds:0} s: {what}.");
            await Task.Delay(25);
        }
    }
}
