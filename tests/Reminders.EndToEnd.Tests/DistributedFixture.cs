using Reminders.Local.Demo;
using Reminders.Testing;
using Reminders.Platform.Bus;
using Reminders.Platform.Hosting;
using Reminders.Protocol;

namespace Reminders.EndToEnd.Tests;

/// <summary>
/// The distributed mode for real: the four services and the provider simulator as five OS processes, over RabbitMQ
/// (a vhost of their own) and PostgreSQL (a database of their own, one schema per service).
/// </summary>
public class DistributedFixture : IAsyncLifetime
{
    /// <summary>How many instances of each service run (competing consumers on the same queues, one database).</summary>
    protected virtual IReadOnlyDictionary<string, int> Instances => new Dictionary<string, int>();

    /// <summary>The study clock all processes share.</summary>
    protected virtual Dictionary<string, string?> Clock() =>
        StudyClockOptions.InsideSendingHours(ProtocolLoader.LoadDefault(), DateTimeOffset.UtcNow, TimeSpan.FromHours(2));

    /// <summary>
    /// Deploy the topology as compose does, each service's own process (four more processes starting at once); otherwise the
    /// one-process host's registrations of the same consumers declare the same queues from the test process, which is cheaper
    /// when several fixtures start together.
    /// </summary>
    protected virtual bool DeployTopologyPerService => false;

