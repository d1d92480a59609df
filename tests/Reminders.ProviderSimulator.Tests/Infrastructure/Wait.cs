namespace Reminders.ProviderSimulator.Tests.Infrastructure;

public static class Wait
{
    /// <summary>Polls an in-process condition, bounded; for state that changes without a post to observe.</summary>
    public static async Task Until(Func<bool> condition, int timeoutSeconds = 10)
    {
        var deadline = DateTime.UtcNow.AddSeconds(timeoutSeconds);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"condition not met within {timeoutSeconds} s");
            await Task.Delay(10);
        }
    }
}
