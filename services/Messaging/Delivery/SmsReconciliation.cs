using MassTransit;
using Microsoft.Extensions.Options;
using Quartz;
using Reminders.Contracts;
using Reminders.Platform;
using Reminders.Platform.Data;
using Reminders.Protocol;

namespace Reminders.Messaging.Delivery;

public sealed class ReconciliationOptions
{
    public const string Section = "Messaging:Reconciliation";
    public int IntervalSeconds { get; set; } = 60;
    /// <summary>An accepted SMS with no final status after this long is looked up at the provider.</summary>
    public int ReceiptOverdueMinutes { get; set; } = 15;
    /// <summary>
    /// Receipts are looked up for this long after acceptance, then no more: for carriers that send no delivery
    /// receipt, "sent" is as far as the status goes.
    /// </summary>
    public int ReceiptCheckHours { get; set; } = 72;
    /// <summary>A send that made no progress for this long (its bus retries ran out) is put back on the queue.</summary>
    public int StuckMinutes { get; set; } = 10;
    /// <summary>After this many provider attempts a send is given up as failed (retries_exhausted).</summary>
    public int MaxAttempts { get; set; } = 12;
    /// <summary>A send still not accepted this long after it was requested is given up as failed (expired).</summary>
    public int MaxAgeHours { get; set; } = 24;
    public int BatchSize { get; set; } = 200;
}

public sealed record ReconciliationRound(int Reconciled, int Redriven, int GivenUp);