    static async Task DeployTopologyInProcessAsync(IReadOnlyDictionary<string, string?> busSettings)
    {
        var settings = new Dictionary<string, string?>(busSettings)
        {
            ["Bus:DeployTopologyOnly"] = "true",
            ["Urls"] = "http://127.0.0.1:0",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        await using var app = Reminders.Local.LocalHost.Build([], settings);
        await app.RunServiceAsync();
    }

    /// <summary>Services started only when a test calls <see cref="StartLaterAsync"/> (after another has published).</summary>
    protected virtual IReadOnlyList<string> StartedLater => [];

    /// <summary>Settings every process gets on top of the fixture's own.</summary>
    protected virtual IReadOnlyDictionary<string, string?> ExtraSettings => new Dictionary<string, string?>();

    public const string ManagerKey = "test-manager-key";
    public const string TrainerKey = "test-trainer-key";
    public const string ResearcherKey = "test-researcher-key";
    const string AccountSid = "ACtest0000000000000000000000000000";
    public const string AuthToken = "test-fake-auth-token";
    const string SimulatorKey = "test-fake-simulator-key";

    TestDatabase? database;
    TestVirtualHost? vhost;
    /// <summary>The services' own vhost (a test may put messages on their queues).</summary>
    public TestVirtualHost VirtualHost => vhost!;

    public ServiceProcess? Simulator { get; private set; }
    public Dictionary<string, ServiceProcess> Services { get; } = [];
    /// <summary>Each service's connection string (its own user, limited to its schema), by lower-case service name.</summary>
    public IReadOnlyDictionary<string, string> ServiceConnectionStrings { get; private set; } = new Dictionary<string, string>();
    public ReminderClient Client { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        database = await TestDatabase.CreateAsync("e2e");
        ServiceConnectionStrings = await database.CreateServiceUsersAsync();
        vhost = await TestVirtualHost.CreateAsync("e2e");

        var clock = Clock();
        // Each service's first instance has its port from the start, so the client knows a service started later.
        foreach (var service in AllServices) ports[service] = ServiceProcess.FreePort();
        var simulatorSettings = new Dictionary<string, string?>(clock)
        {
            ["Simulator:AccountSid"] = AccountSid,
            ["Simulator:AuthToken"] = AuthToken,
            ["Simulator:ControlKey"] = SimulatorKey,
            ["Simulator:InboundWebhookUrl"] = $"{MessagingUrl}/api/messaging/webhooks/twilio/inbound",
            ["Simulator:MessagesPerSecondPerSender"] = "100",
        };
        foreach (var (key, value) in ExtraSettings) simulatorSettings[key] = value;
        Simulator = new ServiceProcess("ProviderSimulator", simulatorSettings);
        Simulator.Start();

        common = new Dictionary<string, string?>(vhost.BusSettings().Concat(clock))
        {
            ["Database:Provider"] = "Postgres",
            ["Database:Postgres"] = database.ConnectionString,
            ["Auth:ApiKeys:0:Name"] = "test-manager", ["Auth:ApiKeys:0:Key"] = ManagerKey, ["Auth:ApiKeys:0:Roles:0"] = "manager",
            ["Auth:ApiKeys:1:Name"] = "test-trainer", ["Auth:ApiKeys:1:Key"] = TrainerKey, ["Auth:ApiKeys:1:Roles:0"] = "trainer",
            ["Auth:ApiKeys:2:Name"] = "test-researcher", ["Auth:ApiKeys:2:Key"] = ResearcherKey, ["Auth:ApiKeys:2:Roles:0"] = "researcher",
            ["Logging:LogLevel:Default"] = "Information",
        };
        foreach (var (key, value) in ExtraSettings) common[key] = value;
        // As docker-compose's init step: every queue and binding exists before any service publishes.
        if (DeployTopologyPerService) await ServiceProcess.DeployTopologyAsync(common, [.. AllServices]);
        else await DeployTopologyInProcessAsync(common);
        await StartAsync(AllServices.Where(s => !StartedLater.Contains(s)));

        await Simulator.WaitReadyAsync(TimeSpan.FromSeconds(60), "/health/live");
        Client = new ReminderClient(Urls, ManagerKey, ResearcherKey, SimulatorKey);
    }

    static readonly string[] AllServices = ["Enrollment", "Scheduler", "Messaging", "Attendance"];
    Dictionary<string, string?> common = [];
    readonly Dictionary<string, int> ports = [];

    /// <summary>The services of <see cref="StartedLater"/>, started now and ready.</summary>
    public Task StartLaterAsync() => StartAsync(StartedLater);

    async Task StartAsync(IEnumerable<string> services)
    {
        var started = new List<ServiceProcess>();
        foreach (var service in services)
        for (var instance = 1; instance <= Instances.GetValueOrDefault(service, 1); instance++)
        {
            // Each service as its own database user, limited to its own schema, as in docker-compose.
            var settings = new Dictionary<string, string?>(common) { ["Database:Postgres"] = ServiceConnectionStrings[service.ToLowerInvariant()] };
            if (service == "Messaging")
            {
                settings["Messaging:PublicBaseUrl"] = MessagingUrl;
                settings["Messaging:Twilio:AccountSid"] = AccountSid;
                settings["Messaging:Twilio:AuthToken"] = AuthToken;
                settings["Messaging:Twilio:BaseUrl"] = Simulator!.Url;
                settings["Messaging:Twilio:From"] = "+15005550006";
                settings.TryAdd("Messaging:Twilio:MessagesPerSecondPerSender", "100");
            }
            if (service == "Scheduler")
            {
                // The re-dispatch job asks Messaging where the SMS it dispatched stand.
                settings["Scheduler:Messaging:BaseUrl"] = MessagingUrl;
                settings["Scheduler:Messaging:ApiKey"] = ResearcherKey;
            }
            var name = instance == 1 ? service : $"{service}#{instance}";
            // A second instance starts once the first has migrated its schema and provisioned Quartz's tables.
            if (instance > 1) await Services[service].WaitReadyAsync(TimeSpan.FromSeconds(180));
            Services[name] = new ServiceProcess(service, settings, instance == 1 ? ports[service] : null);
            Services[name].Start();
            started.Add(Services[name]);
        }
        await Task.WhenAll(started.Select(s => s.WaitReadyAsync(TimeSpan.FromSeconds(180))));
    }

    string Url(string service) => $"http://127.0.0.1:{ports[service]}";
    string MessagingUrl => Url("Messaging");

    /// <summary>Each service's first instance (a service started later answers there once started).</summary>
    public ServiceUrls Urls => new(Url("Enrollment"), Url("Scheduler"), MessagingUrl, Url("Attendance"), Simulator!.Url);

    public IEnumerable<string> AllOutput => Services.Values.SelectMany(s => s.Output);

    public async Task DisposeAsync()
    {
        Client?.Dispose();
        foreach (var service in Services.Values) await service.DisposeAsync();
        if (Simulator is not null) await Simulator.DisposeAsync();
        if (vhost is not null) await vhost.DisposeAsync();
        if (database is not null) await database.DisposeAsync();
    }
}

/// <summary>
/// The test classes that start the four services as processes run one after another: two such fixtures starting together
/// took minutes to become ready here (each service's bus waited), while one alone is ready in seconds.
/// </summary>
[CollectionDefinition(Name)]
public sealed class DistributedCollection
{
    public const string Name = "distributed services";
}
