using Dapper;
using MassTransit;
using Microsoft.Extensions.Options;
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
/// before the provider call; a send in doubt is looked up at the provider before any second attempt.
/// </summary>
public sealed class SendSmsConsumer(
    MessagingDatabase database,
    TwilioSmsSender sender,
    InDoubtLookup lookup,
    GroupedWrites<MessagingDatabase> writes,
    ProviderCredentials credentials,
    SenderPacer pacer,
    WebhookUrls urls,
    TimeProvider clock,
    StudyProtocol protocol,
    DeliveryMetrics metrics,
    IOptions<MessagingOptions> options,
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
        var claim = await ClaimAsync(sms, slot?.At, ct);
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
    async Task WaitForCredentialsAsync(SendSms sms, Claim claim, bool requestLeft, CancellationToken ct)
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

    /// <param name="ValidFor">How long the provider may queue it: never into quiet hours (null: the provider's default).</param>
    /// <param name="InDoubtSince">When the earlier request in doubt left; <paramref name="InDoubtUntil"/> when it was answered (or its lease ran out).</param>
    sealed record Claim(string Phone, DateTimeOffset AttemptStartedAt, DateTimeOffset? InDoubtSince, DateTimeOffset? InDoubtUntil, TimeSpan? ValidFor);

    /// <summary>
    /// Checks the guards and takes the lease, or returns null when there is nothing (more) to do: sent, refused, or held
    /// until quiet hours end.
    /// </summary>
    /// <param name="sendAt">The sender's slot; null when none was reserved because the SMS may not go now.</param>
    async Task<Claim?> ClaimAsync(SendSms sms, DateTimeOffset? sendAt, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        // Quiet hours and the late window are judged at the instant the request would leave (the sender's slot), not now.
        var at = sendAt > now ? sendAt.Value : now;
        var lease = at + sender.RequestTimeout + TimeSpan.FromSeconds(5);
        await using var work = await database.BeginAsync(ct);
        // Insert or touch, and read back, in one statement: the upsert locks the row, so two deliveries of the same SmsId
        // serialize on it (the no-op update is what makes PostgreSQL return and lock an existing row). Every guard's input
        // comes in the same round trip: the officer's phone, arm of randomization (never the current sector's), consent and
        // study status (replicas of Enrollment's).
        var measure = SmsEncoding.Measure(sms.Body);
        OutboundRow row;
        GuardRow guard;
        await using (var results = await work.Connection.QueryMultipleAsync(new CommandDefinition("""
            INSERT INTO outbound_sms (sms_id, officer_id, purpose, body, state, requested_at, encoding, computed_segments, time_zone, send_by)
            VALUES (@SmsId, @OfficerId, @Purpose, @Body, 'new', @now, @encoding, @segments, @TimeZone, @SendBy)
            ON CONFLICT (sms_id) DO UPDATE SET state = outbound_sms.state, send_by = COALESCE(outbound_sms.send_by, excluded.send_by)
            RETURNING state, sending_lease_until AS LeaseUntil, last_attempt_at, deferred_until, send_by;
            SELECT (SELECT phone_e164 FROM contacts WHERE officer_id = @OfficerId) AS Phone,
                   (SELECT arm FROM officer_arms WHERE officer_id = @OfficerId) AS Arm,
                   (SELECT consent FROM officer_consents WHERE officer_id = @OfficerId) AS Consent,
                   (SELECT a.arm FROM officers s JOIN sector_arms a ON a.sector_id = s.sector_id WHERE s.officer_id = @OfficerId) AS CurrentSectorArm,
                   (SELECT status FROM officer_statuses WHERE officer_id = @OfficerId) AS Status
            """, new { sms.SmsId, sms.OfficerId, sms.Purpose, sms.Body, sms.TimeZone, sms.SendBy, now, encoding = measure.Encoding == SmsEncodingKind.Gsm7 ? "GSM-7" : "UCS-2", segments = measure.Segments },
            work.Transaction, cancellationToken: ct)))
        {
            row = await results.ReadSingleAsync<OutboundRow>();
            guard = await results.ReadSingleAsync<GuardRow>();
        }
        // A send in doubt that a person must resolve is never sent again automatically.
        if (row is { State: "accepted" or "failed" or "refused" or "in_doubt_ambiguous" }) return null;
        // Held for quiet hours: a redelivery before the window opens changes nothing (the release sends it on).
        if (row is { State: "deferred" } && row.DeferredUntil > at) return null;
        if (row is { State: "sending" } && row.LeaseUntil > now)
            throw new SmsNotSentException($"SMS {sms.SmsId} is being sent by another attempt until {row.LeaseUntil:O}.");

        var status = guard.Status ?? OfficerStatuses.Active;
        var reply = sms.Purpose == SmsPurposes.Reply;
        var refusal = guard switch
        {
            { Arm: not null and not StudyArms.Treatment } => SmsSkipReasons.ArmMismatch,
            { Consent: false } => SmsSkipReasons.NoConsent,
            // Moved to a sector of the other arm, and the protocol stops their SMS then (an answer to their own message still goes).
            { CurrentSectorArm: { } current } when !reply && current != guard.Arm && guard.Arm is not null
                && protocol.Transfers.CrossArm == CrossArmTransfer.Stop => SmsSkipReasons.TransferredCrossArm,
            _ when reply && status is OfficerStatuses.Active or OfficerStatuses.SmsOptedOut => null,
            _ when status == OfficerStatuses.SmsOptedOut => "opted_out",
            _ when status != OfficerStatuses.Active => status,
            _ => null,
        } ?? guard switch
        {
            { Arm: null } => "arm_unknown",
            { Consent: null } => "consent_unknown",
            { Phone: null } => "no_contact",
            _ => null,
        };
        // Messaging learns arms and phones from events that can trail the SendSms by a moment: wait for them a while
        // (the bus retries), then refuse for good. A known control arm is refused at once.
        if (refusal is "arm_unknown" or "consent_unknown" or "no_contact" && now - sms.RequestedAt < options.Value.ReplicaWait)
            throw new SmsNotSentException($"SMS {sms.SmsId}: {refusal} yet; waiting for Enrollment's events to arrive.");
        // Quiet hours defer, never drop (a reply answers the officer at once): held until the window opens if the late window
        // is still open then, else skipped as missed_window.
        var zone = protocol.ZoneOf(sms.TimeZone);
        var opens = protocol.QuietHours.NextAllowed(at, zone);
        var inDoubt = row is { State: "sending" };
        if (refusal is null && !reply && !inDoubt)
        {
            if (row.SendBy is { } sendBy && sendBy <= opens) refusal = SmsSkipReasons.MissedWindow;
            else if (opens > at)
            {
                await work.ExecuteAsync("""
                    UPDATE outbound_sms SET state = 'deferred', deferred_until = @opens, sending_lease_until = NULL WHERE sms_id = @SmsId
                    """, new { sms.SmsId, opens }, ct);
                await work.CommitAsync(ct);
                metrics.HeldForQuietHours();
                logger.LogInformation("SMS {SmsId} for officer {OfficerId} reached Messaging in quiet hours; held until {DeferredUntil:O} (late window ends {SendBy:O})",
                    sms.SmsId, sms.OfficerId, opens, row.SendBy);
                return null;
            }
        }
        // A send in doubt is looked up before anything else, so it is neither held nor skipped unseen: outside the window it
        // waits for the bus, then for the reconciliation's redrive, which re-queues it once the window opens.
        if (refusal is null && !reply && inDoubt && opens > at)
            throw new SmsNotSentException($"SMS {sms.SmsId} is in doubt and quiet hours have begun; looked up once the window opens.");
        if (refusal is not null)
        {
            await work.ExecuteAsync("UPDATE outbound_sms SET state = 'refused', refusal_reason = @refusal WHERE sms_id = @SmsId",
                new { sms.SmsId, refusal }, ct);
            work.Publish(new SmsRefused(sms.SmsId, sms.OfficerId, sms.Purpose, refusal, now));
            await work.CommitAsync(ct);
            logger.LogWarning("Refused SMS {SmsId} for officer {OfficerId}: {Reason}", sms.SmsId, sms.OfficerId, refusal);
            return null;
        }

        if (sendAt is null)
            throw new SmsNotSentException($"SMS {sms.SmsId}: the sending window opened while it was checked; retried with a sender slot.");
        // A lapsed "sending" lease means an earlier attempt crashed or timed out after its request left.
        var (inDoubtSince, inDoubtUntil) = row is { State: "sending" } ? (row.LastAttemptAt, row.LeaseUntil) : (null, null);
        // A send in doubt keeps the time its first request left until a lookup settles it: if this attempt dies before its
        // lookup does (a crash, a database outage, a list it cannot read), the next one still searches from there.
        await work.ExecuteAsync("""
            UPDATE outbound_sms SET state = 'sending', to_phone = @Phone, attempts = attempts + 1, sending_lease_until = @lease,
                last_attempt_at = CASE WHEN state = 'sending' THEN COALESCE(last_attempt_at, @now) ELSE @now END
            WHERE sms_id = @SmsId
            """, new { sms.SmsId, guard.Phone, lease, now }, ct);
        await work.CommitAsync(ct);
        return new Claim(guard.Phone!, now, inDoubtSince, inDoubtUntil, reply ? null : protocol.QuietHours.WindowEnd(at, zone) - at);
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

    sealed record OutboundRow
    {
        public string State { get; init; } = "";
        public DateTimeOffset? LeaseUntil { get; init; }
        public DateTimeOffset? LastAttemptAt { get; init; }
        public DateTimeOffset? DeferredUntil { get; init; }
        /// <summary>The end of the late window, as first recorded (null: none).</summary>
        public DateTimeOffset? SendBy { get; init; }
    }

    sealed record GuardRow
    {
        public string? Phone { get; init; }
        public string? Arm { get; init; }
        public bool? Consent { get; init; }
        public string? CurrentSectorArm { get; init; }
        public string? Status { get; init; }
    }
}

/// <summary>The SMS could not be sent yet (transient provider error, send in doubt, another attempt in flight); the bus retries.</summary>
public sealed class SmsNotSentException(string message) : Exception(message);
