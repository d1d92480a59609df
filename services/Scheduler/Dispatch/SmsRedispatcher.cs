using Microsoft.Extensions.Options;
using Reminders.Contracts;
using Reminders.Platform.Data;
using Reminders.Protocol;

namespace Reminders.Scheduler.Dispatch;

/// <param name="Answered">Rows Messaging has answered (accepted, failed, refused...): confirmed, never asked about again.</param>
/// <param name="Redispatched">Rows Messaging never received, sent again under the same id.</param>
/// <param name="Skipped">Rows Messaging never received that can no longer be sent (late window over, cutoff, officer blocked).</param>
/// <param name="Waiting">Rows Messaging holds unsettled (its own reconciliation re-drives those), or never received while the window is closed.</param>
public sealed record RedispatchRound(int Answered, int Redispatched, int Skipped, int Waiting);

/// <summary>
/// No SendSms lost, none unseen: SMS dispatched longer ago than <see cref="DispatchOptions.RedispatchAfterMinutes"/> and not
/// yet answered are looked up at Messaging, one HTTP call per batch (no per-SMS event consumer here). Answered rows are
/// confirmed; rows Messaging never received (the in-memory bus lost the command in a crash, or it ended in an error queue
/// before Messaging recorded it) are sent again under the same SmsId, which Messaging sends at most once. Rows Messaging holds
/// but has not settled are its own reconciliation's to re-drive. When Messaging cannot be asked, nothing is marked.
/// </summary>
public sealed class SmsRedispatcher(
    SchedulerDatabase database, MessagingStates messaging, StudyProtocol protocol, TimeProvider clock,
    IOptions<DispatchOptions> options, ILogger<SmsRedispatcher> logger)
{
    public async Task<RedispatchRound> RunAsync(CancellationToken ct)
    {
        var round = new RedispatchRound(0, 0, 0, 0);
        while (!ct.IsCancellationRequested)
        {
            var (batch, claimed) = await BatchAsync(ct);
            if (batch is null) break;
            round = new RedispatchRound(round.Answered + batch.Answered, round.Redispatched + batch.Redispatched, round.Skipped + batch.Skipped, round.Waiting + batch.Waiting);
            if (claimed < options.Value.BatchSize) break;
        }
        if (round.Redispatched + round.Skipped > 0)
            logger.LogWarning("Re-dispatch: {Redispatched} SMS Messaging never received sent again under the same id, {Skipped} skipped; {Answered} answered, {Waiting} waiting",
                round.Redispatched, round.Skipped, round.Answered, round.Waiting);
        return round;
    }

    /// <summary>One batch; null when Messaging could not be asked (nothing is marked, the next round asks again).</summary>
    async Task<(RedispatchRound? Round, int Claimed)> BatchAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var before = now - TimeSpan.FromMinutes(options.Value.RedispatchAfterMinutes);
        IReadOnlyList<DueSmsDispatcher.DueRow> rows;
        await using (var read = await database.BeginAsync(ct))
            rows = await read.QueryAsync<DueSmsDispatcher.DueRow>($"""
                {DueSmsDispatcher.DueRowSelect}
                WHERE p.status = 'dispatched' AND p.answered_state IS NULL AND COALESCE(p.last_checked_at, p.dispatched_at) <= @before
                ORDER BY p.dispatched_at LIMIT @batchSize
                """, new { before, batchSize = options.Value.BatchSize }, ct);
        if (rows.Count == 0) return (null, 0);

        IReadOnlyDictionary<Guid, SmsState> states;
        try { states = await messaging.ReadAsync(rows.Select(r => r.SmsId).ToList(), ct); }
        catch (MessagingUnavailableException ex)
        {
            logger.LogWarning(ex, "Re-dispatch: Messaging could not be asked about {Count} dispatched SMS; asked again next round", rows.Count);
            return (null, rows.Count);
        }

        var (answered, redispatched, skipped, checkedOnly) = (new List<object>(), new List<object>(), new List<object>(), new List<object>());
        await using var work = await database.BeginAsync(ct);
        foreach (var row in rows)
        {
            if (states.TryGetValue(row.SmsId, out var state))
            {
                if (IsAnswered(state)) answered.Add(new { row.SmsId, state.State, now });
                else checkedOnly.Add(new { row.SmsId, now });
                continue;
            }
            // Never received: the same rules as a first dispatch decide whether it may still go, and when.
            if (DueSmsDispatcher.SkipReason(row, now) is { } reason)
            {
                skipped.Add(new { row.SmsId, reason, now });
                if (row.Kind == PlannedSmsKinds.Reminder) work.Publish(new ReminderSkipped(row.SmsId, row.OfficerId, row.ReminderNumber!.Value, reason, now));
                continue;
            }
            if (!DueSmsDispatcher.MaySendNow(protocol.QuietHours, now, protocol.ZoneOf(row.TimeZone), options.Value.WindowEndMargin))
            {
                checkedOnly.Add(new { row.SmsId, now });
                continue;
            }
            work.Send(QueueNames.SendSms, new SendSms(row.SmsId, row.OfficerId, row.Purpose, row.Body, now, row.TimeZone));
            redispatched.Add(new { row.SmsId, now });
            logger.LogWarning("SMS {SmsId} ({Kind}, officer {OfficerId}) was dispatched but Messaging never received it: sent again under the same id",
                row.SmsId, row.Kind, row.OfficerId);
        }
        await work.ExecuteAsync("""
            UPDATE planned_sms SET answered_state = @State, answered_at = @now, last_checked_at = @now WHERE sms_id = @SmsId AND answered_state IS NULL
            """, answered, ct);
        await work.ExecuteAsync("UPDATE planned_sms SET last_checked_at = @now WHERE sms_id = @SmsId", checkedOnly, ct);
        await work.ExecuteAsync("""
            UPDATE planned_sms SET redispatch_count = redispatch_count + 1, last_redispatched_at = @now, last_checked_at = @now
            WHERE sms_id = @SmsId AND status = 'dispatched'
            """, redispatched, ct);
        await work.ExecuteAsync("""
            UPDATE planned_sms SET status = 'skipped', reason = @reason, closed_at = @now, last_checked_at = @now WHERE sms_id = @SmsId AND status = 'dispatched'
            """, skipped, ct);
        await work.CommitAsync(ct);
        return (new RedispatchRound(answered.Count, redispatched.Count, skipped.Count, checkedOnly.Count), rows.Count);
    }

    /// <summary>Whatever Messaging holds beyond new, sending and retrying is its answer (a state added later, such as one held for quiet hours, included).</summary>
    public static bool IsAnswered(SmsState state) => state.State is not ("new" or "sending" or "retrying");
}
