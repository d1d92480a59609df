using System.Collections.Concurrent;
using Dapper;
using MassTransit;
using Microsoft.Extensions.Logging.Abstractions;
using Reminders.Contracts;
using Reminders.Platform.Data;
using Reminders.Platform.Outbox;
using Reminders.Platform.Tests.Infrastructure;

namespace Reminders.Platform.Tests;

/// <summary>
/// The outbox relay with an <see cref="OutboxEnvelope"/> (as Messaging relays its SMS events), over a real in-memory bus and
/// both databases; and <see cref="ServiceDatabase.ConsumeEachOnceAsync"/>, which consumes such a batch once per event.
/// </summary>
public sealed class OutboxEnvelopeTests(MigratedDatabases databases) : IClassFixture<MigratedDatabases>
{
    static readonly DateTimeOffset At = new(2026, 12, 7, 16, 0, 0, TimeSpan.Zero);

    static OutboxEnvelope SmsEvents(Func<IReadOnlyList<OutboxEvent>, object>? wrap = null) =>
        new(MigratedDatabases.Service, [typeof(SmsAccepted), typeof(SmsStatusChanged)], wrap ?? (events => new SmsEventsBatch([.. events.Select(e => e.Message switch
        {
            SmsAccepted accepted => new SmsEvent(e.MessageId, Accepted: accepted),
            SmsStatusChanged changed => new SmsEvent(e.MessageId, StatusChanged: changed),
            _ => throw new InvalidOperationException("not an SMS event"),
        })])));

    [Theory]
    [InlineData(SqlDialect.Sqlite)]
    [InlineData(SqlDialect.Postgres)]
    public async Task The_events_an_envelope_names_leave_a_round_as_one_message_each_with_the_id_it_was_written_with_and_the_rest_go_alone(SqlDialect dialect)
    {
        var database = await EmptyOutboxAsync(dialect);
        await using var bus = await RecordingBus.StartAsync();
        var sms = Guid.NewGuid();
        Guid accepted, sent, refused, delivered;
        await using (var work = await database.BeginAsync())
        {
            accepted = work.Publish(new SmsAccepted(sms, Guid.NewGuid(), SmsPurposes.Reminder, "SM1", 1, At));
            sent = work.Publish(new SmsStatusChanged(sms, Guid.NewGuid(), SmsPurposes.Reminder, "sent", null, At.AddSeconds(1)));
            refused = work.Publish(new SmsRefused(Guid.NewGuid(), Guid.NewGuid(), SmsPurposes.Reminder, "arm_mismatch", At));
            await work.CommitAsync();
        }
        await using (var work = await database.BeginAsync())
        {
            delivered = work.Publish(new SmsStatusChanged(sms, Guid.NewGuid(), SmsPurposes.Reminder, "delivered", null, At.AddSeconds(2)));
            await work.CommitAsync();
        }

        var relayed = await Relay(database, bus, SmsEvents()).RelayBatchAsync(CancellationToken.None);

        Assert.Equal(4, relayed);
        var batch = Assert.Single(await bus.WaitForAsync<SmsEventsBatch>(1));
        Assert.Equal([accepted, sent, delivered], batch.Message.Events.Select(e => e.MessageId));
        Assert.Equal(("SM1", "sent", "delivered"), (batch.Message.Events[0].Accepted?.ProviderMessageId, batch.Message.Events[1].StatusChanged?.Status,
            batch.Message.Events[2].StatusChanged?.Status));
        Assert.DoesNotContain(batch.MessageId, new[] { accepted, sent, delivered });
        Assert.Equal(refused, Assert.Single(await bus.WaitForAsync<SmsRefused>(1)).MessageId);
        Assert.Empty(bus.Received<SmsAccepted>());
        Assert.Empty(bus.Received<SmsStatusChanged>());
        Assert.Equal(0L, await OutboxRowsAsync(database));
    }

