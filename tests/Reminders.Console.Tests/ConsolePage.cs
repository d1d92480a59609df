using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;
using Reminders.Testing;

namespace Reminders.Console.Tests;

/// <summary>
/// A browser page that watches itself: console errors, failed requests and any request leaving 127.0.0.1 are kept,
/// and <see cref="CheckAsync"/> fails on any of them, on a serious or critical axe-core finding, and saves a screenshot.
/// </summary>
public sealed class ConsolePage : IAsyncDisposable
{
    readonly List<string> problems = [];

    public ConsolePage(IPage page)
    {
        Page = page;
        page.Console += (_, message) => { if (message.Type == "error") problems.Add($"console error: {message.Text}"); };
        page.PageError += (_, error) => problems.Add($"page error: {error}");
        page.RequestFailed += (_, request) =>
        {
            // Blazor ends these itself: the circuit's goodbye when an interactive page is left, and now and then an enhanced
            // navigation's fetch when a link is clicked as the page settles (the page still arrives; a navigation that really
            // fails shows as a full page load or a console error).
            if (request.Failure == "net::ERR_ABORTED" && (request.Url.EndsWith("/_blazor/disconnect", StringComparison.Ordinal)
                || request.ResourceType == "fetch" && request.Headers.GetValueOrDefault("accept", "").Contains("blazor-enhanced-nav=on", StringComparison.Ordinal)))
                return;
            problems.Add($"request failed: {request.Method} {request.Url} ({request.Failure})");
        };
        page.Request += (_, request) =>
        {
            var uri = new Uri(request.Url);
            if (uri.Scheme is "http" or "https" or "ws" or "wss" && uri.Host != "127.0.0.1") problems.Add($"request off this machine: {request.Url}");
        };
        page.Response += (_, response) => { if (response.Status >= 500) problems.Add($"HTTP {response.Status}: {response.Url}"); };
    }

    public IPage Page { get; }

    public static string ScreenshotFolder => Path.Combine(TestEnvironment.RepositoryRoot, "TestResults", "screenshots");

    /// <summary>No console error, no failed or foreign request, no serious or critical accessibility violation; a screenshot saved as <paramref name="name"/>.png.</summary>
    public async Task CheckAsync(string name)
    {
        await Page.WaitForLoadStateAsync(LoadState.NetworkIdle);
        Directory.CreateDirectory(ScreenshotFolder);
        await Page.ScreenshotAsync(new() { Path = Path.Combine(ScreenshotFolder, name + ".png"), FullPage = true, Animations = ScreenshotAnimations.Disabled });
        var axe = await Page.RunAxe();
        var serious = axe.Violations.Where(v => v.Impact is "serious" or "critical")
            .Select(v => $"axe {v.Impact} {v.Id}: {v.Help} — {string.Join(" | ", v.Nodes.Take(3).Select(n => string.Join(",", n.Target)))}").ToList();
        Assert.True(problems.Count == 0 && serious.Count == 0, $"{name} ({Page.Url}):\n{string.Join("\n", problems.Concat(serious))}");
    }

    public ValueTask DisposeAsync() => new(Page.Context.CloseAsync());
}
