using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Reminders.Platform.Data;
using Reminders.Platform.Hosting;

namespace Reminders.Messaging.Delivery;

/// <summary>
/// Paces sends so no sender exceeds its messages per second in any one-second window, across every Messaging instance:
/// each send reserves the next slot of the sender free soonest (slots 1/rate apart, kept in the database so all
/// instances share them) and its request leaves at that instant. System.Threading.RateLimiting is per process, so it cannot do this alone.
/// </summary>
public sealed class SenderPacer(
    MessagingDatabase database, IOptions<TwilioOptions> options, TimeProvider clock)
{
    volatile bool sendersRegistered;

    public bool Enabled => options.Value.MessagesPerSecondPerSender > 0;

    /// <summary>The time between two slots of one sender (zero when pacing is off).</summary>
    public TimeSpan Spacing => Enabled ? TimeSpan.FromSeconds(1 / options.Value.MessagesPerSecondPerSender) : TimeSpan.Zero;

    /// <summary>A sender and the instant it may send.</summary>
    public sealed record Slot(string Sender, DateTimeOffset At);

    /// <summary>Reserves the next slot of the sender free soonest (now, when pacing is off).</summary>
    public async Task<Slot> ReserveAsync(CancellationToken ct)
    {
        var senders = options.Value.SenderKeys;
        if (!Enabled) return new Slot(senders[0], clock.GetUtcNow());
        var spacing = Spacing;
        await using var work = await database.BeginAsync(ct);
        if (!sendersRegistered)
        {
            await work.ExecuteAsync("INSERT INTO sender_pace (sender, next_slot_at) VALUES (@sender, @now) ON CONFLICT (sender) DO NOTHING",
                senders.Select(sender => new { sender, now = clock.GetUtcNow() }), ct);
            sendersRegistered = true;
        }
        var ids = senders.ToArray();
        var next = await work.QuerySingleOrDefaultAsync<SlotRow>($"""
            SELECT sender, next_slot_at FROM sender_pace WHERE {work.Dialect.InList("sender", "ids")}
            ORDER BY next_slot_at LIMIT 1 {work.Dialect.ForUpdate()}
            """, new { ids }, ct) ?? throw new InvalidOperationException("No sender to pace.");
        var now = clock.GetUtcNow();
        var at = next.NextSlotAt > now ? next.NextSlotAt : now;
        await work.ExecuteAsync("UPDATE sender_pace SET next_slot_at = @next WHERE sender = @Sender", new { next = at + spacing, next.Sender }, ct);
        await work.CommitAsync(ct);
        return new Slot(next.Sender, at);
    }

    /// <summary>
    /// Waits for the slot and says whether the request may leave now: true within <see cref="MissedAfter"/> of it; false when the
    /// slot has passed (the claim or a lookup took long, the process stalled). A late request must not go in slots other
    /// requests, of this instance or another, hold: it would land in the same second as theirs and the provider would refuse
    /// one with 429. The caller reserves a new slot instead; the missed one stays unused.
    /// </summary>
    public async Task<bool> WaitAsync(Slot slot, CancellationToken ct)
    {
        var wait = slot.At - clock.GetUtcNow();
        if (wait > TimeSpan.Zero) await Task.Delay(wait, clock, ct);
        if (!Enabled) return true;
        // Lateness is real time: a study clock running faster stretches the tolerance in its own time.
        if (clock.GetUtcNow() - slot.At > (clock is StudyClock study ? MissedAfter * study.Speed : MissedAfter)) return false;
        await LeaveRoomInTheProvidersSecondAsync(slot.Sender, ct);
        return true;
    }

    /// <summary>
    /// Then waits for this instance's own departures from the sender to leave room in the sliding second the provider counts:
    /// a request that left a little late must not be followed within one second by the sender's full rate of on-time
    /// requests, or the last is refused with a 429 and its slot is lost (the slots alone allow a few milliseconds over).
    /// </summary>
    async Task LeaveRoomInTheProvidersSecondAsync(string sender, CancellationToken ct)
    {
        var log = departures.GetOrAdd(sender, _ => new Departures((int)Math.Ceiling(options.Value.MessagesPerSecondPerSender)));
        await log.Gate.WaitAsync(ct);
        try
        {
            if (log.Times.Count == log.Capacity)
            {
                // The slots' own span (the rate's worth of slots) when it is wider than the provider's second.
                var window = Spacing * log.Capacity > ProviderWindow ? Spacing * log.Capacity : ProviderWindow;
                var hold = log.Times.Dequeue() + window - clock.GetUtcNow();
                if (hold > TimeSpan.Zero) await Task.Delay(hold, clock, ct);
            }
            log.Times.Enqueue(clock.GetUtcNow());
        }
        finally
        {
            log.Gate.Release();
        }
    }

    /// <summary>The provider's window, and a little more for the request's way there.</summary>
    static readonly TimeSpan ProviderWindow = TimeSpan.FromSeconds(1) + TimeSpan.FromMilliseconds(3);

    readonly ConcurrentDictionary<string, Departures> departures = new(StringComparer.Ordinal);

    /// <summary>The last <see cref="Capacity"/> departures of one sender from this instance, oldest first.</summary>
    sealed class Departures(int capacity)
    {
        public int Capacity { get; } = Math.Max(1, capacity);
        public Queue<DateTimeOffset> Times { get; } = new(Math.Max(1, capacity));
        public SemaphoreSlim Gate { get; } = new(1, 1);
    }

    /// <summary>
    /// How late after its slot a request may still leave: the jitter of a timer and a thread under load. Any rate stays
    /// under the provider's within a 5 % margin (r × 1.025 requests at most in a second); far less, and at hundreds a
    /// second nearly every request would miss its slot and queue for another.
    /// </summary>
    public static readonly TimeSpan MissedAfter = TimeSpan.FromMilliseconds(25);

    /// <summary>After this many missed slots a request leaves anyway: a process that lags behind every slot must still send.</summary>
    public const int MaxMissedSlots = 3;

    sealed record SlotRow
    {
        public string Sender { get; init; } = "";
        public DateTimeOffset NextSlotAt { get; init; }
    }
}
