using Dapper;
using MassTransit;
using Reminders.Contracts;
using Reminders.Platform.Tests.Infrastructure;

namespace Reminders.Platform.Tests;

/// <summary>The outbox relay and the Scheduler's real OfficerEnrolledConsumer over a real RabbitMQ vhost and PostgreSQL.</summary>
public sealed class OutboxRelayTests : IAsyncLifetime
{
    static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    TwoServiceHost host = null!;

    public async Task InitializeAsync() => host = await TwoServiceHost.StartAsync();
    public async Task DisposeAsync() => await host.DisposeAsync();

    [Fact]
    public async Task A_committed_outbox_message_is_published_with_the_message_id_it_was_written_with_and_its_row_is_deleted()
    {
        var (_, messageId, message) = await host.CommitWidgetAndOfficerEnrolledAsync();

        await Eventually.UntilAsync(async () => await host.SchedulerInboxAsync(messageId) == 1, Timeout,
            "the Scheduler's consumer recorded the outbox message id in its inbox", () => host.Logs.Tail());
        await Eventually.UntilAsync(async () => await host.OutboxRowsAsync(messageId) == 0, Timeout,
            "the relayed row is deleted", () => host.Logs.Tail());

        Assert.Equal(1, await host.SchedulerOfficersAsync(message.OfficerId));
        Assert.Equal(1, host.Consumed.Consumed(messageId));
        Assert.Empty(host.Consumed.Faults);
    }

    [Fact]
    public async Task A_message_delivered_twice_with_the_same_message_id_has_one_effect()
    {
        var messageId = NewId.NextGuid();
        var message = new OfficerEnrolled(Guid.CreateVersion7(), Guid.CreateVersion7(), "officer", DateTimeOffset.UtcNow);

        // As a redelivery would: the same message with the same MessageId, twice.
        await host.Bus.Publish(message, context => context.MessageId = messageId);
        await host.Bus.Publish(message, context => context.MessageId = messageId);

        await Eventually.UntilAsync(() => Task.FromResult(host.Consumed.Consumed(messageId) == 2), Timeout,
            "both deliveries were consumed", () => host.Logs.Tail());
        Assert.Equal(1, await host.SchedulerInboxAsync(messageId));
        Assert.Equal(1, await host.SchedulerOfficersAsync(message.OfficerId));
        Assert.Empty(host.Consumed.Faults);
    }

    [Fact]
    public async Task The_second_delivery_of_a_message_id_changes_nothing_even_where_its_effect_would_be_visible()
    {
        var messageId = NewId.NextGuid();
        var officerId = Guid.CreateVersion7();
        var first = new OfficerEnrolled(officerId, Guid.CreateVersion7(), "officer", DateTimeOffset.UtcNow);
        await host.Bus.Publish(first, context => context.MessageId = messageId);
        await Eventually.UntilAsync(() => Task.FromResult(host.Consumed.Consumed(messageId) == 1), Timeout, "the first delivery was consumed");

        // The consumer's upsert would overwrite the role; only the inbox stops it.
        await host.Bus.Publish(first with { Role = "commander" }, context => context.MessageId = messageId);
        await Eventually.UntilAsync(() => Task.FromResult(host.Consumed.Consumed(messageId) == 2), Timeout, "the second delivery was consumed");

        await using var connection = await host.SchedulerDatabase.OpenAsync();
        Assert.Equal("officer", await connection.ExecuteScalarAsync<string>("SELECT role FROM officers WHERE officer_id = @officerId", new { officerId }));
    }
}
