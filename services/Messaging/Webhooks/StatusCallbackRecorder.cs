using System.Threading.Channels;
using Reminders.Contracts;
using Reminders.Messaging.Delivery;
using Reminders.Platform;
using Reminders.Platform.Data;

namespace Reminders.Messaging.Webhooks;

/// <summary>A status callback as the provider posted it, its signature checked.</summary>
/// <param name="Payload">The posted form, phone numbers masked: kept for review when the SMS is unknown.</param>
public sealed record StatusCallback(Guid SmsId, string Status, string? ProviderSid, int? ErrorCode, string Payload, DateTimeOffset ReceivedAt);

/// <summary>
/// Records status callbacks in groups: those that arrive while a group commits make the next one, in one transaction and
/// four round trips whatever its size. Each callback's request waits for its group's commit before it is answered, so a
/// callback the provider saw answered is recorded, as when each had its own transaction. A group that fails is recorded
/// callback by callback, so one bad callback fails alone.
/// </summary>
public sealed class StatusCallbackRecorder(MessagingDatabase database, DeliveryMetrics metrics, ILogger<StatusCallbackRecorder> logger) : BackgroundService
{
    const int MaxGroup = 200;
    readonly Channel<Pending> pending = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });

    /// <summary>Returns once the callback is committed; throws when it could not be.</summary>
    public async Task RecordAsync(StatusCallback callback, CancellationToken ct)
    {
        var item = new Pending(callback, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        await pending.Writer.WriteAsync(item, ct);
        await item.Recorded.Task.WaitAsync(ct);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (await pending.Reader.WaitToReadAsync(stoppingToken))
            {
                var group = new List<Pending>();
                while (group.Count < MaxGroup && pending.Reader.TryRead(out var item)) group.Add(item);
                await RecordGroupAsync(group, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            pending.Writer.TryComplete();
            while (pending.Reader.TryRead(out var item)) item.Recorded.TrySetCanceled(stoppingToken);
        }
    }

    async Task RecordGroupAsync(IReadOnlyList<Pending> group, CancellationToken ct)
    {
        try
        {
            await RecordAsync([.. group.Select(p => p.Callback)], ct);
            metrics.CallbacksRecorded(group.Count);
            foreach (var item in group) item.Recorded.TrySetResult();
            return;
        }
        catch (Exception ex) when (group.Count > 1 && !ct.IsCancellationRequested)
        {
            logger.LogWarning(ex, "A group of {Count} status callbacks could not be recorded together; recording them one by one", group.Count);
        }
        catch (Exception ex)
        {
            group[0].Recorded.TrySetException(ex);
            return;
        }
        foreach (var item in group)
        {
            try
            {
                await RecordAsync([item.Callback], ct);
                item.Recorded.TrySetResult();
            }
            catch (Exception ex)
            {
                item.Recorded.TrySetException(ex);
            }
        }
    }

    /// <summary>
    /// The callbacks in their order of arrival, as if each were recorded alone: the status only moves forward (a late "sent"
    /// after "delivered" is history only), every callback of a known SMS joins its history, one for an unknown SMS is kept for
    /// review, and each move tells the others.
    /// </summary>
    async Task RecordAsync(IReadOnlyList<StatusCallback> callbacks, CancellationToken ct)
    {
        await using var work = await database.BeginAsync(ct);
        var ids = callbacks.Select(c => c.SmsId).Distinct().Order().ToList();
        // Locked in one order: two groups (or a send recording its acceptance) never wait on each other in a circle.
        var rows = (await work.QueryAsync<SmsRow>($"""
            SELECT sms_id, officer_id, purpose, status FROM outbound_sms WHERE {work.Dialect.InList("sms_id", "ids")} ORDER BY sms_id {work.Dialect.ForUpdate()}
            """, new { ids = work.Dialect.UuidList(ids) }, ct)).ToDictionary(r => r.SmsId);
        var moves = new Dictionary<Guid, SmsMove>();
        var statements = new List<(string, object)>();
        foreach (var callback in callbacks)
        {
            if (!rows.TryGetValue(callback.SmsId, out var row))
            {
                statements.Add(("""
                    INSERT INTO unmatched_callbacks (sms_id, provider_sid, status, payload, received_at) VALUES (@smsId, @providerSid, @status, @payload, @now)
                    """, new { smsId = callback.SmsId.ToString(), providerSid = callback.ProviderSid, status = callback.Status, payload = callback.Payload, now = callback.ReceivedAt }));
                logger.LogWarning("Status callback {Status} for unknown SMS {SmsId} ({ProviderSid}) kept for review", callback.Status, callback.SmsId, callback.ProviderSid);
                continue;
            }
            statements.Add(("""
                INSERT INTO sms_status_history (sms_id, provider_sid, status, error_code, source, received_at) VALUES (@smsId, @providerSid, @status, @errorCode, 'callback', @now)
                """, new { smsId = callback.SmsId, providerSid = callback.ProviderSid, status = callback.Status, errorCode = callback.ErrorCode, now = callback.ReceivedAt }));
            var current = moves.GetValueOrDefault(callback.SmsId)?.Status ?? row.Status;
            if (!SmsStatuses.MovesForward(current, callback.Status)) continue;
            var earlier = moves.GetValueOrDefault(callback.SmsId);
            moves[callback.SmsId] = new SmsMove(callback.Status, callback.ErrorCode ?? earlier?.ErrorCode, earlier?.ProviderSid ?? callback.ProviderSid, callback.ReceivedAt);
            work.Publish(new SmsStatusChanged(callback.SmsId, row.OfficerId, row.Purpose, callback.Status, callback.ErrorCode, callback.ReceivedAt));
        }
        foreach (var (smsId, move) in moves)
            statements.Add(("""
                UPDATE outbound_sms SET status = @status, error_code = COALESCE(@errorCode, error_code), status_updated_at = @now,
                    provider_sid = COALESCE(provider_sid, @providerSid)
                WHERE sms_id = @smsId
                """, new { smsId, status = move.Status, errorCode = move.ErrorCode, now = move.At, providerSid = move.ProviderSid }));
        await work.ExecuteAllAsync(statements, ct);
        await work.CommitAsync(ct);
    }

    sealed record Pending(StatusCallback Callback, TaskCompletionSource Recorded);

    /// <summary>Where one SMS's status moved to within a group: the last move's status and time, with what earlier ones brought.</summary>
    sealed record SmsMove(string Status, int? ErrorCode, string? ProviderSid, DateTimeOffset At);

    sealed record SmsRow
    {
        public Guid SmsId { get; init; }
        public Guid OfficerId { get; init; }
        public string Purpose { get; init; } = "";
        public string? Status { get; init; }
    }
}
