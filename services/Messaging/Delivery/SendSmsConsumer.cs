using MassTransit;
using Reminders.Contracts;
using Reminders.Messaging.Webhooks;
using Reminders.Platform;
using Reminders.Platform.Data;
using Reminders.Platform.Logging;
using Reminders.Protocol;

namespace Reminders.Messaging.Delivery;

/// <summary>
/// Sends one SMS per SmsId, whatever the bus redelivers: the outbound_sms row is the idempotency record and
/// the lease that keeps two instances from calling the provider for the same SMS. Guards are checked right
/// before the provider call, by the claim (<see cref="SendClaims"/>); a send in doubt is looked up at the provider before
/// any second attempt.
/// </summary>
public sealed class SendSmsConsumer(
    MessagingDatabase database,
    TwilioSmsSender sender,
    InDoubtLookup lookup,
    GroupedWrites<MessagingDatabase> writes,
    SendClaims claims,
    ProviderCredentials credentials,
    SenderPacer pacer,
    WebhookUrls urls,
    TimeProvider clock,
    StudyProtocol protocol,
    ILogger<SendSmsConsumer> logger) : IConsumer<SendSms>
{
    public async Task Consume(ConsumeContext<SendSms> context)
    {
        var (sms, ct) = (context.Message, context.CancellationToken);
        // The sender's slot is reserved first and the lease covers the wait for it; the request then leaves at the slot
        // itself, not after a database round trip of varying length (which would bunch sends at the provider).
        // Outside the window only a reply goes: one to be held takes no slot (a backlog held at 20:00 would push replies back).
        var mayGoNow = sms.Purpose == SmsPurposes.Reply || protocol.QuietHours.IsInside(clock.GetUtcNow(), protocol.ZoneOf(sms.TimeZone));
        var slot = mayGoNow ? await pacer.ReserveAsync(ct) : null;
        var claim = await claims.ClaimAsync(sms, slot?.At, ct);
        if (claim is null || slot is null) return;
        if (await credentials.StillPausedAsync()) await WaitForCredentialsAsync(sms, claim, requestLeft: false, ct);
        for (var missed = 0; !await pacer.WaitAsync(slot, ct) && missed < SenderPacer.MaxMissedSlots; missed++)
        {
            // The slot passed while the claim was made: a later one, and the lease stretched to cover the wait for it.
            logger.LogDebug("SMS {SmsId} missed its sending slot at {SlotAt:O}; reserving another", sms.SmsId, slot.At);
            slot = await pacer.ReserveAsync(ct);
            await KeepLeaseAsync(sms.SmsId, slot.At, ct);
        }
        var from = slot.Sender;

        SendOutcome outcome;
        var requestLeft = false;
        try
        {
            if (claim.InDoubtSince is { } since)
            {
                var earlier = await LookUpAsync(sms, claim.Phone, since, claim.InDoubtUntil ?? since + sender.RequestTimeout, ct);
                if (earlier is SendOutcome.Accepted found)
                {
                    logger.LogWarning("SMS {SmsId} was in doubt; the provider has it as {ProviderSid}", sms.SmsId, found.ProviderSid);
                    credentials.Worked();
                    await RecordAsync(sms, found, "lookup", ct);
                    return;
                }
                if (earlier is SendOutcome.Ambiguous ambiguous)
                {
                    await RecordAsync(sms, ambiguous, "lookup", ct);
                    return;
                }
            }

            outcome = await sender.SendAsync(claim.Phone, sms.Body, urls.StatusCallback(sms.SmsId), from, claim.ValidFor);
            requestLeft = outcome is SendOutcome.InDoubt;
            if (outcome is SendOutcome.InDoubt doubt && await LookUpAsync(sms, claim.Phone, claim.AttemptStartedAt, clock.GetUtcNow(), ct) is { } resolved)
            {
                if (resolved is SendOutcome.Accepted)
                    logger.LogWarning("SMS {SmsId} to {Phone} was in doubt ({Reason}); the provider has it", sms.SmsId, PhoneMask.Mask(claim.Phone), doubt.Reason);
                outcome = resolved;
            }
        }
        catch (CredentialsRefusedException ex)
        {
            outcome = new SendOutcome.CredentialsRefused(ex.Code, ex.Message);
        }
        if (outcome is SendOutcome.CredentialsRefused refused)
        {
            credentials.Refused(refused.Code, refused.Reason);
            await WaitForCredentialsAsync(sms, claim, requestLeft, ct);
        }
        if (outcome is SendOutcome.Accepted or SendOutcome.Rejected) credentials.Worked();
        await RecordAsync(sms, outcome, "api", ct);
        if (outcome is SendOutcome.NotTaken or SendOutcome.InDoubt)
            throw new SmsNotSentException($"SMS {sms.SmsId} not sent yet: {outcome}");
    }

    /// <summary>Stretches the sending lease over a new slot (as the claim computed it), so no other attempt takes the SMS meanwhile.</summary>
    async Task KeepLeaseAsync(Guid smsId, DateTimeOffset slotAt, CancellationToken ct)
    {
        await using var work = await database.BeginAsync(ct);
        await work.ExecuteAsync("UPDATE outbound_sms SET sending_lease_until = @lease WHERE sms_id = @smsId AND state = 'sending'",
            new { smsId, lease = Max(slotAt, clock.GetUtcNow()) + sender.RequestTimeout + TimeSpan.FromSeconds(5) }, ct);
        await work.CommitAsync(ct);
    }

    static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    /// <summary>The provider's message this send in doubt became, Ambiguous when more than one could be it, or null when none.</summary>
    async Task<SendOutcome?> LookUpAsync(SendSms sms, string phone, DateTimeOffset requestLeft, DateTimeOffset answeredBy, CancellationToken ct)
    {
        await using var work = await database.BeginAsync(ct);
        return await lookup.ResolveAsync(work, sms.SmsId, phone, sms.Body, requestLeft, answeredBy, ct) switch
        {
            DoubtResolution.Found found => found.Message,
            DoubtResolution.Ambiguous ambiguous => new SendOutcome.Ambiguous(ambiguous.ProviderSids),
            _ => null,
        };
    }

    /// <summary>
    /// Sending is paused for the provider's refusal of the credentials: the claim is handed back as if never made (not an
    /// attempt, and a send in doubt stays in doubt since its own time), and the bus retries later. A request that left
    /// before the lookup was refused is an attempt in doubt like any other.
    /// </summary>
    async Task WaitForCredentialsAsync(SendSms sms, SendClaim claim, bool requestLeft, CancellationToken ct)
    {
        await using var work = await database.BeginAsync(ct);
        await work.ExecuteAsync((requestLeft, claim.InDoubtSince) switch
        {
            (true, _) => "UPDATE outbound_sms SET sending_lease_until = @now WHERE sms_id = @SmsId",
            (_, null) => "UPDATE outbound_sms SET state = 'retrying', attempts = attempts - 1, sending_lease_until = NULL WHERE sms_id = @SmsId",
            _ => "UPDATE outbound_sms SET attempts = attempts - 1, sending_lease_until = @now, last_attempt_at = @InDoubtSince WHERE sms_id = @SmsId",
        }, new { sms.SmsId, claim.InDoubtSince, now = clock.GetUtcNow() }, ct);
        await work.CommitAsync(ct);
        throw new SmsNotSentException($"SMS {sms.SmsId} waits: sending is paused until the provider accepts the credentials.");
    }

    /// <summary>
    /// Records the outcome. Many sends record theirs in one transaction (a group commit of <see cref="GroupedWrites{TDatabase}"/>):
    /// this returns once this one is committed, as with a transaction of its own.
    /// </summary>
    Task RecordAsync(SendSms sms, SendOutcome outcome, string source, CancellationToken ct) =>
        writes.WriteAsync(OutcomeWrite(sms, outcome, source, clock.GetUtcNow()), ct);

    GroupedWrite OutcomeWrite(SendSms sms, SendOutcome outcome, string source, DateTimeOffset now)
    {
        switch (outcome)
        {
            case SendOutcome.Accepted accepted:
                return AcceptedWrite(sms.SmsId, sms.OfficerId, sms.Purpose, accepted, source, now);
            case SendOutcome.Rejected rejected:
                logger.LogWarning("SMS {SmsId} refused by the provider for good, error {Code}: {Reason}", sms.SmsId, rejected.Code, rejected.Reason);
                return new GroupedWrite([("""
                    UPDATE outbound_sms SET state = 'failed', error_code = @Code, status = 'failed', status_updated_at = @now, sending_lease_until = NULL
                    WHERE sms_id = @SmsId
                    """, new { sms.SmsId, rejected.Code, now })],
                    [
                        new SmsFailed(sms.SmsId, sms.OfficerId, sms.Purpose, rejected.Code, rejected.Reason, now),
                        // The provider's verdict on the officer, not only on this SMS: Enrollment records it and nothing more is sent.
                        .. TwilioErrorCodes.AboutTheNumber(rejected.Code) ? [new SmsNumberRejected(sms.OfficerId, sms.SmsId, rejected.Code, now)] : Array.Empty<object>(),
                    ], LockOrder(sms.SmsId));
            case SendOutcome.NotTaken notTaken:
                logger.LogWarning("SMS {SmsId} not taken by the provider, error {Code}: {Reason}; retried", sms.SmsId, notTaken.Code, notTaken.Reason);
                return new GroupedWrite([("UPDATE outbound_sms SET state = 'retrying', sending_lease_until = NULL WHERE sms_id = @SmsId", new { sms.SmsId })],
                    [], LockOrder(sms.SmsId));
            case SendOutcome.Ambiguous ambiguous:
                logger.LogError("SMS {SmsId} in doubt: the provider has {Count} messages that could be it ({ProviderSids}); not guessed, never sent again automatically, left for a person to resolve",
                    sms.SmsId, ambiguous.ProviderSids.Count, string.Join(", ", ambiguous.ProviderSids));
                return AmbiguousWrite(sms.SmsId, ambiguous);
            case SendOutcome.InDoubt doubt:
                logger.LogWarning("SMS {SmsId} in doubt and not found at the provider ({Reason}); looked up again before any retry", sms.SmsId, doubt.Reason);
                // Keep the lease: the next attempt looks the message up before sending again.
                return new GroupedWrite([("UPDATE outbound_sms SET sending_lease_until = @now WHERE sms_id = @SmsId", new { sms.SmsId, now })],
                    [], LockOrder(sms.SmsId));
            default:
                throw new InvalidOperationException($"SMS {sms.SmsId}: no record for the outcome {outcome}.");
        }
    }

    static string LockOrder(Guid smsId) => smsId.ToString();

    /// <summary>A send in doubt that more than one provider message could be.</summary>
    public static GroupedWrite AmbiguousWrite(Guid smsId, SendOutcome.Ambiguous ambiguous) =>
        new([("""
            UPDATE outbound_sms SET state = 'in_doubt_ambiguous', in_doubt_candidates = @candidates, sending_lease_until = NULL WHERE sms_id = @smsId
            """, new { smsId, candidates = string.Join(',', ambiguous.ProviderSids) })], [], LockOrder(smsId));

    /// <summary>
    /// The provider has the SMS (answered, or found by a lookup after a send in doubt): state, history and SmsAccepted. A
    /// status callback may already have moved the status on; it is never moved back.
    /// </summary>
    public static GroupedWrite AcceptedWrite(Guid smsId, Guid officerId, string purpose, SendOutcome.Accepted accepted, string source, DateTimeOffset now) =>
        new([($"""
            UPDATE outbound_sms SET state = 'accepted', provider_sid = @ProviderSid, segments = @Segments, accepted_at = @now, sending_lease_until = NULL,
                status_updated_at = CASE WHEN {SmsStatuses.MovesForwardSql("status", "@Status", "@rank")} THEN @now ELSE status_updated_at END,
                status = CASE WHEN {SmsStatuses.MovesForwardSql("status", "@Status", "@rank")} THEN @Status ELSE status END
            WHERE sms_id = @smsId;
            INSERT INTO sms_status_history (sms_id, provider_sid, status, source, received_at) VALUES (@smsId, @ProviderSid, @Status, @source, @now)
            """, new { smsId, accepted.ProviderSid, accepted.Segments, accepted.Status, source, now, rank = SmsStatuses.Rank(accepted.Status) })],
            [
                new SmsAccepted(smsId, officerId, purpose, accepted.ProviderSid, accepted.Segments, now),
                // A lookup after a send in doubt can find the SMS already sent or delivered, and the callbacks that said so may never
                // have reached us: tell the others the status too, or the ledger keeps it at queued (a repeat of a callback's is only history there).
                .. SmsStatuses.Rank(accepted.Status) > SmsStatuses.Rank("queued")
                    ? [new SmsStatusChanged(smsId, officerId, purpose, accepted.Status, null, now)] : Array.Empty<object>(),
            ], LockOrder(smsId));
}

/// <summary>The SMS could not be sent yet (transient provider error, send in doubt, another attempt in flight); the bus retries.</summary>
public sealed class SmsNotSentException(string message) : Exception(message);
