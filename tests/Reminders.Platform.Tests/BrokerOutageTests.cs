using Dapper;
using Reminders.Platform.Tests.Infrastructure;

namespace Reminders.Platform.Tests;

/// <summary>
/// RabbitMQ stopped for real (rabbitmqctl stop_app) under a host wired like the services: writes keep committing,
/// the outbox keeps what could not be published, and after the broker returns every message has its effect once.
/// The assembly runs its tests one at a time, since this stops the broker for everyone.
/// </summary>
public sealed class BrokerOutageTests : IAsyncLifetime
{
    TwoServiceHost host = null!;

    public async Task InitializeAsync() => host = await TwoServiceHost.StartAsync();
    public async Task DisposeAsync() => await host.DisposeAsync();

    sealed record OutboxState
    {
        public int Attempts { get; init; }
        public string? LastError { get; init; }
    }

    [Fact]
    public async Task While_the_broker_is_down_writes_commit_and_the_message_waits_in_the_outbox_then_has_its_effect_once_after_it_returns()
    {
        Guid widgetId, messageId, officerId;
        try
        {
            await RabbitBroker.StopAppAsync();

            (widgetId, messageId, var message) = await host.CommitWidgetAndOfficerEnrolledAsync();
            officerId = message.OfficerId;

            Assert.Equal(1, await host.ProducerCountAsync("SELECT COUNT(*) FROM widgets WHERE id = @widgetId", new { widgetId }));
            await Eventually.UntilAsync(async () => (await OutboxStateAsync(messageId))?.Attempts >= 1, TimeSpan.FromSeconds(40),
                "the relay tried to publish and recorded the failure", () => host.Logs.Tail());
            var state = await OutboxStateAsync(messageId);
            Assert.NotNull(state);
            Assert.False(string.IsNullOrEmpty(state.LastError));
            Assert.Equal(0, await host.SchedulerOfficersAsync(officerId));
        }
        finally
        {
            await RabbitBroker.StartAppAsync(host.VirtualHost, TimeSpan.FromSeconds(60));
        }

        // MassTransit reconnects by itself; the relay's next sweep publishes the row.
        await Eventually.UntilAsync(async () => await host.SchedulerOfficersAsync(officerId) == 1, TimeSpan.FromSeconds(60),
            "the Scheduler received the officer after the broker returned", () => host.Logs.Tail());
        await Eventually.UntilAsync(async () => await host.OutboxRowsAsync(messageId) == 0, TimeSpan.FromSeconds(10),
            "the relayed row is deleted", () => host.Logs.Tail());
        Assert.Equal(1, await host.SchedulerInboxAsync(messageId));
        Assert.Equal(1, host.Consumed.Consumed(messageId));
        Assert.Empty(host.Consumed.Faults);
    }

    async Task<OutboxState?> OutboxStateAsync(Guid messageId)
    {
        await using var connection = await host.ProducerDatabase.OpenAsync();
        return await connection.QuerySingleOrDefaultAsync<OutboxState>(
            "SELECT attempts AS Attempts, last_error AS LastError FROM outbox_messages WHERE message_id = @messageId", new { messageId });
    }
}
