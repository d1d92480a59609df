using System.Collections.Concurrent;

namespace Reminders.ProviderSimulator.Log;

/// <summary>
/// The ground truth of what reached a phone: every accepted message and its current status.
/// A singleton; an in-process host can read it directly.
/// </summary>
public sealed class SimulatorLog
{
    private readonly Lock gate = new();
    private readonly List<SimulatedMessage> messages = [];
    private readonly Dictionary<string, int> indexBySid = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<int>> indexesByTo = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> statusCounts = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> rejections = new(StringComparer.Ordinal);
    private readonly List<SimulatedRequest> requests = [];
    private long callbacksDelivered;
    private long callbacksRefused;
    private long callbacksFailed;
    private long callbackRetries;
    private long replies;

    public int Count
    {
        get
        {
            lock (gate)
            {
                return messages.Count;
            }
        }
    }

    public SimulatedMessage? Find(string sid)
    {
        lock (gate)
        {
            return indexBySid.TryGetValue(sid, out var i) ? messages[i] : null;
        }
    }

    /// <summary>Accepted messages in acceptance order, optionally only those to one number.</summary>
    public IReadOnlyList<SimulatedMessage> Snapshot(string? to = null)
    {
        lock (gate)
        {
            if (to is null)
            {
                return messages.ToArray();
            }
            return indexesByTo.TryGetValue(to, out var indexes) ? indexes.Select(i => messages[i]).ToArray() : [];
        }
    }

    /// <summary>
    /// Every request to create a message as it arrived, accepted or refused: the client's own pace, which the simulator's rate
    /// limiter cannot hide (the accepted messages never exceed the limit whatever the client does).
    /// </summary>
    public IReadOnlyList<SimulatedRequest> Requests(string? from = null)
    {
        lock (gate)
        {
            return from is null ? requests.ToArray() : requests.Where(r => r.From == from).ToArray();
        }
    }

    internal void RecordRequest(SimulatedRequest request)
    {
        lock (gate)
        {
            requests.Add(request);
        }
    }

    public SimulatorStats Stats()
    {
        lock (gate)
        {
            var rejected = new SortedDictionary<string, long>(rejections, StringComparer.Ordinal);
            return new SimulatorStats(
                messages.Count,
                rejected.Values.Sum(),
                rejected,
                new SortedDictionary<string, int>(statusCounts, StringComparer.Ordinal),
                new CallbackStats(
                    Interlocked.Read(ref callbacksDelivered),
                    Interlocked.Read(ref callbacksRefused),
                    Interlocked.Read(ref callbacksFailed),
                    Interlocked.Read(ref callbackRetries)),
                Interlocked.Read(ref replies));
        }
    }

    /// <summary>Forgets every message and counter (for tests).</summary>
    public void Reset()
    {
        lock (gate)
        {
            messages.Clear();
            requests.Clear();
            indexBySid.Clear();
            indexesByTo.Clear();
            statusCounts.Clear();
            rejections.Clear();
            Interlocked.Exchange(ref callbacksDelivered, 0);
            Interlocked.Exchange(ref callbacksRefused, 0);
            Interlocked.Exchange(ref callbacksFailed, 0);
            Interlocked.Exchange(ref callbackRetries, 0);
            Interlocked.Exchange(ref replies, 0);
        }
    }

    internal void Add(SimulatedMessage message)
    {
        lock (gate)
        {
            var index = messages.Count;
            messages.Add(message);
            indexBySid.Add(message.Sid, index);
            if (!indexesByTo.TryGetValue(message.To, out var indexes))
            {
                indexesByTo[message.To] = indexes = [];
            }
            indexes.Add(index);
            CountStatus(message.Status, +1);
        }
    }

    /// <summary>Applies a change to a message; null when it is no longer in the log (reset).</summary>
    internal SimulatedMessage? Update(string sid, Func<SimulatedMessage, SimulatedMessage> change)
    {
        lock (gate)
        {
            if (!indexBySid.TryGetValue(sid, out var index))
            {
                return null;
            }
            var before = messages[index];
            var after = change(before);
            messages[index] = after;
            CountStatus(before.Status, -1);
            CountStatus(after.Status, +1);
            return after;
        }
    }

    /// <summary>The most recent message to a number, if any.</summary>
    internal SimulatedMessage? LatestTo(string to)
    {
        lock (gate)
        {
            return indexesByTo.TryGetValue(to, out var indexes) && indexes.Count > 0 ? messages[indexes[^1]] : null;
        }
    }