    [Theory]
    [InlineData(SqlDialect.Sqlite)]
    [InlineData(SqlDialect.Postgres)]
    public async Task An_envelope_that_cannot_be_published_keeps_all_its_events_for_the_next_round_while_the_others_are_relayed(SqlDialect dialect)
    {
        var database = await EmptyOutboxAsync(dialect);
        await using var bus = await RecordingBus.StartAsync();
        Guid accepted, refused;
        await using (var work = await database.BeginAsync())
        {
            accepted = work.Publish(new SmsAccepted(Guid.NewGuid(), Guid.NewGuid(), SmsPurposes.Reminder, "SM2", 1, At));
            work.Publish(new SmsStatusChanged(Guid.NewGuid(), Guid.NewGuid(), SmsPurposes.Reminder, "sent", null, At));
            refused = work.Publish(new SmsRefused(Guid.NewGuid(), Guid.NewGuid(), SmsPurposes.Reminder, "no_consent", At));
            await work.CommitAsync();
        }

        var relayed = await Relay(database, bus, SmsEvents(_ => throw new InvalidOperationException("the broker refused the batch")))
            .RelayBatchAsync(CancellationToken.None);

        Assert.Equal(1, relayed);
        Assert.Equal(refused, Assert.Single(await bus.WaitForAsync<SmsRefused>(1)).MessageId);
        await using (var connection = await database.OpenAsync())
            Assert.Equal([(1L, "the broker refused the batch"), (1L, "the broker refused the batch")],
                (await connection.QueryAsync<(long, string)>("SELECT attempts, last_error FROM outbox_messages ORDER BY id")).ToArray());

        // The next round, with the broker back, relays both in one batch under the ids they were written with.
        Assert.Equal(2, await Relay(database, bus, SmsEvents()).RelayBatchAsync(CancellationToken.None));
        var batch = Assert.Single(await bus.WaitForAsync<SmsEventsBatch>(1));
        Assert.Equal(accepted, batch.Message.Events[0].MessageId);
        Assert.Equal(0L, await OutboxRowsAsync(database));
    }

    [Theory]
    [InlineData(SqlDialect.Sqlite)]
    [InlineData(SqlDialect.Postgres)]
    public async Task Each_event_of_a_batch_is_handled_once_whether_it_comes_again_in_the_same_batch_or_in_another(SqlDialect dialect)
    {
        var database = databases.For(dialect);
        var handled = new ConcurrentQueue<Guid>();
        var (first, second, third) = (NewId.NextGuid(), NewId.NextGuid(), NewId.NextGuid());
        await using var bus = await RecordingBus.StartAsync(endpoint => endpoint.Handler<SmsEventsBatch>(context =>
            database.ConsumeEachOnceAsync(context, context.Message.Events, e => ("SmsAcceptedConsumer", e.MessageId), async (work, events, ct) =>
            {
                foreach (var e in events)
                {
                    handled.Enqueue(e.MessageId);
                    await work.ExecuteAsync("INSERT INTO widgets (id, name, created_at) VALUES (@MessageId, 'folded', @At)", new { e.MessageId, At }, ct);
                }
            })));

        await bus.PublishAsync(Batch(first, second));
        await bus.PublishAsync(Batch(first, second));   // a redelivery
        await bus.PublishAsync(Batch(second, third));   // regrouped after a relay crashed before deleting its rows

        await Eventually.UntilAsync(() => Task.FromResult(bus.Consumed == 3), TimeSpan.FromSeconds(30), "the three batches were consumed");
        Assert.Equal([first, second, third], handled);
        Assert.Equal(3L, await InboxRowsAsync(database, first, second, third));
    }

    [Theory]
    [InlineData(SqlDialect.Sqlite)]
    [InlineData(SqlDialect.Postgres)]
    public async Task A_batch_whose_handling_throws_records_none_of_its_events_so_the_retry_handles_them_all(SqlDialect dialect)
    {
        var database = databases.For(dialect);
        var attempts = 0;
        var (first, second) = (NewId.NextGuid(), NewId.NextGuid());
        var handledLast = new List<Guid>();
        await using var bus = await RecordingBus.StartAsync(endpoint =>
        {
            endpoint.UseMessageRetry(r => r.Immediate(1));
            endpoint.Handler<SmsEventsBatch>(context =>
                database.ConsumeEachOnceAsync(context, context.Message.Events, e => ("SmsAcceptedConsumer", e.MessageId), (_, events, _) =>
                {
                    if (++attempts == 1) throw new InvalidOperationException("the ledger was not reachable");
                    handledLast.AddRange(events.Select(e => e.MessageId));
                    return Task.CompletedTask;
                }));
        });

        await bus.PublishAsync(Batch(first, second));

        await Eventually.UntilAsync(() => Task.FromResult(bus.Consumed == 1), TimeSpan.FromSeconds(30), "the batch was consumed on its retry");
        Assert.Equal(2, attempts);
        Assert.Equal([first, second], handledLast);
        Assert.Equal(2L, await InboxRowsAsync(database, first, second));
    }

