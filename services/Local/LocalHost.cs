using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Microsoft.Extensions.Configuration.Memory;
using Microsoft.Extensions.Options;
using Reminders.Attendance;
using Reminders.Enrollment;
using Reminders.Messaging;
using Reminders.Platform.Auth;
using Reminders.Platform.Bus;
using Reminders.Platform.Hosting;
using Reminders.ProviderSimulator;
using Reminders.ProviderSimulator.Log;
using Reminders.Scheduler;
using Reminders.Web;

namespace Reminders.Local;

/// <summary>
/// The embedded default: the four services and the provider simulator in one process, SQLite files, the
/// in-memory bus. Everything can still be overridden by configuration (appsettings, environment, arguments); pointed
/// at another provider (<c>Messaging:Twilio:BaseUrl</c> empty or another host's), it runs no simulator.
/// </summary>
public static class LocalHost
{
    public const string DefaultUrl = "http://127.0.0.1:5080";
    const string SimulatorAccountSid = "ACsimulator00000000000000000000000";
    const string SimulatorAuthToken = "simulator-fake-auth-token";

    public static WebApplication Build(string[] args, IReadOnlyDictionary<string, string?>? overrides = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        if (overrides is not null) builder.Configuration.AddInMemoryCollection(overrides);
        var url = ResolveUrl(builder.Configuration["Urls"] ?? DefaultUrl);
        var defaults = new Dictionary<string, string?>
        {
            ["Urls"] = url,
            ["Database:Provider"] = "Sqlite",
            ["Bus:Transport"] = "InMemory",
            ["Messaging:PublicBaseUrl"] = url,
            ["Messaging:Twilio:BaseUrl"] = url,
            ["Messaging:Twilio:AccountSid"] = SimulatorAccountSid,
            ["Messaging:Twilio:AuthToken"] = SimulatorAuthToken,
            ["Messaging:Twilio:From"] = "+15005550006",
            ["Simulator:AccountSid"] = SimulatorAccountSid,
            ["Simulator:AuthToken"] = SimulatorAuthToken,
            ["Simulator:InboundWebhookUrl"] = $"{url}/api/messaging/webhooks/twilio/inbound",
            // The simulator's sender takes 100 SMS a second; Messaging paces itself a little under it, so network jitter
            // does not make the provider answer 429.
            ["Simulator:MessagesPerSecondPerSender"] = "100",
            ["Messaging:Twilio:MessagesPerSecondPerSender"] = "95",
            // Messaging's consistency audit reads Attendance's ledger over HTTP, here on the same port.
            ["Audit:Attendance:BaseUrl"] = url,
        };
        if (!builder.Configuration.GetSection("Auth:ApiKeys").GetChildren().Any())
        {
            // No keys configured: one per role, generated for this run and printed at start-up.
            var i = 0;
            foreach (var role in Roles.All)
            {
                defaults[$"Auth:ApiKeys:{i}:Name"] = $"local-{role}";
                defaults[$"Auth:ApiKeys:{i}:Key"] = $"{role}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16))}";
                defaults[$"Auth:ApiKeys:{i}:Roles:0"] = role;
                i++;
            }
        }
        // The simulator's control routes fake officers' replies: their key is made for this run unless one is configured.
        defaults["Simulator:ControlKey"] = $"simulator-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16))}";
        // The console's person tokens: a signing key made for this run unless one is configured (tokens live minutes).
        defaults["Auth:Jwt:SigningKey"] = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        // Lowest precedence: anything the user configured wins.
        builder.Configuration.Sources.Insert(0, new MemoryConfigurationSource { InitialData = defaults });
        builder.Configuration["Urls"] = url;
        // The audit calls Attendance with a researcher (or else manager) key of this host's own, generated or configured.
        if (string.IsNullOrEmpty(builder.Configuration["Audit:Attendance:ApiKey"]))
            builder.Configuration["Audit:Attendance:ApiKey"] = builder.Configuration.GetSection(ApiKeyOptions.Section).Get<ApiKeyOptions>()?.ApiKeys
                .OrderBy(k => k.Roles.Contains(Roles.Researcher) ? 0 : 1)
                .FirstOrDefault(k => k.Roles.Contains(Roles.Researcher) || k.Roles.Contains(Roles.Manager))?.Key;

        // Stopping never waits minutes for SMS still being retried: they are redelivered or resolved on the next start.
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(15));
        builder.AddServiceDefaults();
        builder.AddEnrollment();
        builder.AddScheduler();
        builder.AddMessaging();
        builder.AddAttendance();
        var simulated = IsOwnAddress(builder.Configuration["Messaging:Twilio:BaseUrl"], url);
        if (simulated) builder.Services.AddProviderSimulator(builder.Configuration);
        builder.AddReminderBus(bus =>
        {
            bus.AddEnrollmentConsumers();
            bus.AddSchedulerConsumers();
            bus.AddMessagingConsumers();
            bus.AddAttendanceConsumers();
        });

