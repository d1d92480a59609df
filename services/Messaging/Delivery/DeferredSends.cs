using Microsoft.Extensions.Options;
using Quartz;
using Reminders.Contracts;
using Reminders.Platform.Data;

namespace Reminders.Messaging.Delivery;

public sealed class DeferredSendOptions
{
    public const string Section = "Messaging:Deferred";
    /// <summary>How often held sends whose window has opened are looked for.</summary>
    public int IntervalSeconds { get; set; } = 10;
    /// <summary>Rows released per transaction.</summary>
    public int BatchSize { get; set; } = 500;
}

public sealed record DeferredRound(int Released, int Missed);

/// <summary>
/// Sends that met quiet hours wait in outbound_sms (state deferred) until the window opens in the officer's zone. Each
/// round claims the held rows whose time has come (SKIP LOCKED, so two instances never release the same row) and, in the
/// same transaction: a row whose late window is still open goes back on Messaging's own queue under the same SmsId; one
/// whose late window closed meanwhile is skipped as missed_window and SmsRefused tells the Scheduler and the ledger.
/// </summary>
public sealed class DeferredSends(
    MessagingDatabase database, TimeProvider clock, IOptions<DeferredSendOptions> options,
    ILogger<DeferredSends> logger)
{
    public async Task<DeferredRound> ReleaseDueAsync(CancellationToken ct)
    {
        var (released, missed) = (0, 0);
        while (!ct.IsCancellationRequested)
        {
            var (batchReleased, batchMissed) = await ReleaseBatchAsync(ct);
            (released, missed) = (released + batchReleased, missed + batchMissed);
            if (batchReleased + batchMissed < options.Value.BatchSize) break;
        }
        if (released + missed > 0) logger.LogInformation("Quiet hours over: {Released} held SMS sent on, {Missed} skipped as missed_window", released, missed);
        return new DeferredRound(released, missed);
    }

    async Task<(int Released, int Missed)> ReleaseBatchAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        await using var work = await database.BeginAsync(ct);
        var due = await work.QueryAsync<HeldRow>($"""
            SELECT sms_id, officer_id, purpose, body, requested_at,
                   time_zone, send_by
            FROM outbound_sms WHERE state = 'deferred' AND deferred_until <= @now
            ORDER BY deferred_until LIMIT @BatchSize {work.Dialect.SkipLocked()}
            """, new { now, options.Value.BatchSize }, ct);
        var (released, missed) = (new List<object>(), new List<object>());
        foreach (var row in due)
        {
            if (row.SendBy is { } by && by <= now)
            {
                missed.Add(new { row.SmsId });
                work.Publish(new SmsRefused(row.SmsId, row.OfficerId, row.Purpose, SmsSkipReasons.MissedWindow, now));
                logger.LogWarning("SMS {SmsId} for officer {OfficerId} held by quiet hours: its late window closed at {SendBy:O}; skipped as missed_window",
                    row.SmsId, row.OfficerId, by);
                continue;
            }
            // last_attempt_at moves on so the reconciliation's redrive leaves it to this SendSms for a while.
            released.Add(new { row.SmsId, now });
            work.Send(QueueNames.SendSms, new SendSms(row.SmsId, row.OfficerId, row.Purpose, row.Body, row.RequestedAt, row.TimeZone, row.SendBy));
        }
        await work.ExecuteAsync("""
            UPDATE outbound_sms SET state = 'refused', refusal_reason = 'missed_window' WHERE sms_id = @SmsId AND state = 'deferred'
            """, missed, ct);
        await work.ExecuteAsync("""
            UPDATE outbound_sms SET state = 'retrying', last_attempt_at = @now WHERE sms_id = @SmsId AND state = 'deferred'
            """, released, ct);
        await work.CommitAsync(ct);
        return (released.Count, missed.Count);
    }

    sealed record HeldRow
    {
        public Guid SmsId { get; init; }
        public Guid OfficerId { get; init; }
        public string Purpose { get; init; } = "";
        public string Body { get; init; } = "";
        public DateTimeOffset RequestedAt { get; init; }
        public string? TimeZone { get; init; }
        public DateTimeOffset? SendBy { get; init; }
    }
}

[DisallowConcurrentExecution]
public sealed class ReleaseDeferredSmsJob(DeferredSends deferred) : IJob
{
    public static readonly JobKey Key = new("release-deferred-sms", MessagingService.Name);

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default) => await deferred.ReleaseDueAsync(cancellationToken);
}
