using System.Net.Http.Json;
using System.Text.Json;
using Reminders.Platform.Hosting;

namespace Reminders.Local.Demo;

/// <summary>
/// Runs the study's weeks in seconds: the study clock jumps to the next instant a planned SMS is due, the dispatcher
/// sends what is due, and the timeline waits until Messaging has settled every SMS (accepted and delivered, or failed,
/// or refused) before the next jump. Nothing sleeps through protocol time.
/// </summary>
sealed class StudyTimeline(StudyClock clock, ReminderClient client)
{
    static readonly TimeSpan SettleTimeout = TimeSpan.FromSeconds(90);

    public DateTimeOffset Now => clock.GetUtcNow();

    public void JumpTo(DateTimeOffset instant) => clock.JumpTo(instant);

    /// <summary>
    /// Jumps from one due time to the next until nothing planned is due before <paramref name="until"/>; after each jump
    /// has settled, <paramref name="afterStep"/> may act (officers replying) and is settled too.
    /// </summary>
    public async Task<int> RunUntilAsync(DateTimeOffset until, Func<Task>? afterStep = null)
    {
        var steps = 0;
        while (true)
        {
            await SettleAsync();
            if (afterStep is not null)
            {
                await afterStep();
                await SettleAsync();
            }
            var next = (await DispatchAsync()).GetProperty("nextDueAt");
            if (next.ValueKind == JsonValueKind.Null || next.GetDateTimeOffset() >= until) return steps;
            clock.JumpTo(next.GetDateTimeOffset());
            steps++;
        }
    }

    /// <summary>Something a person does at a given instant of the study (a reply, a roster upload).</summary>
    public sealed record ScriptedStep(DateTimeOffset At, string What, Func<Task> Act);

    /// <summary>
    /// Runs the clock to each step's instant in turn (everything due before it is sent and settled first), acts there and
    /// settles again; returns the clock jumps made.
    /// </summary>
    public async Task<int> RunScriptAsync(IEnumerable<ScriptedStep> script, Func<Task>? afterStep = null)
    {
        var steps = 0;
        foreach (var step in script.OrderBy(s => s.At))
        {
            steps += await RunUntilAsync(step.At, afterStep);
            if (step.At > Now) clock.JumpTo(step.At);
            await step.Act();
            await SettleAsync();
        }
        return steps;
    }

    /// <summary>
    /// Waits until the dispatcher has nothing due, Messaging has settled everything it was given, and the dosage ledger has
    /// folded everything Messaging recorded (acceptances, statuses, refusals, acknowledgments): the next jump may seal
    /// endline snapshots, so nothing already on its way to Attendance may be left behind.
    /// </summary>
    public async Task SettleAsync()
    {
        var deadline = DateTimeOffset.UtcNow + SettleTimeout;
        while (true)
        {
            var dispatch = await DispatchAsync();
            var dispatched = dispatch.GetProperty("counts").EnumerateArray()
                .Where(c => c.GetProperty("status").GetString() == "dispatched").Sum(c => c.GetProperty("count").GetInt64());
            var sms = await client.JsonAsync("messaging", "/api/messaging/sms/summary");
            var known = sms.GetProperty("outbound").EnumerateArray()
                .Where(c => c.GetProperty("purpose").GetString() is "logistics" or "reminder").Sum(c => c.GetProperty("count").GetInt64());
            var messaging = LedgerView.OfMessaging(sms);
            var ledger = LedgerView.OfLedger(await client.JsonAsync("attendance", "/api/attendance/dosage/sms/summary"));
            var settled = dispatch.GetProperty("due").GetInt64() == 0 && known >= dispatched && sms.GetProperty("inFlight").GetInt64() == 0;
            if (settled && messaging == ledger) return;
            if (DateTimeOffset.UtcNow > deadline)
                throw new TimeoutException($"Not settled after {SettleTimeout.TotalSeconds:F0} s: {dispatch.GetProperty("due")} due, {known} of {dispatched} known to Messaging, " +
                                           $"{sms.GetProperty("inFlight")} in flight; Messaging {messaging}, the ledger {ledger}.");
            await Task.Delay(50);
        }
    }

    /// <summary>The SMS facts the dosage ledger folds, counted on Messaging's side and on the ledger's, to compare.</summary>
    sealed record LedgerView(long Accepted, string ByStatus, long Refused, long AcknowledgedReminders)
    {
        public static LedgerView OfMessaging(JsonElement summary)
        {
            var outbound = summary.GetProperty("outbound").EnumerateArray().Select(c => (
                State: c.GetProperty("state").GetString(), Status: c.GetProperty("status").GetString(), Count: c.GetProperty("count").GetInt64())).ToList();
            // Only an accepted SMS or one that failed before acceptance has a provider status in the ledger.
            var byStatus = outbound.Where(c => c.Status is not null && c.State is "accepted" or "failed")
                .GroupBy(c => c.Status!).Select(g => (g.Key, g.Sum(c => c.Count)));
            return new LedgerView(outbound.Where(c => c.State == "accepted").Sum(c => c.Count), Format(byStatus),
                outbound.Where(c => c.State == "refused").Sum(c => c.Count), summary.GetProperty("acknowledgedReminders").GetInt64());
        }

        public static LedgerView OfLedger(JsonElement summary) => new(summary.GetProperty("accepted").GetInt64(),
            Format(summary.GetProperty("byStatus").EnumerateArray().Select(c => (c.GetProperty("status").GetString()!, c.GetProperty("count").GetInt64()))),
            summary.GetProperty("refused").GetInt64(), summary.GetProperty("acknowledgedReminders").GetInt64());

        static string Format(IEnumerable<(string Status, long Count)> counts) =>
            string.Join(", ", counts.OrderBy(c => c.Status, StringComparer.Ordinal).Select(c => $"{c.Status} {c.Count}"));
    }

    public async Task<JsonElement> DispatchAsync()
    {
        using var manager = client.ManagerHttp();
        return await manager.GetFromJsonAsync<JsonElement>("/api/scheduler/dispatch");
    }
}
