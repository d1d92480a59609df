using Dapper;
using Reminders.Platform.Data;
using Reminders.Platform.Tests.Infrastructure;

namespace Reminders.Platform.Tests;

public sealed class InboxTests(MigratedDatabases databases) : IClassFixture<MigratedDatabases>
{
    [Theory]
    [InlineData(SqlDialect.Sqlite)]
    [InlineData(SqlDialect.Postgres)]
    public async Task Recording_the_same_message_for_the_same_consumer_a_second_time_is_refused(SqlDialect dialect)
    {
        var messageId = Guid.NewGuid();
        await using (var first = await databases.For(dialect).BeginAsync())
        {
            Assert.True(await first.TryRecordInboxAsync(messageId, "ConsumerA"));
            Assert.False(await first.TryRecordInboxAsync(messageId, "ConsumerA"));
            await first.CommitAsync();
        }

        await using var second = await databases.For(dialect).BeginAsync();
        Assert.False(await second.TryRecordInboxAsync(messageId, "ConsumerA"));
    }

    [Theory]
    [InlineData(SqlDialect.Sqlite)]
    [InlineData(SqlDialect.Postgres)]
    public async Task Another_consumer_records_the_same_message_for_itself(SqlDialect dialect)
    {
        var messageId = Guid.NewGuid();
        await using var work = await databases.For(dialect).BeginAsync();

        Assert.True(await work.TryRecordInboxAsync(messageId, "ConsumerA"));
        Assert.True(await work.TryRecordInboxAsync(messageId, "ConsumerB"));
    }

    [Theory]
    [InlineData(SqlDialect.Sqlite)]
    [InlineData(SqlDialect.Postgres)]
    public async Task A_record_rolled_back_with_its_failed_effect_lets_the_redelivery_handle_the_message(SqlDialect dialect)
    {
        var messageId = Guid.NewGuid();
        await using (var failed = await databases.For(dialect).BeginAsync())
            Assert.True(await failed.TryRecordInboxAsync(messageId, "ConsumerA"));

        await using var retry = await databases.For(dialect).BeginAsync();
        Assert.True(await retry.TryRecordInboxAsync(messageId, "ConsumerA"));
    }

    [Fact]
    public async Task On_postgres_ten_concurrent_transactions_recording_one_message_give_one_winner_and_one_effect()
    {
        var database = databases.Postgres;
        var messageId = Guid.NewGuid();
        var effectName = $"effect-{messageId:N}";
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var attempts = Enumerable.Range(0, 10).Select(async _ =>
        {
            await using var work = await database.BeginAsync();
            await start.Task;
            // The losers block on the winner's uncommitted key, then see it and get false.
            if (!await work.TryRecordInboxAsync(messageId, "ConcurrentConsumer")) return false;
            await work.ExecuteAsync("INSERT INTO widgets (id, name, created_at) VALUES (@id, @effectName, @now)",
                new { id = Guid.NewGuid(), effectName, now = DateTimeOffset.UtcNow });
            await work.CommitAsync();
            return true;
        }).ToList();
        start.SetResult();
        var results = await Task.WhenAll(attempts);

        Assert.Single(results, won => won);
        await using var connection = await database.OpenAsync();
        Assert.Equal(1, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM widgets WHERE name = @effectName", new { effectName }));
        Assert.Equal(1, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM inbox_messages WHERE message_id = @messageId", new { messageId }));
    }
}
