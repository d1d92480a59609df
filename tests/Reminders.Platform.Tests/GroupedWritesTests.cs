using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Reminders.Contracts;
using Reminders.Platform.Data;
using Reminders.Platform.Tests.Infrastructure;

namespace Reminders.Platform.Tests;

/// <summary>
/// <see cref="GroupedWrites{TDatabase}"/> (the group commit Messaging records its sends with) on both databases: writes that
/// arrive while the database is busy commit together, each caller returns only once its own write is committed, and a write
/// that fails fails alone while the rest of its group commit.
/// </summary>
public sealed class GroupedWritesTests(MigratedDatabases databases) : IClassFixture<MigratedDatabases>
{
    [Theory]
    [InlineData(SqlDialect.Sqlite)]
    [InlineData(SqlDialect.Postgres)]
    public async Task Writes_that_arrive_together_commit_together_and_none_returns_before_its_commit(SqlDialect dialect)
    {
        var database = databases.For(dialect);
        await using var writes = await StartAsync(database);
        var ids = Enumerable.Range(0, 20).Select(_ => Guid.NewGuid()).ToList();

        var release = await HoldWidgetsAsync(database);
        var submitted = ids.Select(id => writes.WriteAsync(WidgetWrite(id), CancellationToken.None)).ToList();
        await Task.Delay(300);
        Assert.All(submitted, write => Assert.False(write.IsCompleted, "a write returned before it could be committed"));
        await release();
        await Task.WhenAll(submitted);

        Assert.Equal(20L, await CountAsync(database, "widgets", ids));
        // Rows committed in one transaction share its outbox time: fewer times than writes means they were grouped.
        var commits = await CommitTimesAsync(database, ids);
        Assert.InRange(commits, 1, 19);
    }

    [Theory]
    [InlineData(SqlDialect.Sqlite)]
    [InlineData(SqlDialect.Postgres)]
    public async Task A_write_that_fails_fails_alone_and_the_rest_of_its_group_commit(SqlDialect dialect)
    {
        var database = databases.For(dialect);
        await using var writes = await StartAsync(database);
        var existing = Guid.NewGuid();
        await writes.WriteAsync(WidgetWrite(existing), CancellationToken.None);
        var fresh = Enumerable.Range(0, 5).Select(_ => Guid.NewGuid()).ToList();

        var release = await HoldWidgetsAsync(database);
        var good = fresh.Select(id => writes.WriteAsync(WidgetWrite(id), CancellationToken.None)).ToList();
        var duplicate = writes.WriteAsync(WidgetWrite(existing), CancellationToken.None);
        await release();

        await Task.WhenAll(good);
        await Assert.ThrowsAnyAsync<Exception>(() => duplicate);
        Assert.Equal(5L, await CountAsync(database, "widgets", fresh));
        Assert.Equal(1L, await CountAsync(database, "outbox", [existing]));
        Assert.Equal(5L, await CountAsync(database, "outbox", fresh));
    }

    [Theory]
    [InlineData(SqlDialect.Sqlite)]
    [InlineData(SqlDialect.Postgres)]
    public async Task Statements_longer_than_one_command_run_in_their_order_in_one_transaction(SqlDialect dialect)
    {
        var database = databases.For(dialect);
        var ids = Enumerable.Range(0, 300).Select(_ => Guid.NewGuid()).ToList();
        // Each insert is later renamed by a statement far down the list, past several commands' worth of text.
        var padding = new string(' ', 200);
        var statements = ids.Select(id => ($"INSERT INTO widgets (id, name, created_at) VALUES (@id, 'first', @now){padding}", (object)new { id, now = DateTimeOffset.UtcNow }))
            .Concat(ids.Select(id => ("UPDATE widgets SET name = 'second' WHERE id = @id AND name = 'first'", (object)new { id })))
            .ToList();
        Assert.True(statements.Sum(st => st.Item1.Length) > 3 * UnitOfWork.MaxCommandChars);

        await using (var rolledBack = await database.BeginAsync())
            await rolledBack.ExecuteAllAsync(statements);
        Assert.Equal(0L, await CountAsync(database, "widgets", ids));

        await using (var work = await database.BeginAsync())
        {
            await work.ExecuteAllAsync(statements);
            await work.CommitAsync();
        }
        await using var connection = await database.OpenAsync();
        var names = await connection.QueryAsync<string>($"SELECT name FROM widgets WHERE {database.Dialect.InList("id", "ids")}",
            new { ids = database.Dialect.UuidList(ids) });
        Assert.Equal(Enumerable.Repeat("second", ids.Count), names);
    }

    static GroupedWrite WidgetWrite(Guid id) =>
        new([("INSERT INTO widgets (id, name, created_at) VALUES (@id, 'grouped', @now)", new { id, now = DateTimeOffset.UtcNow })],
            [new SmsRefused(id, id, SmsPurposes.Manual, "grouped", DateTimeOffset.UtcNow)], id.ToString());

    static async Task<TestWrites> StartAsync(ServiceDatabase database)
    {
        var writes = new TestWrites(new GroupedWrites<ServiceDatabase>(database, NullLogger<GroupedWrites<ServiceDatabase>>.Instance));
        await writes.Inner.StartAsync(CancellationToken.None);
        return writes;
    }

    /// <summary>Another transaction holds the widgets (SQLite: the database's write lock) until released.</summary>
    static async Task<Func<Task>> HoldWidgetsAsync(ServiceDatabase database)
    {
        var held = await database.BeginAsync();
        if (database.Dialect == SqlDialect.Postgres) await held.ExecuteAsync("LOCK TABLE widgets IN EXCLUSIVE MODE");
        return async () => await held.DisposeAsync();
    }

    static async Task<long> CountAsync(ServiceDatabase database, string what, IReadOnlyCollection<Guid> ids)
    {
        await using var connection = await database.OpenAsync();
        var sql = what == "widgets"
            ? $"SELECT COUNT(*) FROM widgets WHERE {database.Dialect.InList("id", "ids")}"
            : $"SELECT COUNT(*) FROM outbox_messages WHERE {string.Join(" OR ", ids.Select((_, i) => $"body LIKE @p{i}"))}";
        var parameters = new DynamicParameters(new { ids = database.Dialect.UuidList(ids) });
        foreach (var (id, i) in ids.Select((id, i) => (id, i))) parameters.Add($"p{i}", $"%{id}%");
        return await connection.ExecuteScalarAsync<long>(sql, parameters);
    }

    static async Task<int> CommitTimesAsync(ServiceDatabase database, IReadOnlyList<Guid> ids)
    {
        await using var connection = await database.OpenAsync();
        var rows = await connection.QueryAsync<(string Body, DateTimeOffset CreatedAt)>("SELECT body, created_at FROM outbox_messages");
        return rows.Where(r => ids.Any(id => r.Body.Contains(id.ToString()))).Select(r => r.CreatedAt).Distinct().Count();
    }

    sealed class TestWrites(GroupedWrites<ServiceDatabase> inner) : IAsyncDisposable
    {
        public GroupedWrites<ServiceDatabase> Inner { get; } = inner;
        public Task WriteAsync(GroupedWrite write, CancellationToken ct) => Inner.WriteAsync(write, ct);
        public async ValueTask DisposeAsync()
        {
            await Inner.StopAsync(CancellationToken.None);
            Inner.Dispose();
        }
    }
}
