using System.Diagnostics.Metrics;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Reminders.Platform.Data;
using Reminders.Platform.Hosting;
using Reminders.Platform.Tests.Infrastructure;

namespace Reminders.Platform.Tests;

/// <summary>The outbox gauges read from the service's own database, on both engines.</summary>
public sealed class DatabaseGaugeSamplerTests(MigratedDatabases databases) : IClassFixture<MigratedDatabases>
{
    [Theory]
    [InlineData(SqlDialect.Sqlite)]
    [InlineData(SqlDialect.Postgres)]
    public async Task The_outbox_gauges_count_the_messages_waiting_and_the_age_of_the_oldest(SqlDialect dialect)
    {
        var database = databases.For(dialect);
        var now = new DateTimeOffset(2026, 12, 7, 16, 0, 0, TimeSpan.Zero);
        var clock = new FakeTimeProvider(now);
        await using (var connection = await database.OpenAsync())
        {
            await connection.ExecuteAsync("DELETE FROM outbox_messages");
            foreach (var age in new[] { 90, 30, 5 })
                await connection.ExecuteAsync(
                    "INSERT INTO outbox_messages (message_id, message_type, body, created_at) VALUES (@id, 'test', '{}', @createdAt)",
                    new { id = Guid.NewGuid(), createdAt = now.AddSeconds(-age) });
        }
        var services = new ServiceCollection().AddMetrics();
        services.AddKeyedSingleton(MigratedDatabases.Service, database);
        DatabaseGaugeSampler.AddOutboxGauges(services, MigratedDatabases.Service);
        await using var provider = services.BuildServiceProvider();
        var sampler = new DatabaseGaugeSampler(provider.GetServices<DatabaseGauge>(), provider, provider.GetRequiredService<IMeterFactory>(), clock,
            Options.Create(new MetricsOptions()), NullLogger<DatabaseGaugeSampler>.Instance);

        Assert.Empty(Observe());
        await sampler.SampleAsync(CancellationToken.None);
        var observed = Observe();
        Assert.Equal(3, observed["reminders.outbox.backlog"]);
        Assert.Equal(90, observed["reminders.outbox.oldest_age"], precision: 3);

        await using (var connection = await database.OpenAsync())
            await connection.ExecuteAsync("DELETE FROM outbox_messages");
        await sampler.SampleAsync(CancellationToken.None);
        observed = Observe();
        Assert.Equal(0, observed["reminders.outbox.backlog"]);
        Assert.Equal(0, observed["reminders.outbox.oldest_age"]);

        Dictionary<string, double> Observe()
        {
            var values = new Dictionary<string, double>();
            using var listener = new MeterListener();
            listener.InstrumentPublished = (instrument, l) =>
            {
                // This provider's meter only: tests running alongside have samplers of their own.
                if (instrument.Meter.Name == DatabaseGaugeSampler.MeterName && instrument.Meter.Scope == provider.GetRequiredService<IMeterFactory>())
                    l.EnableMeasurementEvents(instrument);
            };
            listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) =>
            {
                Assert.Contains(tags.ToArray(), t => t.Key == "service" && (string?)t.Value == MigratedDatabases.Service);
                values[instrument.Name] = value;
            });
            listener.Start();
            listener.RecordObservableInstruments();
            return values;
        }
    }
}