    static SmsEventsBatch Batch(params Guid[] ids) =>
        new([.. ids.Select(id => new SmsEvent(id, Accepted: new SmsAccepted(Guid.NewGuid(), Guid.NewGuid(), SmsPurposes.Reminder, "SM", 1, At)))]);

    static OutboxRelay Relay(ServiceDatabase database, RecordingBus bus, OutboxEnvelope envelope) =>
        new(database, bus.Bus, NullLogger<OutboxRelay>.Instance, envelope: envelope);

    async Task<ServiceDatabase> EmptyOutboxAsync(SqlDialect dialect)
    {
        var database = databases.For(dialect);
        await using var connection = await database.OpenAsync();
        await connection.ExecuteAsync("DELETE FROM outbox_messages");
        return database;
    }

    static async Task<long> OutboxRowsAsync(ServiceDatabase database)
    {
        await using var connection = await database.OpenAsync();
        return await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM outbox_messages");
    }

    static async Task<long> InboxRowsAsync(ServiceDatabase database, params Guid[] ids)
    {
        await using var connection = await database.OpenAsync();
        return await connection.ExecuteScalarAsync<long>(
            $"SELECT COUNT(*) FROM inbox_messages WHERE consumer = 'SmsAcceptedConsumer' AND {database.Dialect.InList("message_id", "ids")}",
            new { ids = database.Dialect.UuidList(ids) });
    }

    /// <summary>An in-memory bus that keeps every message it receives with the id it came with.</summary>
    sealed class RecordingBus : IAsyncDisposable
    {
        readonly ConcurrentQueue<(object Message, Guid MessageId)> received = new();
        int consumed;

        RecordingBus(Action<IInMemoryReceiveEndpointConfigurator>? handlers) =>
            Bus = MassTransit.Bus.Factory.CreateUsingInMemory(configure => configure.ReceiveEndpoint("recorded", endpoint =>
            {
                if (handlers is not null)
                {
                    handlers(endpoint);
                    endpoint.UseFilter(new CountingFilter(() => Interlocked.Increment(ref consumed)));
                    return;
                }
                endpoint.Handler<SmsEventsBatch>(Record);
                endpoint.Handler<SmsAccepted>(Record);
                endpoint.Handler<SmsStatusChanged>(Record);
                endpoint.Handler<SmsRefused>(Record);
            }));

        public IBusControl Bus { get; }
        public int Consumed => Volatile.Read(ref consumed);

        public static async Task<RecordingBus> StartAsync(Action<IInMemoryReceiveEndpointConfigurator>? handlers = null)
        {
            var recording = new RecordingBus(handlers);
            using var starting = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await recording.Bus.StartAsync(starting.Token);
            return recording;
        }

        Task Record<T>(ConsumeContext<T> context) where T : class
        {
            received.Enqueue((context.Message, context.MessageId!.Value));
            return Task.CompletedTask;
        }

        public Task PublishAsync(SmsEventsBatch batch) => Bus.Publish(batch);

        public IReadOnlyList<(T Message, Guid MessageId)> Received<T>() =>
            [.. received.Where(r => r.Message is T).Select(r => ((T)r.Message, r.MessageId))];

        public async Task<IReadOnlyList<(T Message, Guid MessageId)>> WaitForAsync<T>(int count)
        {
            await Eventually.UntilAsync(() => Task.FromResult(Received<T>().Count >= count), TimeSpan.FromSeconds(30), $"{count} {typeof(T).Name} received");
            return Received<T>();
        }

        public async ValueTask DisposeAsync() => await Bus.StopAsync();
    }

    /// <summary>Counts the deliveries the endpoint finished without a fault (after its retries).</summary>
    sealed class CountingFilter(Action consumed) : IFilter<ConsumeContext>
    {
        public async Task Send(ConsumeContext context, IPipe<ConsumeContext> next)
        {
            await next.Send(context);
            consumed();
        }

        public void Probe(ProbeContext context) => context.CreateFilterScope("counting");
    }
}
