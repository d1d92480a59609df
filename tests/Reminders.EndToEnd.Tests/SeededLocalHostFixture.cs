using Reminders.Local.Demo;

namespace Reminders.EndToEnd.Tests;

/// <summary>A one-process host on which the skeleton flow has already run: officers, arms and one delivered SMS per treatment officer.</summary>
public sealed class SeededLocalHostFixture : IAsyncLifetime
{
    public LocalHostFixture Host { get; } = new();
    public SkeletonFlow.Result Flow { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await Host.InitializeAsync();
        Flow = await SkeletonFlow.RunAsync(Host.Client, TextWriter.Null, TimeSpan.FromSeconds(30));
    }

    public Task DisposeAsync() => Host.DisposeAsync();
}
