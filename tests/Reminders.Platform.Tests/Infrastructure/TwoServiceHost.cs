using Dapper;
using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Reminders.Contracts;
using Reminders.Platform.Bus;
using Reminders.Platform.Data;
using Reminders.Platform.Hosting;
using Reminders.Scheduler;
using Reminders.Testing;

namespace Reminders.Platform.Tests.Infrastructure;

/// <summary>
/// A generic host wired the way the services wire themselves (AddServiceDatabase + AddReminderBus over RabbitMQ):
/// a "producer" database (widgets, outbox) whose relay publishes, and the Scheduler's real database and consumers.
/// A PostgreSQL database and a RabbitMQ vhost of its own.
/// </summary>
public sealed class TwoServiceHost : IAsyncDisposable
{
    public const string Producer = "producer";

    readonly TestDatabase database;
    readonly TestVirtualHost virtualHost;
    readonly IHost host;

    TwoServiceHost(TestDatabase database, TestVirtualHost virtualHost, IHost host, LogCapture logs, ConsumeRecorder consumed)
    {
        this.database = database;
        this.virtualHost = virtualHost;
        this.host = host;
        Logs = logs;
        Consumed = consumed;
    }

    public LogCapture Logs { get; }
    public ConsumeRecorder Consumed { get; }
    public string VirtualHost => virtualHost.Name;
    public IBus Bus => host.Services.GetRequiredService<IBus>();
    public ServiceDatabase ProducerDatabase => host.Services.GetRequiredService<WidgetProducerDatabase>();
    public SchedulerDatabase SchedulerDatabase => host.Services.GetRequiredService<SchedulerDatabase>();

    public static async Task<TwoServiceHost> StartAsync()
    {
        var database = await TestDatabase.CreateAsync("relay");
        var virtualHost = await TestVirtualHost.CreateAsync("platform-tests");
        var logs = new LogCapture();
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, EnvironmentName = "Production" });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>(virtualHost.BusSettings())
        {
            ["Database:Provider"] = "Postgres",
            ["Database:Postgres"] = database.ConnectionString,
        });
        builder.Logging.AddProvider(logs);
        builder.AddServiceDatabase(Producer, typeof(TwoServiceHost).Assembly, options => new WidgetProducerDatabase(options));
        builder.AddServiceDatabase(SchedulerService.Name, typeof(SchedulerService).Assembly, options => new SchedulerDatabase(options));
        builder.AddReminderBus(bus => bus.AddSchedulerConsumers());
        var host = builder.Build();

        var consumed = new ConsumeRecorder();
        host.Services.GetRequiredService<IBus>().ConnectConsumeObserver(consumed);
        await host.StartAsync();
        var started = new TwoServiceHost(database, virtualHost, host, logs, consumed);
        await started.WaitBusHealthyAsync(TimeSpan.FromSeconds(30));
        return started;
    }

    /// <summary>The bus is connected and every receive endpoint (so every queue binding) is ready.</summary>
    public async Task WaitBusHealthyAsync(TimeSpan timeout)
    {
        var control = host.Services.GetRequiredService<IBusControl>();
        await Eventually.UntilAsync(() => Task.FromResult(control.CheckHealth().Status == BusHealthStatus.Healthy),
            timeout, "the bus is healthy", () => Logs.Tail());
    }

    /// <summary>Commits a widget (the state change) and an OfficerEnrolled in the producer's outbox, in one transaction.</summary>
    public async Task<(Guid WidgetId, Guid MessageId, OfficerEnrolled Message)> CommitWidgetAndOfficerEnrolledAsync()
    {
        var message = new OfficerEnrolled(Guid.CreateVersion7(), Guid.CreateVersion7(), "officer", DateTimeOffset.UtcNow);
        var widgetId = Guid.NewGuid();
        await using var work = await ProducerDatabase.BeginAsync();
        await work.ExecuteAsync("INSERT INTO widgets (id, name, created_at) VALUES (@widgetId, 'enrolled', @now)", new { widgetId, now = DateTimeOffset.UtcNow });
        var messageId = work.Publish(message);
        await work.CommitAsync();
        return (widgetId, messageId, message);
    }

    public async Task<long> ProducerCountAsync(string sql, object? param = null)
    {
        await using var connection = await ProducerDatabase.OpenAsync();
        return await connection.ExecuteScalarAsync<long>(sql, param);
    }

    public async Task<long> SchedulerCountAsync(string sql, object? param = null)
    {
        await using var connection = await SchedulerDatabase.OpenAsync();
        return await connection.ExecuteScalarAsync<long>(sql, param);
    }

    public Task<long> SchedulerOfficersAsync(Guid officerId) =>
        SchedulerCountAsync("SELECT COUNT(*) FROM officers WHERE officer_id = @officerId", new { officerId });

    public Task<long> SchedulerInboxAsync(Guid messageId) =>
        SchedulerCountAsync("SELECT COUNT(*) FROM inbox_messages WHERE message_id = @messageId AND consumer = 'OfficerEnrolledConsumer'", new { messageId });

    public Task<long> OutboxRowsAsync(Guid messageId) =>
        ProducerCountAsync("SELECT COUNT(*) FROM outbox_messages WHERE message_id = @messageId", new { messageId });

    /// <summary>The producer's handle, as a service's own would be.</summary>
    sealed class WidgetProducerDatabase(DatabaseOptions options) : ServiceDatabase(Producer, options);

    public async ValueTask DisposeAsync()
    {
        try { await host.StopAsync(TimeSpan.FromSeconds(15)); }
        finally
        {
            await ((IAsyncDisposable)host).DisposeAsync();
            await virtualHost.DisposeAsync();
            await database.DisposeAsync();
        }
    }
}
