using System.Threading.Channels;
using Dapper;
using MassTransit;
using Reminders.Platform.Data;
using Reminders.Platform.Tests.Infrastructure;

namespace Reminders.Platform.Tests;

/// <summary>A command whose effect is one widget row.</summary>
public sealed record MakeWidget(Guid WidgetId);

/// <summary>
/// <see cref="ServiceDatabase.ConsumeOnceAsync"/> with the consume contexts of a real (in-memory) bus: a redelivered
/// message has no second effect, and a body that throws leaves nothing behind, its inbox row neither, so the retry runs it.
/// </summary>
public sealed class ConsumeOnceTests(MigratedDatabases databases) : IClassFixture<MigratedDatabases>
{
    const string Consumer = "MakeWidgetConsumer";

    [Theory]
    [InlineData(SqlDialect.Sqlite)]
    [InlineData(SqlDialect.Postgres)]
    public async Task A_redelivered_message_runs_the_body_once(SqlDialect dialect)
    {
        var database = databases.For(dialect);
        var runs = 0;
        await using var bus = await WidgetBus.StartAsync(database, async (work, message, ct) =>
        {
            runs++;
            await InsertWidgetAsync(work, message.WidgetId, ct);
        });
        var (messageId, widgetId) = (NewId.NextGuid(), Guid.NewGuid());

        Assert.Null(await bus.DeliverAsync(new MakeWidget(widgetId), messageId));
        Assert.Null(await bus.DeliverAsync(new MakeWidget(widgetId), messageId));

        Assert.Equal(1, runs);
        Assert.Equal((1L, 1L), await WidgetAndInboxRowsAsync(database, widgetId, messageId));
    }

    [Theory]
    [InlineData(SqlDialect.Sqlite)]
    [InlineData(SqlDialect.Postgres)]
    public async Task A_body_that_throws_commits_nothing_and_the_redelivery_runs_it_again(SqlDialect dialect)
    {
        var database = databases.For(dialect);
        var runs = 0;
        await using var bus = await WidgetBus.StartAsync(database, async (work, message, ct) =>
        {
            await InsertWidgetAsync(work, message.WidgetId, ct);
            // A missing precondition that has arrived by the redelivery.
            if (++runs == 1) throw new InvalidOperationException($"Widget {message.WidgetId} is not ready");
        });
        var (messageId, widgetId) = (NewId.NextGuid(), Guid.NewGuid());

        var failed = await bus.DeliverAsync(new MakeWidget(widgetId), messageId);
        Assert.Equal($"Widget {widgetId} is not ready", Assert.IsType<InvalidOperationException>(failed).Message);
        Assert.Equal((0L, 0L), await WidgetAndInboxRowsAsync(database, widgetId, messageId));

        Assert.Null(await bus.DeliverAsync(new MakeWidget(widgetId), messageId));
        Assert.Equal(2, runs);
        Assert.Equal((1L, 1L), await WidgetAndInboxRowsAsync(database, widgetId, messageId));
    }

    static Task InsertWidgetAsync(UnitOfWork work, Guid id, CancellationToken ct) =>
        work.ExecuteAsync("INSERT INTO widgets (id, name, created_at) VALUES (@id, 'made', @now)", new { id, now = DateTimeOffset.UtcNow }, ct);

    static async Task<(long Widgets, long Inbox)> WidgetAndInboxRowsAsync(ServiceDatabase database, Guid widgetId, Guid messageId)
    {
        await using var connection = await database.OpenAsync();
        return (await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM widgets WHERE id = @widgetId", new { widgetId }),
            await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM inbox_messages WHERE message_id = @messageId AND consumer = @Consumer",
                new { messageId, Consumer }));
    }

    /// <summary>An in-memory bus whose one endpoint hands each message to ConsumeOnceAsync and reports how each delivery ended.</summary>
    sealed class WidgetBus : IAsyncDisposable
    {
        readonly Channel<Exception?> outcomes = Channel.CreateUnbounded<Exception?>();
        readonly IBusControl bus;

        WidgetBus(ServiceDatabase database, Func<UnitOfWork, MakeWidget, CancellationToken, Task> body) =>
            bus = MassTransit.Bus.Factory.CreateUsingInMemory(configure => configure.ReceiveEndpoint("make-widget", endpoint =>
                endpoint.Handler<MakeWidget>(async context =>
                {
                    try
                    {
                        await database.ConsumeOnceAsync(context, Consumer, (work, ct) => body(work, context.Message, ct));
                        outcomes.Writer.TryWrite(null);
                    }
                    catch (Exception error)
                    {
                        outcomes.Writer.TryWrite(error);
                        throw;
                    }
                })));

        public static async Task<WidgetBus> StartAsync(ServiceDatabase database, Func<UnitOfWork, MakeWidget, CancellationToken, Task> body)
        {
            var widgetBus = new WidgetBus(database, body);
            using var starting = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await widgetBus.bus.StartAsync(starting.Token);
            return widgetBus;
        }

        /// <summary>Publishes the message under the given id and waits for its delivery's end: null when handled, else its exception.</summary>
        public async Task<Exception?> DeliverAsync(MakeWidget message, Guid messageId)
        {
            await bus.Publish(message, context => context.MessageId = messageId);
            return await outcomes.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));
        }

        public async ValueTask DisposeAsync() => await bus.StopAsync();
    }
}