    /// <summary>One page, newest first, of the messages that pass the filter.</summary>
    internal MessagePage Query(MessageFilter filter, int pageSize, PageCursor cursor)
    {
        lock (gate)
        {
            IReadOnlyList<int> candidates = filter.To is null
                ? new AllIndexes(messages.Count)
                : indexesByTo.TryGetValue(filter.To, out var indexes) ? indexes : [];

            var page = new List<int>(Math.Min(pageSize, 64));
            switch (cursor.Kind)
            {
                case PageCursorKind.Offset:
                    CollectOlder(candidates, candidates.Count, cursor.Offset, pageSize, filter, page);
                    break;
                case PageCursorKind.After when indexBySid.TryGetValue(cursor.Sid!, out var after):
                    CollectOlder(candidates, LowerBound(candidates, after), 0, pageSize, filter, page);
                    break;
                case PageCursorKind.Before when indexBySid.TryGetValue(cursor.Sid!, out var before):
                    for (var p = LowerBound(candidates, before + 1); p < candidates.Count && page.Count < pageSize; p++)
                    {
                        if (filter.Matches(messages[candidates[p]]))
                        {
                            page.Add(p);
                        }
                    }
                    page.Reverse();
                    break;
            }

            var hasOlder = false;
            for (var p = page.Count > 0 ? page[^1] - 1 : -1; p >= 0; p--)
            {
                if (filter.Matches(messages[candidates[p]]))
                {
                    hasOlder = true;
                    break;
                }
            }
            return new MessagePage(page.Select(p => messages[candidates[p]]).ToArray(), hasOlder);
        }
    }

    internal void CountRejection(string reason) => rejections.AddOrUpdate(reason, 1, (_, n) => n + 1);

    internal void CountCallback(CallbackOutcome outcome, int retries)
    {
        Interlocked.Add(ref callbackRetries, retries);
        switch (outcome)
        {
            case CallbackOutcome.Delivered: Interlocked.Increment(ref callbacksDelivered); break;
            case CallbackOutcome.Refused: Interlocked.Increment(ref callbacksRefused); break;
            default: Interlocked.Increment(ref callbacksFailed); break;
        }
    }

    internal void CountReply() => Interlocked.Increment(ref replies);

    private void CollectOlder(IReadOnlyList<int> candidates, int end, int skip, int pageSize, MessageFilter filter, List<int> page)
    {
        for (var p = end - 1; p >= 0 && page.Count < pageSize; p--)
        {
            if (!filter.Matches(messages[candidates[p]]))
            {
                continue;
            }
            if (skip > 0)
            {
                skip--;
                continue;
            }
            page.Add(p);
        }
    }

    private void CountStatus(string status, int delta)
    {
        var n = statusCounts.GetValueOrDefault(status) + delta;
        if (n == 0)
        {
            statusCounts.Remove(status);
        }
        else
        {
            statusCounts[status] = n;
        }
    }

    /// <summary>Position of the first candidate whose message index is at least <paramref name="index"/>.</summary>
    private static int LowerBound(IReadOnlyList<int> candidates, int index)
    {
        int lo = 0, hi = candidates.Count;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (candidates[mid] < index)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }
        return lo;
    }

    private sealed class AllIndexes(int count) : IReadOnlyList<int>
    {
        public int this[int index] => index;

        public int Count => count;

        public IEnumerator<int> GetEnumerator() => Enumerable.Range(0, count).GetEnumerator();

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }
}

internal enum CallbackOutcome { Delivered, Refused, Failed }

/// <summary>Which messages a list returns; the DateSent bounds are [SentFrom, SentBefore).</summary>
internal sealed record MessageFilter(string? To, string? From, DateTimeOffset? SentFrom, DateTimeOffset? SentBefore)
{
    public bool Matches(SimulatedMessage m) =>
        (From is null || string.Equals(m.From, From, StringComparison.Ordinal)) &&
        (To is null || string.Equals(m.To, To, StringComparison.Ordinal)) &&
        (SentFrom is null || m.DateSent >= SentFrom) &&
        (SentBefore is null || m.DateSent < SentBefore);
}

internal enum PageCursorKind { Offset, After, Before }

/// <summary>Where a page starts: an offset into the newest-first list, or just after/before a message (Twilio's PageToken).</summary>
internal readonly record struct PageCursor(PageCursorKind Kind, int Offset, string? Sid)
{
    public static PageCursor AtOffset(int offset) => new(PageCursorKind.Offset, offset, null);
}

internal sealed record MessagePage(IReadOnlyList<SimulatedMessage> Messages, bool HasOlder);
