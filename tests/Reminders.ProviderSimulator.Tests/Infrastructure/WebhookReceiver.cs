using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Extensions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Reminders.ProviderSimulator.Tests.Infrastructure;

public sealed record ReceivedWebhook(
    string Path, string Url, IReadOnlyDictionary<string, string> Form, string? Signature, string? ContentType, string? IdempotencyToken);

/// <summary>A tiny real HTTP server that records every form POST (status callbacks, inbound SMS).</summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly ConcurrentQueue<ReceivedWebhook> received = new();
    private readonly ConcurrentDictionary<string, int> failuresLeft = new();
    private TaskCompletionSource arrived = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private WebhookReceiver(WebApplication app) => this.app = app;

    public Uri BaseAddress { get; private set; } = null!;

    public static async Task<WebhookReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        var receiver = new WebhookReceiver(builder.Build());
        receiver.app.MapPost("/{**path}", receiver.ReceiveAsync);
        await receiver.app.StartAsync();
        var address = receiver.app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        receiver.BaseAddress = new Uri(address);
        return receiver;
    }

    public string UrlFor(string pathAndQuery) => new Uri(BaseAddress, pathAndQuery).ToString();

    /// <summary>The next <paramref name="count"/> posts to the path answer 503.</summary>
    public void FailNext(string path, int count) => failuresLeft[path] = count;

    public IReadOnlyList<ReceivedWebhook> Received(string path) => received.Where(r => r.Path == path).ToArray();

    /// <summary>Waits, bounded, until the posts to a path satisfy the condition; returns them.</summary>
    public async Task<IReadOnlyList<ReceivedWebhook>> WaitForAsync(
        string path, Func<IReadOnlyList<ReceivedWebhook>, bool> done, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        while (true)
        {
            var signal = Volatile.Read(ref arrived).Task;
            var posts = Received(path);
            if (done(posts))
            {
                return posts;
            }
            var remaining = deadline - DateTime.UtcNow;
            if (remaining <= TimeSpan.Zero)
            {
                throw new TimeoutException($"{path}: got {posts.Count} posts: " +
                    string.Join(" | ", posts.Select(p => string.Join("&", p.Form.Select(kv => $"{kv.Key}={kv.Value}")))));
            }
            await Task.WhenAny(signal, Task.Delay(remaining));
        }
    }

    public Task<IReadOnlyList<ReceivedWebhook>> WaitForCountAsync(string path, int count) =>
        WaitForAsync(path, posts => posts.Count >= count);

    private async Task ReceiveAsync(HttpContext context)
    {
        var form = await context.Request.ReadFormAsync();
        var path = context.Request.Path.ToString();
        received.Enqueue(new ReceivedWebhook(
            path,
            context.Request.GetEncodedUrl(),
            form.ToDictionary(f => f.Key, f => f.Value.ToString()),
            context.Request.Headers["X-Twilio-Signature"].ToString(),
            context.Request.ContentType,
            context.Request.Headers["I-Twilio-Idempotency-Token"].ToString()));

        var failing = failuresLeft.TryGetValue(path, out var left) && left > 0 && failuresLeft.TryUpdate(path, left - 1, left);
        context.Response.StatusCode = failing ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status200OK;
        Interlocked.Exchange(ref arrived, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
