using System.Diagnostics.Metrics;
using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Reminders.Platform.Data;

/// <summary>
/// Commits the small writes of many concurrent callers together (group commit): what arrives while a group commits makes
/// the next group, written in one transaction. A caller returns once its item is committed, as with a transaction of its
/// own, so durability is unchanged; only commits and round trips are shared. A group that fails is written item by item, so
/// one bad item fails alone.
/// </summary>
public abstract class GroupCommit<TItem>(ILogger logger, Histogram<int>? groupSizes) : BackgroundService
{
    const int MaxGroup = 200;
    readonly Channel<Pending> pending = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });

    protected ILogger Logger { get; } = logger;

    /// <summary>Writes <paramref name="group"/> in its order in one transaction, as if each item were written alone.</summary>
    protected abstract Task CommitGroupAsync(IReadOnlyList<TItem> group, CancellationToken ct);

    /// <summary>Returns once <paramref name="item"/> is committed; throws when it could not be.</summary>
    protected async Task SubmitAsync(TItem item, CancellationToken ct)
    {
        var submitted = new Pending(item, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        await pending.Writer.WriteAsync(submitted, ct);
        await submitted.Committed.Task.WaitAsync(ct);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (await pending.Reader.WaitToReadAsync(stoppingToken))
            {
                var group = new List<Pending>();
                while (group.Count < MaxGroup && pending.Reader.TryRead(out var item)) group.Add(item);
                await CommitAsync(group, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            pending.Writer.TryComplete();
            while (pending.Reader.TryRead(out var item)) item.Committed.TrySetCanceled(stoppingToken);
        }
    }

    async Task CommitAsync(IReadOnlyList<Pending> group, CancellationToken ct)
    {
        try
        {
            await CommitGroupAsync([.. group.Select(p => p.Item)], ct);
            groupSizes?.Record(group.Count);
            foreach (var item in group) item.Committed.TrySetResult();
            return;
        }
        catch (Exception ex) when (group.Count > 1 && !ct.IsCancellationRequested)
        {
            Logger.LogWarning(ex, "A group of {Count} writes could not be committed together; committing them one by one", group.Count);
        }
        catch (Exception ex)
        {
            group[0].Committed.TrySetException(ex);
            return;
        }
        foreach (var item in group)
        {
            try
            {
                await CommitGroupAsync([item.Item], ct);
                groupSizes?.Record(1);
                item.Committed.TrySetResult();
            }
            catch (Exception ex)
            {
                item.Committed.TrySetException(ex);
            }
        }
    }

    sealed record Pending(TItem Item, TaskCompletionSource Committed);
}

/// <summary>Statements to run in their order and the events they publish, committed together or not at all.</summary>
/// <param name="LockOrder">
/// The row the statements lock, as text: a group writes in this order, so two transactions that lock several rows never wait
/// on each other in a circle. For a uuid key its lowercase text, whose ordinal order is PostgreSQL's <c>ORDER BY</c> of the uuid.
/// </param>
public sealed record GroupedWrite(IReadOnlyList<(string Sql, object Param)> Statements, IReadOnlyList<object> Published, string LockOrder);

/// <summary>
/// Group commit of plain writes (no reads) on <typeparamref name="TDatabase"/>: each caller's statements and events, many
/// callers in one transaction and three round trips (statements, outbox rows, commit).
/// </summary>
public sealed class GroupedWrites<TDatabase>(TDatabase database, ILogger<GroupedWrites<TDatabase>> logger, IMeterFactory? meters = null)
    : GroupCommit<GroupedWrite>(logger, meters?.Create(Hosting.DatabaseGaugeSampler.MeterName).CreateHistogram<int>(
        "reminders.grouped_writes.batch", "{write}", "Writes committed in one transaction by a service's group commit"))
    where TDatabase : ServiceDatabase
{
    public Task WriteAsync(GroupedWrite write, CancellationToken ct) => SubmitAsync(write, ct);

    protected override async Task CommitGroupAsync(IReadOnlyList<GroupedWrite> group, CancellationToken ct)
    {
        await using var work = await database.BeginAsync(ct);
        var ordered = group.OrderBy(w => w.LockOrder, StringComparer.Ordinal).ToList();
        foreach (var write in ordered) work.PublishAll(write.Published);
        await work.ExecuteAllAsync([.. ordered.SelectMany(w => w.Statements)], ct);
        await work.CommitAsync(ct);
    }
}
