using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Reminders.Testing.Chaos;

/// <summary>RabbitMQ's management API, for what is left in a vhost's queues after a run.</summary>
public static class RabbitMqManagement
{
    public static HttpClient Client()
    {
        var (user, password) = TestEnvironment.RabbitMqCredentials;
        var http = new HttpClient { BaseAddress = TestEnvironment.RabbitMqManagement, Timeout = TimeSpan.FromSeconds(10) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));
        return http;
    }

    /// <summary>Every queue of the vhost with its messages (ready + unacknowledged).</summary>
    public static async Task<IReadOnlyDictionary<string, long>> QueueDepthsAsync(string vhost)
    {
        using var http = Client();
        var queues = await http.GetFromJsonAsync<JsonElement>($"api/queues/{Uri.EscapeDataString(vhost)}?columns=name,messages");
        return queues.EnumerateArray().ToDictionary(
            q => q.GetProperty("name").GetString()!,
            q => q.TryGetProperty("messages", out var m) && m.ValueKind == JsonValueKind.Number ? m.GetInt64() : 0);
    }
}
