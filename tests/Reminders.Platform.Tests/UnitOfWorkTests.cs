using System.Text.Json;
using Dapper;
using Reminders.Contracts;
using Reminders.Platform.Data;
using Reminders.Platform.Tests.Infrastructure;

namespace Reminders.Platform.Tests;

public sealed class UnitOfWorkTests(MigratedDatabases databases) : IClassFixture<MigratedDatabases>
{
    sealed record OutboxRow
    {
        public Guid MessageId { get; init; }
        public string MessageType { get; init; } = "";
        public string? Destination { get; init; }
        public string Body { get; init; } = "";
    }

    static async Task<long> WidgetsAsync(ServiceDatabase database, Guid id)
    {
        await using var connection = await database.OpenAsync();
        return await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM widgets WHERE id = @id", new { id });
    }

    static async Task<List<OutboxRow>> OutboxAsync(ServiceDatabase database, params Guid[] messageIds)
    {
        await using var connection = await database.OpenAsync();
        var rows = await connection.QueryAsync<OutboxRow>(
            "SELECT message_id AS MessageId, message_type AS MessageType, destination AS Destination, body AS Body FROM outbox_messages");
        return rows.Where(r => messageIds.Contains(r.MessageId)).OrderBy(r => Array.IndexOf(messageIds, r.MessageId)).ToList();
    }

    [Theory]
    [InlineData(SqlDialect.Sqlite)]
    [InlineData(SqlDialect.Postgres)]
    public async Task A_state_change_and_its_outbox_messages_commit_together(SqlDialect dialect)
    {
        var database = databases.For(dialect);
        var widgetId = Guid.NewGuid();
        var enrolled = new OfficerEnrolled(Guid.NewGuid(), Guid.NewGuid(), "officer", DateTimeOffset.UtcNow);
        var contact = new UpdateOfficerContact(enrolled.OfficerId, "+525512345678", DateTimeOffset.UtcNow);

        Guid published, sent;
        await using (var work = await database.BeginAsync())
        {
            await work.ExecuteAsync("INSERT INTO widgets (id, name, created_at) VALUES (@widgetId, 'w', @now)", new { widgetId, now = DateTimeOffset.UtcNow });
            published = work.Publish(enrolled);
            sent = work.Send(QueueNames.UpdateOfficerContact, contact);
            await work.CommitAsync();
        }

        Assert.Equal(1, await WidgetsAsync(database, widgetId));
        var outbox = await OutboxAsync(database, published, sent);
        Assert.Equal(2, outbox.Count);
        Assert.Equal((published, typeof(OfficerEnrolled).FullName, (string?)null), (outbox[0].MessageId, outbox[0].MessageType, outbox[0].Destination));
        Assert.Equal(enrolled, JsonSerializer.Deserialize<OfficerEnrolled>(outbox[0].Body, OutboxJson.Options));
        Assert.Equal((sent, typeof(UpdateOfficerContact).FullName, (string?)QueueNames.UpdateOfficerContact), (outbox[1].MessageId, outbox[1].MessageType, outbox[1].Destination));
        Assert.Equal(contact, JsonSerializer.Deserialize<UpdateOfficerContact>(outbox[1].Body, OutboxJson.Options));
    }

    [Theory]
    [InlineData(SqlDialect.Sqlite)]
    [InlineData(SqlDialect.Postgres)]
    public async Task Disposed_without_commit_neither_the_state_change_nor_the_outbox_message_is_written(SqlDialect dialect)
    {
        var database = databases.For(dialect);
        var widgetId = Guid.NewGuid();

        Guid published;
        await using (var work = await database.BeginAsync())
        {
            await work.ExecuteAsync("INSERT INTO widgets (id, name, created_at) VALUES (@widgetId, 'w', @now)", new { widgetId, now = DateTimeOffset.UtcNow });
            published = work.Publish(new OfficerEnrolled(Guid.NewGuid(), Guid.NewGuid(), "officer", DateTimeOffset.UtcNow));
        }

        Assert.Equal(0, await WidgetsAsync(database, widgetId));
        Assert.Empty(await OutboxAsync(database, published));
    }

    [Theory]
    [InlineData(SqlDialect.Sqlite)]
    [InlineData(SqlDialect.Postgres)]
    public async Task A_failed_statement_rolls_back_the_earlier_state_change_and_writes_no_outbox_row(SqlDialect dialect)
    {
        var database = databases.For(dialect);
        var widgetId = Guid.NewGuid();

        Guid published;
        await using (var work = await database.BeginAsync())
        {
            await work.ExecuteAsync("INSERT INTO widgets (id, name, created_at) VALUES (@widgetId, 'w', @now)", new { widgetId, now = DateTimeOffset.UtcNow });
            published = work.Publish(new OfficerEnrolled(Guid.NewGuid(), Guid.NewGuid(), "officer", DateTimeOffset.UtcNow));
            await Assert.ThrowsAnyAsync<System.Data.Common.DbException>(() =>
                work.ExecuteAsync("INSERT INTO widgets (id, name, created_at) VALUES (@widgetId, 'duplicate', @now)", new { widgetId, now = DateTimeOffset.UtcNow }));
        }

        Assert.Equal(0, await WidgetsAsync(database, widgetId));
        Assert.Empty(await OutboxAsync(database, published));
    }

    [Theory]
    [InlineData(SqlDialect.Sqlite)]
    [InlineData(SqlDialect.Postgres)]
    public async Task Each_outbox_message_gets_its_own_message_id(SqlDialect dialect)
    {
        await using var work = await databases.For(dialect).BeginAsync();
        var message = new OfficerEnrolled(Guid.NewGuid(), Guid.NewGuid(), "officer", DateTimeOffset.UtcNow);

        var ids = Enumerable.Range(0, 5).Select(_ => work.Publish(message)).ToList();
        await work.CommitAsync();

        Assert.Equal(5, ids.Distinct().Count());
        Assert.DoesNotContain(Guid.Empty, ids);
    }
}
