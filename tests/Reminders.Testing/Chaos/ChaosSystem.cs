using Npgsql;

namespace Reminders.Testing.Chaos;

/// <summary>
/// Two instances of every service and the provider simulator as OS processes, over a vhost and a database of their own.
/// Messaging#1 keeps its port across restarts: it is the address the provider posts status callbacks to.
/// </summary>
public sealed class ChaosSystem : IAsyncDisposable
{
    public static readonly string[] ServiceNames = ["Enrollment", "Scheduler", "Messaging", "Attendance"];
    const string AccountSid = "ACchaos0000000000000000000000000000";
    const string AuthToken = "chaos-fake-auth-token";
    const string SimulatorKey = "chaos-fake-simulator-key";

    ChaosSystem(TestDatabase database, TestVirtualHost vhost, ServiceProcess simulator)
    {
        Database = database;
        VirtualHost = vhost;
        Simulator = simulator;
    }

    public TestDatabase Database { get; }
    public TestVirtualHost VirtualHost { get; }
    public ServiceProcess Simulator { get; }
    /// <summary>A client for the simulator's control routes (its log, stats and faults), holding its control key.</summary>
    public HttpClient SimulatorHttp(TimeSpan timeout)
    {
        var http = new HttpClient { BaseAddress = new Uri(Simulator.Url), Timeout = timeout };
        http.DefaultRequestHeaders.Add("X-Simulator-Key", SimulatorKey);
        return http;
    }

    /// <summary>"Enrollment#1", "Enrollment#2", ... in start order.</summary>
    public Dictionary<string, ServiceProcess> Instances { get; } = [];
    /// <summary>The services' connection string: a smaller pool than the default, as eight processes share one server.</summary>
    public string ConnectionString => new NpgsqlConnectionStringBuilder(Database.ConnectionString) { MaxPoolSize = 15 }.ConnectionString;

    public static async Task<ChaosSystem> StartAsync(ChaosOptions options, TextWriter log)
    {
        var database = await TestDatabase.CreateAsync("chaos");
        var vhost = await TestVirtualHost.CreateAsync("chaos");
        var messagingPort = ServiceProcess.FreePort();
        var messagingUrl = $"http://127.0.0.1:{messagingPort}";
        var simulator = new ServiceProcess("ProviderSimulator", new Dictionary<string, string?>(options.ClockSettings)
        {
            ["Simulator:AccountSid"] = AccountSid,
            ["Simulator:AuthToken"] = AuthToken,
            ["Simulator:ControlKey"] = SimulatorKey,
            ["Simulator:InboundWebhookUrl"] = $"{messagingUrl}/api/messaging/webhooks/twilio/inbound",
            ["Simulator:MessagesPerSecondPerSender"] = "0",
            ["Simulator:CallbackConcurrency"] = "32",
            ["Logging:LogLevel:Default"] = "Warning",
        });
        var system = new ChaosSystem(database, vhost, simulator);
        simulator.Start();

        var common = new Dictionary<string, string?>(vhost.BusSettings().Concat(options.ClockSettings))
        {
            ["Database:Provider"] = "Postgres",
            ["Database:Postgres"] = system.ConnectionString,
            ["Auth:ApiKeys:0:Name"] = "chaos", ["Auth:ApiKeys:0:Key"] = "chaos-manager-key", ["Auth:ApiKeys:0:Roles:0"] = "manager",
            ["Logging:LogLevel:Default"] = "Warning",
            ["Scheduler:Dispatch:IntervalMilliseconds"] = "500",
            // The run lasts minutes, not days: receipts and stalled sends are reconciled after a minute instead of 15 and 10.
            ["Messaging:Reconciliation:IntervalSeconds"] = "5",
            ["Messaging:Reconciliation:ReceiptOverdueMinutes"] = "1",
            ["Messaging:Reconciliation:StuckMinutes"] = "1",
            ["Messaging:PublicBaseUrl"] = messagingUrl,
            ["Messaging:Twilio:AccountSid"] = AccountSid,
            ["Messaging:Twilio:AuthToken"] = AuthToken,
            ["Messaging:Twilio:BaseUrl"] = simulator.Url,
            ["Messaging:Twilio:From"] = "+15005550006",
            ["Messaging:Twilio:MessagesPerSecondPerSender"] = "0",
            // Shorter than the simulator's accept-then-timeout hold, so those sends are in doubt.
            ["Messaging:Twilio:RequestTimeoutSeconds"] = "2",
        };
        try
        {
            await ServiceProcess.DeployTopologyAsync(common, ServiceNames);
            // The first instance of each migrates its schema and provisions Quartz's tables; the second starts after it.
            foreach (var instance in new[] { 1, 2 })
            {
                foreach (var service in ServiceNames)
                {
                    var process = new ServiceProcess(service, common, service == "Messaging" && instance == 1 ? messagingPort : null);
                    system.Instances[$"{service}#{instance}"] = process;
                    process.Start();
                }
                await Task.WhenAll(system.Instances.Values.Select(p => p.WaitReadyAsync(TimeSpan.FromSeconds(180))));
            }
            await simulator.WaitReadyAsync(TimeSpan.FromSeconds(60), "/health/live");
        }
        catch
        {
            await system.DisposeAsync();
            throw;
        }
        log.WriteLine($"started {string.Join(", ", system.Instances.Select(i => $"{i.Key} (pid {i.Value.ProcessId})"))}, simulator (pid {simulator.ProcessId}); " +
                      $"database {database.Name}, vhost {vhost.Name}");
        return system;
    }

    /// <summary>Starts a killed or crashed instance again and waits until it is ready (a start can fail while the database or broker is down).</summary>
    public static async Task RestartAsync(ServiceProcess process)
    {
        for (var attempt = 1; ; attempt++)
        {
            process.Restart();
            try
            {
                await process.WaitReadyAsync(TimeSpan.FromSeconds(180));
                return;
            }
            catch (InvalidOperationException) when (attempt < 5)
            {
                // It exited while starting (its database or broker was down): try again.
                await Task.Delay(TimeSpan.FromSeconds(3));
            }
        }
    }

    public string Output(int lines) => string.Join('\n', Instances.Select(i => $"--- {i.Key}\n{string.Join('\n', i.Value.Output.TakeLast(lines))}"));

    public async ValueTask DisposeAsync()
    {
        foreach (var process in Instances.Values) await process.DisposeAsync();
        await Simulator.DisposeAsync();
        await VirtualHost.DisposeAsync();
        await Database.DisposeAsync();
    }
}
