using Microsoft.Extensions.Options;
using Reminders.Platform.Data;

namespace Reminders.Messaging.Delivery;

/// <summary>
/// Paces sends so no sender exceeds its messages per second in any one-second window, across every Messaging instance:
/// each send reserves the next slot of the sender free soonest (slots 1/rate apart, kept in the database so all
/// instances share them) and waits for it. System.Threading.RateLimiting is per process, so it cannot do this alone.
/// </summary>
public sealed class SenderPacer(
    [FromKeyedServices(MessagingService.Name)] ServiceDatabase database, IOptions<TwilioOptions> options, TimeProvider clock)
{
    volatile bool sendersRegistered;

    public bool Enabled => options.Value.MessagesPerSecondPerSender > 0;

    /// <summary>Reserves a slot and waits for it; returns the sender to send from.</summary>
    public async Task<string> WaitForSlotAsync(CancellationToken ct)
    {
        var senders = options.Value.SenderKeys;
        if (!Enabled) return senders[0];
        var spacing = TimeSpan.FromSeconds(1 / options.Value.MessagesPerSecondPerSender);
        await using var work = await database.BeginAsync(ct);
        if (!sendersRegistered)
        {
            await work.ExecuteAsync("INSERT INTO sender_pace (sender, next_slot_at) VALUES (@sender, @now) ON CONFLICT (sender) DO NOTHING",
                senders.Select(sender => new { sender, now = clock.GetUtcNow() }), ct);
            sendersRegistered = true;
        }
        var ids = senders.ToArray();
        var next = await work.QuerySingleOrDefaultAsync<SlotRow>($"""
            SELECT sender AS Sender, next_slot_at AS NextSlotAt FROM sender_pace WHERE {work.Dialect.InList("sender", "ids")}
            ORDER BY next_slot_at LIMIT 1 {work.Dialect.ForUpdate()}
            """, new { ids }, ct) ?? throw new InvalidOperationException("No sender to pace.");
        var now = clock.GetUtcNow();
        var slot = next.NextSlotAt > now ? next.NextSlotAt : now;
        await work.ExecuteAsync("UPDATE sender_pace SET next_slot_at = @next WHERE sender = @Sender", new { next = slot + spacing, next.Sender }, ct);
        await work.CommitAsync(ct);
        if (slot > now) await Task.Delay(slot - now, clock, ct);
        return next.Sender;
    }

    sealed record SlotRow
    {
        public string Sender { get; init; } = "";
        public DateTimeOffset NextSlotAt { get; init; }
    }
}
