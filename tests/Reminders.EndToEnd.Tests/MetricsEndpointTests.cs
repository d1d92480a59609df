using System.Net;
using Reminders.Local;
using Reminders.Local.Demo;
using Reminders.Platform.Auth;
using Reminders.Platform.Hosting;
using Reminders.Protocol;
using Reminders.Testing;

namespace Reminders.EndToEnd.Tests;

/// <summary>
/// The domain metrics at /metrics: what was sent and how the provider answered, never to anyone without a key. The host runs
/// as a process of its own: OpenTelemetry listens to meters by name, so in-process hosts of other tests would add to the counts.
/// </summary>
public sealed class MetricsEndpointTests
{
    const string ManagerKey = "metrics-test-manager-key";
    const string ResearcherKey = "metrics-test-researcher-key";
    const string SimulatorKey = "metrics-test-simulator-key";

    [Fact]
    public async Task Metrics_need_a_key_and_show_sms_by_purpose_and_status_provider_answers_outbox_and_due_reminders()
    {
        var folder = Path.Combine(Path.GetTempPath(), "reminders-metrics-" + Guid.NewGuid().ToString("N"));
        var settings = StudyClockOptions.InsideSendingHours(ProtocolLoader.LoadDefault(), DateTimeOffset.UtcNow, TimeSpan.FromHours(2));
        settings["Database:SqliteFolder"] = folder;
        settings["Console:Urls"] = "http://127.0.0.1:0";
        settings["Metrics:SampleSeconds"] = "1";
        settings["Auth:ApiKeys:0:Name"] = "manager"; settings["Auth:ApiKeys:0:Key"] = ManagerKey; settings["Auth:ApiKeys:0:Roles:0"] = Roles.Manager;
        settings["Auth:ApiKeys:1:Name"] = "researcher"; settings["Auth:ApiKeys:1:Key"] = ResearcherKey; settings["Auth:ApiKeys:1:Roles:0"] = Roles.Researcher;
        settings["Simulator:ControlKey"] = SimulatorKey;
        var host = new ServiceProcess("Local", settings);
        host.Start();
        try
        {
            await host.WaitReadyAsync(TimeSpan.FromSeconds(90));
            using var anonymous = new HttpClient { BaseAddress = new Uri(host.Url) };
            using (var refused = await anonymous.GetAsync("/metrics"))
                Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);

            using var client = new ReminderClient(ServiceUrls.Single(host.Url), ManagerKey, ResearcherKey, SimulatorKey);
            var flow = await SkeletonFlow.RunAsync(client, new StringWriter(), TimeSpan.FromSeconds(30));
            Assert.Equal(4, flow.Delivered.Count);

            using var withKey = new HttpClient { BaseAddress = new Uri(host.Url) };
            withKey.DefaultRequestHeaders.Add("X-Api-Key", ManagerKey);
            const string delivered = """reminders_messaging_sms{purpose="manual",service="messaging",status="delivered"} 4""";
            var metrics = "";
            // The database gauges are sampled every second here: wait for a sample taken after the deliveries.
            for (var attempt = 0; attempt < 50 && !metrics.Contains(delivered, StringComparison.Ordinal); attempt++)
            {
                if (attempt > 0) await Task.Delay(200);
                metrics = Normalized(await withKey.GetStringAsync("/metrics"));
            }
            Assert.Contains(delivered, metrics);
            Assert.Contains("""reminders_messaging_provider_answers_total{class="accepted"} 4""", metrics);
            foreach (var service in new[] { "enrollment", "scheduler", "messaging", "attendance" })
            {
                Assert.Matches($$"""reminders_outbox_backlog\{service="{{service}}"\} \d+""", metrics);
                Assert.Matches($$"""reminders_outbox_oldest_age_seconds\{service="{{service}}"\} [\d.]+""", metrics);
            }
            Assert.Contains("""reminders_scheduler_due_not_dispatched{service="scheduler"} 0""", metrics);
        }
        finally
        {
            await host.DisposeAsync();
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try { Directory.Delete(folder, recursive: true); } catch (IOException) { }
        }
    }

    /// <summary>Without the exporter's otel_scope_* labels: only the labels the metrics define.</summary>
    static string Normalized(string metrics) =>
        System.Text.RegularExpressions.Regex.Replace(metrics, @"otel_scope_[a-z_]+=""[^""]*"",?", "");

    [Fact]
    public async Task With_a_metrics_port_the_metrics_answer_there_without_a_key_and_not_on_the_api_port()
    {
        var metricsPort = ServiceProcess.FreePort();
        var settings = StudyClockOptions.InsideSendingHours(ProtocolLoader.LoadDefault(), DateTimeOffset.UtcNow, TimeSpan.FromHours(2));
        settings["Urls"] = "http://127.0.0.1:0";
        settings["Database:SqliteFolder"] = Path.Combine(Path.GetTempPath(), "reminders-metrics-" + Guid.NewGuid().ToString("N"));
        settings["Logging:LogLevel:Default"] = "Warning";
        settings["Metrics:Port"] = metricsPort.ToString();
        await using var app = LocalHost.Build([], settings);
        await app.StartAsync();
        try
        {
            using var api = new HttpClient { BaseAddress = new Uri(app.Url()) };
            api.DefaultRequestHeaders.Add("X-Api-Key", app.ApiKey(Roles.Manager));
            using (var onApiPort = await api.GetAsync("/metrics"))
                Assert.Equal(HttpStatusCode.NotFound, onApiPort.StatusCode);
            using var scraper = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{metricsPort}") };
            using var scraped = await scraper.GetAsync("/metrics");
            Assert.Equal(HttpStatusCode.OK, scraped.StatusCode);
            Assert.Contains("reminders_outbox_backlog", await scraped.Content.ReadAsStringAsync());
        }
        finally
        {
            await app.StopAsync();
            Directory.Delete(settings["Database:SqliteFolder"]!, recursive: true);
        }
    }
}
