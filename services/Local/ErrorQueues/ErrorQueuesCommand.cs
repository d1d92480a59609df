using System.Net.Http.Json;
using System.Text.Json;
using Reminders.Local.Sample;
using Reminders.Platform.Bus;

namespace Reminders.Local.ErrorQueues;

/// <summary>
/// <c>errors [--url URL] --key KEY [--service NAME] [--redrive QUEUE [--message ID]]</c>: lists the error and skipped
/// queues of a running host's services (all four, or the one named: in a distributed deployment, point --url at that
/// service), or re-drives one message or a whole queue with a manager's key. Exit code 0 when no message waits (or the
/// re-drive moved something), 1 when messages wait (or the re-drive found nothing), 2 when the host could not answer.
/// </summary>
public static class ErrorQueuesCommand
{
    static readonly string[] Services = ["enrollment", "scheduler", "messaging", "attendance"];

    public static async Task<int> RunAsync(string[] args, TextWriter? output = null)
    {
        output ??= Console.Out;
        var url = (SampleCommand.Option(args, "--url") ?? LocalHost.DefaultUrl).TrimEnd('/');
        var key = SampleCommand.Option(args, "--key") ?? Environment.GetEnvironmentVariable("REMINDERS_API_KEY");
        if (string.IsNullOrEmpty(key))
        {
            Console.Error.WriteLine("--key (a manager API key, or REMINDERS_API_KEY) is required.");
            return 2;
        }
        var services = SampleCommand.Option(args, "--service") is { } one ? [one] : Services;
        using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(2) };
        http.DefaultRequestHeaders.Add("X-Api-Key", key);
        try
        {
            if (SampleCommand.Option(args, "--redrive") is { } queue)
                return await RedriveAsync(http, url, services, queue, SampleCommand.Option(args, "--message"), output);
            var waiting = 0;
            foreach (var service in services)
                waiting += await ListAsync(http, url, service, output);
            output.WriteLine(waiting == 0 ? "No message waits in any error or skipped queue." : $"{waiting} message(s) wait to be re-driven.");
            return waiting == 0 ? 0 : 1;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or JsonException or InvalidOperationException)
        {
            Console.Error.WriteLine($"Error queues: {ex.Message}");
            return 2;
        }
    }

    static async Task<int> ListAsync(HttpClient http, string url, string service, TextWriter output)
    {
        using var response = await http.GetAsync($"{url}/api/{service}/error-queues");
        await EnsureAsync(response);
        var view = await response.Content.ReadFromJsonAsync<ErrorQueuesApi.ErrorQueuesView>(JsonSerializerOptions.Web)
            ?? throw new InvalidOperationException($"{service} answered with an empty body.");
        foreach (var queue in view.Queues.Where(q => q.Messages > 0))
        {
            output.WriteLine($"{queue.Queue}: {queue.Messages} message(s), back to {queue.Destination} on re-drive");
            foreach (var m in view.Messages.Where(m => m.Queue == queue.Queue))
                output.WriteLine($"  {m.MessageId}  {m.MessageType}  {m.FaultedAt:O}  {m.ExceptionType}: {m.ExceptionMessage}");
        }
        return (int)view.Queues.Sum(q => q.Messages);
    }

    static async Task<int> RedriveAsync(HttpClient http, string url, IReadOnlyList<string> services, string queue, string? messageId, TextWriter output)
    {
        // The queue's service is its name's first part ("attendance-training-session-cancelled_error").
        var service = services.FirstOrDefault(s => queue.StartsWith(s + "-", StringComparison.Ordinal))
            ?? throw new InvalidOperationException($"{queue} belongs to none of {string.Join(", ", services)}.");
        using var response = await http.PostAsJsonAsync($"{url}/api/{service}/error-queues/{Uri.EscapeDataString(queue)}/redrive", new { messageId });
        await EnsureAsync(response);
        var result = await response.Content.ReadFromJsonAsync<RedriveResult>(JsonSerializerOptions.Web)
            ?? throw new InvalidOperationException($"{service} answered with an empty body.");
        output.WriteLine($"Re-drove {result.Redriven} message(s) from {result.Queue} to {result.Destination}.");
        return result.Redriven > 0 ? 0 : 1;
    }

    static async Task EnsureAsync(HttpResponseMessage response)
    {
        if (!response.IsSuccessStatusCode)
            throw new InvalidOperationException($"{response.RequestMessage?.RequestUri} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
    }
}
