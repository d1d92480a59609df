using System.Data.Common;
using Dapper;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Reminders.Platform.Data;

namespace Reminders.Platform.Hosting;

/// <summary>Configuration section <c>Metrics</c>.</summary>
public sealed class MetricsOptions
{
    public const string Section = "Metrics";

    /// <summary>Serve <c>/metrics</c> without a key on this port only (for a scraper inside the network); null: on the API port, with an API key.</summary>
    public int? Port { get; set; }

    /// <summary>How often the gauges read from the service's database are sampled (a scrape never waits on the database).</summary>
    public int SampleSeconds { get; set; } = 15;
}

/// <summary>One value of a gauge, with its tags beyond the service (e.g. purpose and status).</summary>
public sealed record GaugeReading(double Value, params KeyValuePair<string, object?>[] Tags);

/// <summary>Numbers the service's own database answers, exposed as a gauge (tagged with the service).</summary>
/// <param name="Read">Reads the values on an open connection at the given time.</param>
public sealed record DatabaseGauge(string Service, string Name, string Unit, string Description,
    Func<DbConnection, DateTimeOffset, CancellationToken, Task<IReadOnlyList<GaugeReading>>> Read)
{
    /// <summary>A gauge of one value.</summary>
    public static DatabaseGauge Single(string service, string name, string unit, string description,
        Func<DbConnection, DateTimeOffset, CancellationToken, Task<double>> read) =>
        new(service, name, unit, description, async (connection, now, ct) => [new GaugeReading(await read(connection, now, ct))]);
}

/// <summary>
/// Samples every <see cref="DatabaseGauge"/> every <see cref="MetricsOptions.SampleSeconds"/> into the meter
/// <see cref="MeterName"/>; until the first sample, or while the database does not answer, a gauge reports nothing.
/// </summary>
public sealed class DatabaseGaugeSampler : BackgroundService
{
    public const string MeterName = "Reminders";

    readonly IReadOnlyList<DatabaseGauge> gauges;
    readonly IServiceProvider services;
    readonly TimeProvider clock;
    readonly ILogger<DatabaseGaugeSampler> logger;
    readonly TimeSpan every;
    readonly Dictionary<DatabaseGauge, IReadOnlyList<GaugeReading>> latest = [];
    readonly Lock gate = new();

    /// <summary>The sampler once per host (the local host has four service databases) and the outbox gauges of <paramref name="service"/>.</summary>
    public static void AddOutboxGauges(IServiceCollection services, string service)
    {
        if (!services.Any(d => d.ServiceType == typeof(DatabaseGaugeSampler)))
        {
            // A host without the service defaults (a test's, a tool's) has no TimeProvider of its own: the system clock then.
            services.AddSingleton(sp => new DatabaseGaugeSampler(sp.GetServices<DatabaseGauge>(), sp, sp.GetRequiredService<IMeterFactory>(),
                sp.GetService<TimeProvider>() ?? TimeProvider.System, sp.GetRequiredService<IOptions<MetricsOptions>>(),
                sp.GetRequiredService<ILogger<DatabaseGaugeSampler>>()));
            services.AddSingleton<IHostedService>(sp => sp.GetRequiredService<DatabaseGaugeSampler>());
        }
        services.AddSingleton(DatabaseGauge.Single(service, "reminders.outbox.backlog", "{message}",
            "Messages committed but not yet relayed to the bus.",
            async (connection, _, ct) => await connection.ExecuteScalarAsync<long>(new CommandDefinition("SELECT count(*) FROM outbox_messages", cancellationToken: ct))));
        services.AddSingleton(DatabaseGauge.Single(service, "reminders.outbox.oldest_age", "s",
            "Age of the oldest message not yet relayed (0 when none waits).",
            async (connection, now, ct) => await connection.QueryFirstOrDefaultAsync<DateTimeOffset?>(new CommandDefinition(
                "SELECT created_at FROM outbox_messages ORDER BY id LIMIT 1", cancellationToken: ct)) is { } oldest
                ? Math.Max(0, (now - oldest).TotalSeconds) : 0));
    }

    public DatabaseGaugeSampler(IEnumerable<DatabaseGauge> gauges, IServiceProvider services, IMeterFactory meters, TimeProvider clock,
        IOptions<MetricsOptions> options, ILogger<DatabaseGaugeSampler> logger)
    {
        (this.gauges, this.services, this.clock, this.logger) = (gauges.ToList(), services, clock, logger);
        every = TimeSpan.FromSeconds(Math.Max(1, options.Value.SampleSeconds));
        var meter = meters.Create(MeterName);
        foreach (var gauge in this.gauges)
            meter.CreateObservableGauge(gauge.Name, () => Observe(gauge), gauge.Unit, gauge.Description);
    }

    IEnumerable<Measurement<double>> Observe(DatabaseGauge gauge)
    {
        lock (gate)
            return latest.TryGetValue(gauge, out var readings)
                ? readings.Select(r => new Measurement<double>(r.Value, [new("service", gauge.Service), .. r.Tags])).ToList()
                : [];
    }

    /// <summary>Reads every gauge now (the sampler's round; tests call it to avoid waiting for one).</summary>
    public async Task SampleAsync(CancellationToken ct)
    {
        foreach (var group in gauges.GroupBy(g => g.Service))
        {
            try
            {
                await using var connection = await services.GetRequiredKeyedService<ServiceDatabase>(group.Key).OpenAsync(ct);
                foreach (var gauge in group)
                {
                    var value = await gauge.Read(connection, clock.GetUtcNow(), ct);
                    lock (gate) latest[gauge] = value;
                }
            }
            catch (Exception e) when (e is DbException or InvalidOperationException or TimeoutException)
            {
                // Before the migrations ran, or while the database is away: the gauges keep their last value; health says why.
                logger.LogDebug(e, "Could not sample the {Service} gauges", group.Key);
            }
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Real seconds, whatever the study clock's speed.
        using var timer = new PeriodicTimer(every);
        do await SampleAsync(stoppingToken);
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