        var app = builder.Build();
        app.MapServiceDefaults();
        app.MapEnrollmentApi();
        app.MapSchedulerApi();
        app.MapMessagingApi();
        app.MapAttendanceApi();
        if (simulated) app.MapProviderSimulator();
        return app;
    }

    /// <summary>The API's address (the first of the host's addresses: a metrics port of its own comes after it).</summary>
    public static string Url(this WebApplication app) => app.Configuration["Urls"]!.Split(';')[0];

    /// <summary>
    /// The console beside the services, on its own port (<c>Console:Urls</c>, default <see cref="ConsoleHost.DefaultUrl"/>),
    /// calling them on this host's address with this host's token key.
    /// </summary>
    public static WebApplication BuildConsole(WebApplication services, string[] args, IReadOnlyDictionary<string, string?>? overrides = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Urls"] = ResolveUrl(overrides?.GetValueOrDefault("Console:Urls") ?? services.Configuration["Console:Urls"] ?? ConsoleHost.DefaultUrl),
            ["Auth:Jwt:SigningKey"] = services.Configuration["Auth:Jwt:SigningKey"],
            ["Database:Provider"] = services.Configuration["Database:Provider"],
            ["Database:SqliteFolder"] = services.Configuration["Database:SqliteFolder"],
            ["Database:Postgres"] = services.Configuration["Database:Postgres"],
        };
        foreach (var service in new[] { "Enrollment", "Scheduler", "Messaging", "Attendance" })
            settings[$"Console:Services:{service}"] = services.Url();
        if (overrides is not null) foreach (var (key, value) in overrides.Where(o => o.Key != "Console:Urls")) settings[key] = value;
        return ConsoleHost.Build(args, settings.Where(s => s.Value is not null).ToDictionary(), services.Services.GetRequiredService<TimeProvider>());
    }

    public static string ApiKey(this WebApplication app, string role) =>
        app.Services.GetRequiredService<IOptions<ApiKeyOptions>>().Value.ApiKeys.First(k => k.Roles.Contains(role)).Key;

    /// <summary>The key the simulator's <c>/simulator/*</c> routes take in <c>X-Simulator-Key</c>, generated or configured.</summary>
    public static string SimulatorKey(this WebApplication app) => app.Configuration["Simulator:ControlKey"]!;

    public static void PrintApiKeys(WebApplication app)
    {
        Console.WriteLine($"Reminders (local) on {app.Url()}  —  OpenAPI: {app.Url()}/openapi/v1.json");
        foreach (var role in Roles.All)
        {
            var key = app.Services.GetRequiredService<IOptions<ApiKeyOptions>>().Value.ApiKeys.FirstOrDefault(k => k.Roles.Contains(role));
            if (key is not null) Console.WriteLine($"  {role,-10} X-Api-Key: {key.Key}");
        }
        if (app.Services.GetService<SimulatorLog>() is not null)
            Console.WriteLine($"  simulator  {SimulatorOptions.ControlKeyHeader}: {app.SimulatorKey()}  (the provider simulator's /simulator/* routes)");
        else
            Console.WriteLine($"  SMS provider: {(app.Configuration["Messaging:Twilio:BaseUrl"] is { Length: > 0 } provider ? provider : "Twilio")} (no simulator on this host)");
    }

    /// <summary>Whether Messaging's provider is this host itself, i.e. its simulator (localhost and 127.0.0.1 alike); empty is Twilio.</summary>
    static bool IsOwnAddress(string? providerUrl, string url)
    {
        if (!Uri.TryCreate(providerUrl, UriKind.Absolute, out var provider)) return false;
        var self = new Uri(url);
        return provider.Scheme == self.Scheme && provider.Port == self.Port
            && (string.Equals(provider.IdnHost, self.IdnHost, StringComparison.OrdinalIgnoreCase) || (provider.IsLoopback && self.IsLoopback));
    }

    /// <summary>Port 0 means "any free port": pick one now, since the webhook and provider URLs must name it before start.</summary>
    static string ResolveUrl(string urls)
    {
        var first = urls.Split(';', StringSplitOptions.RemoveEmptyEntries)[0];
        var uri = new Uri(first.Replace("://+", "://127.0.0.1").Replace("://*", "://127.0.0.1"));
        if (uri.Port != 0) return uri.GetLeftPart(UriPartial.Authority);
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return $"{uri.Scheme}://{uri.Host}:{port}";
    }
}
