namespace Reminders.ProviderSimulator.Tests.Infrastructure;

/// <summary>A simulator with outcome rules, a webhook receiver for callbacks and replies, and a CSV log file.</summary>
public sealed class SimulatorFixture : IAsyncLifetime
{
    public SimulatorHost Simulator { get; private set; } = null!;

    public WebhookReceiver Receiver { get; private set; } = null!;

    public string LogPath { get; } = Path.Combine(Path.GetTempPath(), $"simulator-{Guid.NewGuid():N}", "messages.csv");

    public async Task InitializeAsync()
    {
        Receiver = await WebhookReceiver.StartAsync();
        Simulator = await SimulatorHost.StartAsync(new Dictionary<string, string?>
        {
            ["Simulator:InboundWebhookUrl"] = Receiver.UrlFor("/inbound"),
            ["Simulator:MessagesPerSecondPerSender"] = "1000",
            ["Simulator:SentDelayMs"] = "10",
            ["Simulator:DeliveredDelayMs"] = "20",
            ["Simulator:CallbackRetryDelayMs"] = "20",
            ["Simulator:LogPath"] = LogPath,
            ["Simulator:Outcomes:Invalid:0"] = Phones.InvalidPrefix,
            ["Simulator:Outcomes:Landline:0"] = Phones.LandlinePrefix,
            ["Simulator:Outcomes:OptedOut:0"] = Phones.OptedOutPrefix,
            ["Simulator:Outcomes:Undelivered:0"] = Phones.UndeliveredPrefix,
            ["Simulator:Outcomes:Failed:0"] = Phones.FailedPrefix,
        });
    }

    public async Task DisposeAsync()
    {
        await Simulator.DisposeAsync();
        await Receiver.DisposeAsync();
        if (Directory.Exists(Path.GetDirectoryName(LogPath)))
        {
            Directory.Delete(Path.GetDirectoryName(LogPath)!, recursive: true);
        }
    }
}
