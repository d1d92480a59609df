using Reminders.Contracts;
using Reminders.Messaging.Delivery;
using Reminders.Platform;
using Reminders.Platform.Data;

namespace Reminders.Messaging.Webhooks;

/// <summary>A status callback as the provider posted it, its signature checked.</summary>
/// <param name="Payload">The posted form, phone numbers masked: kept for review when the SMS is unknown.</param>
public sealed record StatusCallback(Guid SmsId, string Status, string? ProviderSid, int? ErrorCode, string Payload, DateTimeOffset ReceivedAt);

/// <summary>
/// Records status callbacks in groups (<see cref="GroupCommit{TItem}"/>): those that arrive while a group commits make the
/// next one, in one transaction and a few round trips (four for a usual group). Each callback's request is answered only once its
/// group committed, so a callback the provider saw answered is recorded, as when each had its own transaction.
/// </summary>
public sealed class StatusCallbackRecorder(MessagingDatabase database, DeliveryMetrics metrics, ILogger<StatusCallbackRecorder> logger)
    : GroupCommit<StatusCallback>(logger, metrics.CallbackGroups)
{
    /// <summary>Returns once the callback is committed; throws when it could not be.</summary>
    public Task RecordAsync(StatusCallback callback, CancellationToken ct) => SubmitAsync(callback, ct);

    /// <summary>
    /// The callbacks in their order of arrival, as if each were recorded alone: the status only moves forward (a late "sent"
    /// after "delivered" is history only), every callback of a known SMS joins its history, one for an unknown SMS is kept for
    /// review, and each move tells the others.
    /// </summary>
    protected override async Task CommitGroupAsync(IReadOnlyList<StatusCallback> callbacks, CancellationToken ct)
    {
        await using var work = await database.BeginAsync(ct);
        var ids = callbacks.Select(c => c.SmsId).Distinct().ToList();
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
                Logger.LogWarning("Status callback {Status} for unknown SMS {SmsId} ({ProviderSid}) kept for review", callback.Status, callback.SmsId, callback.ProviderSid);
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
