using System.Diagnostics;
using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Reminders.Messaging.Delivery;
using Reminders.Testing;
using Twilio.Clients;
using Twilio.Http;
using Twilio.Rest.Api.V2010.Account;
using Twilio.Security;
using Twilio.Types;

namespace Reminders.Benchmarks;

/// <summary>
/// The provider's part of one SMS alone, as a second same-run baseline: the Twilio SDK creating messages at the simulator
/// (no rate limit) and the simulator's two signed status callbacks answered by an endpoint that checks the signature and
/// does nothing else — no bus, no database. No design that calls the provider once per SMS goes faster than this here.
/// </summary>
public static class ProviderRoundTrip
{
    /// <param name="warmup">Messages sent first and not measured, so the figure is the warm processes' as in the system's run.</param>
    public static async Task<Baseline> RateAsync(TextWriter log, int messages, string accountSid, string authToken, int warmup)
    {
        var (delivered, expected) = (0, 0);
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var port = ServiceProcess.FreePort();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        var callbacks = builder.Build();
        var validator = new RequestValidator(authToken);
        callbacks.MapPost("/status/{n:int}", async (HttpRequest request) =>
        {
            var form = (await request.ReadFormAsync()).ToDictionary(p => p.Key, p => p.Value.ToString());
            if (!validator.Validate($"http://127.0.0.1:{port}{request.Path}", form, request.Headers["X-Twilio-Signature"].ToString()))
                return Results.StatusCode(403);
            if (form.GetValueOrDefault("MessageStatus") == "delivered" && Interlocked.Increment(ref delivered) == Volatile.Read(ref expected)) done.TrySetResult();
            return Results.Ok();
        });
        await callbacks.StartAsync();

        var simulator = new ServiceProcess("ProviderSimulator", new Dictionary<string, string?>
        {
            ["Simulator:AccountSid"] = accountSid,
            ["Simulator:AuthToken"] = authToken,
            // Required by the simulator; this run never calls its control routes.
            ["Simulator:ControlKey"] = "bench-fake-simulator-key",
            ["Simulator:MessagesPerSecondPerSender"] = "0",
            ["Simulator:CallbackConcurrency"] = "32",
            ["Logging:LogLevel:Default"] = "Warning",
        });
        try
        {
            simulator.Start();
            await simulator.WaitReadyAsync(TimeSpan.FromSeconds(60), "/health/live");
            var http = new System.Net.Http.HttpClient(new TwilioBaseUrlHandler(new Uri(simulator.Url), new SocketsHttpHandler { MaxConnectionsPerServer = 64 }));
            var client = new TwilioRestClient(accountSid, authToken, httpClient: new SystemNetHttpClient(http));
            var cpu = new ProcessCpu().AddSelf().Add("ProviderSimulator", () => simulator.ProcessId is { } pid ? [pid] : []);
            using var concurrency = new SemaphoreSlim(64);
            async Task RoundAsync(int first, int count)
            {
                if (count == 0) return;
                done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                Volatile.Write(ref expected, first + count);
                await Task.WhenAll(Enumerable.Range(first, count).Select(async n =>
                {
                    await concurrency.WaitAsync();
                    try
                    {
                        await MessageResource.CreateAsync(new CreateMessageOptions(new PhoneNumber($"+52552{n:D7}"))
                        {
                            From = new PhoneNumber("+15005550006"),
                            Body = "Voz: antes de decidir, deje que la persona cuente lo ocurrido y escuche sin interrumpir.",
                            StatusCallback = new Uri($"http://127.0.0.1:{port}/status/{n.ToString(CultureInfo.InvariantCulture)}"),
                        }, client);
                    }
                    finally { concurrency.Release(); }
                }));
                await done.Task.WaitAsync(TimeSpan.FromMinutes(10));
            }
            await RoundAsync(0, warmup);
            var cpuBefore = cpu.Snapshot();
            var stopwatch = Stopwatch.StartNew();
            await RoundAsync(warmup, messages);
            var rate = messages / stopwatch.Elapsed.TotalSeconds;
            var cpuMilliseconds = ProcessCpu.MillisecondsPer(messages, cpuBefore, cpu.Snapshot());
            log.WriteLine($"provider round trip alone: {messages:N0} created and called back as delivered in {stopwatch.Elapsed.TotalSeconds:F1} s = {rate:F0}/s " +
                          $"(after {warmup:N0} not measured), " +
                          $"{cpuMilliseconds:F2} ms CPU per SMS (this process and the simulator)");
            return new Baseline(rate, cpuMilliseconds);
        }
        finally
        {
            await simulator.DisposeAsync();
            await callbacks.StopAsync();
            await callbacks.DisposeAsync();
        }
    }
}
