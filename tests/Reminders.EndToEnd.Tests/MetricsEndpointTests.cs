using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Reminders.Local;
using Reminders.Local.Demo;
using Reminders.Platform.Auth;
using Reminders.Platform.Hosting;
using Reminders.Platform.Protocol;
using Reminders.Testing;

namespace Reminders.EndToEnd.Tests;

/// <summary>The domain metrics at /metrics: what was sent and how the provider answered, never to anyone without a key.</summary>
public sealed class MetricsEndpointTests(LocalHostFixture host) : IClassFixture<LocalHostFixture>
{
    [Fact]
    public async Task Metrics_need_a_key_and_show_sms_by_purpose_and_status_provider_answers_outbox_and_due_reminders()
    {
        using var anonymous = new HttpClient { BaseAddress = new Uri(host.Url) };
        using (var refused = await anonymous.GetAsync("/metrics"))
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);

        var flow = await SkeletonFlow.RunAsync(host.Client, new StringWriter(), TimeSpan.FromSeconds(30));
        Assert.Equal(4, flow.Delivered.Count);
        await host.App.Services.GetRequiredService<DatabaseGaugeSampler>().SampleAsync(CancellationToken.None);

        using var withKey = new HttpClient { BaseAddress = new Uri(host.Url) };
        withKey.DefaultRequestHeaders.Add("X-Api-Key", host.ApiKey(Roles.Manager));
        var metrics = Normalized(await withKey.GetStringAsync("/metrics"));
        Assert.Contains("""reminders_messaging_sms{purpose="manual",service="messaging",status="delivered"} 4""", metrics);
        Assert.Contains("""reminders_messaging_provider_answers_total{class="accepted"} 4""", metrics);
        foreach (var service in new[] { "enrollment", "scheduler", "messaging", "attendance" })
        {
            Assert.Matches($$"""reminders_outbox_backlog\{service="{{service}}"\} \d+""", metrics);
            Assert.Matches($$"""reminders_outbox_oldest_age_seconds\{service="{{service}}"\} [\d.]+""", metrics);
        }
        Assert.Contains("""reminders_scheduler_due_not_dispatched{service="scheduler"} 0""", metrics);
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
