using System.Net.Http.Headers;
using System.Text;

namespace Reminders.Testing;

/// <summary>A RabbitMQ virtual host of its own for one test class (created through the management API), deleted at the end.</summary>
public sealed class TestVirtualHost : IAsyncDisposable
{
    readonly HttpClient management;

    TestVirtualHost(string name, HttpClient management)
    {
        Name = name;
        this.management = management;
    }

    public string Name { get; }
    public string Host => TestEnvironment.RabbitMq.Host;
    public int Port => TestEnvironment.RabbitMq.Port;
    public string User => TestEnvironment.RabbitMqCredentials.User;
    public string Password => TestEnvironment.RabbitMqCredentials.Password;

    /// <summary>Configuration keys for a service using this vhost.</summary>
    public IReadOnlyDictionary<string, string?> BusSettings() => new Dictionary<string, string?>
    {
        ["Bus:Transport"] = "RabbitMq",
        ["Bus:RabbitMq:Host"] = Host,
        ["Bus:RabbitMq:Port"] = Port.ToString(),
        ["Bus:RabbitMq:VirtualHost"] = Name,
        ["Bus:RabbitMq:Username"] = User,
        ["Bus:RabbitMq:Password"] = Password,
    };

    public static async Task<TestVirtualHost> CreateAsync(string prefix = "test")
    {
        var (user, password) = TestEnvironment.RabbitMqCredentials;
        var http = new HttpClient { BaseAddress = TestEnvironment.RabbitMqManagement };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));
        var name = $"{prefix}-{Guid.NewGuid():N}";
        using var response = await http.PutAsync($"api/vhosts/{Uri.EscapeDataString(name)}", new StringContent("{}", Encoding.UTF8, "application/json"));
        response.EnsureSuccessStatusCode();
        // The creating user gets full permissions on a new vhost; set them explicitly anyway.
        using var permissions = await http.PutAsync($"api/permissions/{Uri.EscapeDataString(name)}/{Uri.EscapeDataString(user)}",
            new StringContent("""{"configure":".*","write":".*","read":".*"}""", Encoding.UTF8, "application/json"));
        permissions.EnsureSuccessStatusCode();
        return new TestVirtualHost(name, http);
    }

    /// <summary>Messages waiting in a queue of this vhost (null when the queue does not exist).</summary>
    public async Task<long?> QueueDepthAsync(string queue)
    {
        using var response = await management.GetAsync($"api/queues/{Uri.EscapeDataString(Name)}/{Uri.EscapeDataString(queue)}");
        if (!response.IsSuccessStatusCode) return null;
        using var json = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.TryGetProperty("messages", out var m) ? m.GetInt64() : 0;
    }

    /// <summary>Consumers connected to a queue of this vhost (null when the queue does not exist).</summary>
    public async Task<long?> ConsumersAsync(string queue)
    {
        using var response = await management.GetAsync($"api/queues/{Uri.EscapeDataString(Name)}/{Uri.EscapeDataString(queue)}");
        if (!response.IsSuccessStatusCode) return null;
        using var json = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.TryGetProperty("consumers", out var c) ? c.GetInt64() : 0;
    }

    /// <summary>
    /// The vhost's message counts since it was created (management API <c>message_stats</c>): messages published into it and
    /// delivered out of it to consumers. The broker refreshes them every few seconds (collect_statistics_interval).
    /// </summary>
    public async Task<(long Published, long Delivered)> MessageCountsAsync()
    {
        using var response = await management.GetAsync($"api/vhosts/{Uri.EscapeDataString(Name)}");
        response.EnsureSuccessStatusCode();
        using var json = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        if (!json.RootElement.TryGetProperty("message_stats", out var stats)) return (0, 0);
        long Count(string name) => stats.TryGetProperty(name, out var v) ? v.GetInt64() : 0;
        return (Count("publish"), Count("deliver_get"));
    }

    public async ValueTask DisposeAsync()
    {
        using var _ = await management.DeleteAsync($"api/vhosts/{Uri.EscapeDataString(Name)}");
        management.Dispose();
    }
}