/// <summary>
/// What the bus and the provider's callbacks can leave undone. Receipts that never came: the provider is asked for the
/// final status, recorded like a callback (it only moves forward). Sends that stalled after their bus retries ran out:
/// put back on the queue under the same id (Messaging sends once per id, and a send in doubt is looked up first), or
/// given up as failed, with the reason, after too many attempts or too long.
/// </summary>
public sealed class SmsReconciliation(
    MessagingDatabase database, TwilioSmsSender sender, InDoubtLookup lookup, ProviderCredentials credentials,
    StudyProtocol protocol, TimeProvider clock, IOptions<ReconciliationOptions> options, ILogger<SmsReconciliation> logger)
{
    public async Task<ReconciliationRound> RunAsync(CancellationToken ct)
    {
        var reconciled = await ReconcileReceiptsAsync(ct);
        // While the provider refuses the credentials, no send is re-queued or given up: none is at fault (the credentials are tried again here too).
        var (redriven, givenUp) = await credentials.StillPausedAsync() ? (0, 0) : await RedriveStalledAsync(ct);
        if (reconciled + redriven + givenUp > 0)
            logger.LogInformation("Reconciliation: {Reconciled} receipts from the provider, {Redriven} sends re-queued, {GivenUp} given up", reconciled, redriven, givenUp);
        return new ReconciliationRound(reconciled, redriven, givenUp);
    }

    async Task<int> ReconcileReceiptsAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        List<OverdueRow> overdue;
        await using (var read = await database.BeginAsync(ct))
            // Not final yet: any status below the final rank (canceled, read and partially_delivered are final too).
            overdue = [.. await read.QueryAsync<OverdueRow>($"""
                SELECT sms_id, officer_id, purpose, provider_sid, status FROM outbound_sms
                WHERE state = 'accepted' AND provider_sid IS NOT NULL AND {SmsStatuses.RankSql("status")} < @final
                  AND accepted_at <= @overdueBefore AND accepted_at > @checkedSince
                  AND (receipt_checked_at IS NULL OR receipt_checked_at <= @overdueBefore)
                ORDER BY COALESCE(receipt_checked_at, accepted_at) LIMIT @BatchSize
                """, new
                {
                    overdueBefore = now.AddMinutes(-options.Value.ReceiptOverdueMinutes),
                    final = SmsStatuses.Rank("delivered"),
                    checkedSince = now.AddHours(-options.Value.ReceiptCheckHours),
                    options.Value.BatchSize,
                }, ct)];
        var changed = 0;
        foreach (var row in overdue)
        {
            var fetched = await sender.FetchStatusAsync(row.ProviderSid);
            await using var work = await database.BeginAsync(ct);
            // Checked, whatever the answer: the next round starts with the ones asked about longest ago.
            await work.ExecuteAsync("UPDATE outbound_sms SET receipt_checked_at = @now WHERE sms_id = @SmsId", new { row.SmsId, now }, ct);
            if (fetched is { } answer && answer.Status != row.Status)
            {
                // The provider's own time of the status when it gives one (never later than now).
                var at = answer.UpdatedAt is { } updated && updated < now ? updated : now;
                await work.ExecuteAsync("""
                    INSERT INTO sms_status_history (sms_id, provider_sid, status, error_code, source, received_at) VALUES (@SmsId, @ProviderSid, @status, @errorCode, 'reconciliation', @now)
                    """, new { row.SmsId, row.ProviderSid, status = answer.Status, errorCode = answer.ErrorCode, now }, ct);
                var current = await work.QuerySingleOrDefaultAsync<string?>($"SELECT status FROM outbound_sms WHERE sms_id = @SmsId {work.Dialect.ForUpdate()}", row, ct);
                if (SmsStatuses.MovesForward(current, answer.Status))
                {
                    await work.ExecuteAsync("""
                        UPDATE outbound_sms SET status = @status, error_code = COALESCE(@errorCode, error_code), status_updated_at = @now WHERE sms_id = @SmsId
                        """, new { row.SmsId, status = answer.Status, errorCode = answer.ErrorCode, now }, ct);
                    work.Publish(new SmsStatusChanged(row.SmsId, row.OfficerId, row.Purpose, answer.Status, answer.ErrorCode, at));
                    changed++;
                }
            }
            await work.CommitAsync(ct);
        }
        return changed;
    }

    async Task<(int Redriven, int GivenUp)> RedriveStalledAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var o = options.Value;
        await using var work = await database.BeginAsync(ct);
        var stalled = await work.QueryAsync<StalledRow>($"""
            SELECT sms_id, officer_id, purpose, body, attempts, requested_at,
                   state, to_phone, last_attempt_at, sending_lease_until AS LeaseUntil, time_zone
            FROM outbound_sms
            WHERE (state IN ('new', 'retrying') AND COALESCE(last_attempt_at, requested_at) <= @stalledBefore)
               OR (state = 'sending' AND sending_lease_until <= @stalledBefore)
            ORDER BY requested_at LIMIT @BatchSize {work.Dialect.SkipLocked()}
            """, new { stalledBefore = now.AddMinutes(-o.StuckMinutes), o.BatchSize }, ct);
        var (redriven, givenUp) = (0, 0);
        foreach (var row in stalled)
        {
            var reason = row.Attempts >= o.MaxAttempts ? "retries_exhausted" : row.RequestedAt <= now.AddHours(-o.MaxAgeHours) ? "expired" : null;
            if (reason is not null)
            {
                // A send in doubt may have reached the officer: ask the provider before calling it failed.
                if (row is { State: "sending", ToPhone: not null, LastAttemptAt: { } since })
                {
                    DoubtResolution resolution;
                    try
                    {
                        resolution = await lookup.ResolveAsync(work, row.SmsId, row.ToPhone, row.Body, since, row.LeaseUntil ?? since + sender.RequestTimeout, ct);
                    }
                    catch (CredentialsRefusedException ex)
                    {
                        // Unanswered is not failed: this one and the rest wait, as every send does while the credentials are refused.
                        credentials.Refused(ex.Code, ex.Message);
                        break;
                    }
                    if (resolution is DoubtResolution.Found found)
                    {
                        await work.WriteAsync(SendSmsConsumer.AcceptedWrite(row.SmsId, row.OfficerId, row.Purpose, found.Message, "lookup", now), ct);
                        continue;
                    }
                    if (resolution is DoubtResolution.Ambiguous ambiguous)
                    {
                        await work.WriteAsync(SendSmsConsumer.AmbiguousWrite(row.SmsId, new SendOutcome.Ambiguous(ambiguous.ProviderSids)), ct);
                        logger.LogError("SMS {SmsId} in doubt: the provider has {Count} messages that could be it ({ProviderSids}); left for a person to resolve",
                            row.SmsId, ambiguous.ProviderSids.Count, string.Join(", ", ambiguous.ProviderSids));
                        continue;
                    }
                }
                await work.ExecuteAsync("""
                    UPDATE outbound_sms SET state = 'failed', status = 'failed', refusal_reason = @reason, status_updated_at = @now, sending_lease_until = NULL WHERE sms_id = @SmsId
                    """, new { row.SmsId, reason, now }, ct);
                work.Publish(new SmsFailed(row.SmsId, row.OfficerId, row.Purpose, null, reason, now));
                logger.LogWarning("SMS {SmsId} given up as failed: {Reason} after {Attempts} attempts since {RequestedAt:O}", row.SmsId, reason, row.Attempts, row.RequestedAt);
                givenUp++;
                continue;
            }
            // Quiet hours: it would only be held; it goes when the window opens.
            if (!protocol.QuietHours.IsInside(now, protocol.ZoneOf(row.TimeZone)) && row.Purpose != SmsPurposes.Reply) continue;
            // A send in doubt keeps the time its request left, so the consumer's lookup finds the provider's copy;
            // its lapsed lease is moved on so the next round does not queue it again meanwhile.
            await work.ExecuteAsync(row.State == "sending"
                ? "UPDATE outbound_sms SET sending_lease_until = @now WHERE sms_id = @SmsId"
                : "UPDATE outbound_sms SET last_attempt_at = @now WHERE sms_id = @SmsId", new { row.SmsId, now }, ct);
            work.Send(QueueNames.SendSms, new SendSms(row.SmsId, row.OfficerId, row.Purpose, row.Body, row.RequestedAt, row.TimeZone));
            redriven++;
        }
        await work.CommitAsync(ct);
        return (redriven, givenUp);
    }

    sealed record OverdueRow
    {
        public Guid SmsId { get; init; }
        public Guid OfficerId { get; init; }
        public string Purpose { get; init; } = "";
        public string ProviderSid { get; init; } = "";
        public string? Status { get; init; }
    }

    sealed record StalledRow
    {
        public Guid SmsId { get; init; }
        public Guid OfficerId { get; init; }
        public string Purpose { get; init; } = "";
        public string Body { get; init; } = "";
        public long Attempts { get; init; }
        public DateTimeOffset RequestedAt { get; init; }
        public string State { get; init; } = "";
        public string? ToPhone { get; init; }
        public DateTimeOffset? LastAttemptAt { get; init; }
        public DateTimeOffset? LeaseUntil { get; init; }
        public string? TimeZone { get; init; }
    }
}

[DisallowConcurrentExecution]
public sealed class ReconcileSmsJob(SmsReconciliation reconciliation) : IJob
{
    public static readonly JobKey Key = new("reconcile-sms", MessagingService.Name);

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default) => await reconciliation.RunAsync(cancellationToken);
}
