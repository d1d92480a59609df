using Dapper;
using Microsoft.Extensions.Options;
using Reminders.Contracts;
using Reminders.Platform;
using Reminders.Platform.Data;
using Reminders.Protocol;

namespace Reminders.Messaging.Delivery;

/// <summary>A send's claim: the lease is taken and the request may leave.</summary>
/// <param name="ValidFor">How long the provider may queue it: never into quiet hours (null: the provider's default).</param>
/// <param name="InDoubtSince">When the earlier request in doubt left; <paramref name="InDoubtUntil"/> when it was answered (or its lease ran out).</param>
public sealed record SendClaim(string Phone, DateTimeOffset AttemptStartedAt, DateTimeOffset? InDoubtSince, DateTimeOffset? InDoubtUntil, TimeSpan? ValidFor);

/// <summary>
/// Checks a SendSms's guards and takes its sending lease, many sends in one transaction (a group commit): the rows are
/// upserted and locked in id order and every guard's input read in one round trip (per twenty sends), and each send's
/// decision written in the next. A caller returns once its claim is committed, as with a transaction of its own; a
/// decision of "not yet" leaves nothing behind (a row it inserted goes again), as the rollback of a claim alone did. The
/// outbound_sms row stays each SMS's idempotency record and lease.
/// </summary>
public sealed class SendClaims(
    MessagingDatabase database,
    TwilioSmsSender sender,
    TimeProvider clock,
    StudyProtocol protocol,
    DeliveryMetrics metrics,
    IOptions<MessagingOptions> options,
    ILogger<SendClaims> logger) : GroupCommit<SendClaims.Request>(logger, metrics.ClaimGroups)
{
    /// <summary>Claims whose rows and guards are read in one round trip: their text (about 1,000 characters each) stays under <see cref="UnitOfWork.MaxCommandChars"/>.</summary>
    const int ClaimsReadTogether = 20;

    /// <summary>One SendSms to claim; <see cref="Decision"/> is what its group decided, read once the group committed.</summary>
    public sealed class Request(SendSms sms, DateTimeOffset? sendAt)
    {
        public SendSms Sms { get; } = sms;
        /// <summary>The sender's slot; null when none was reserved because the SMS may not go now.</summary>
        public DateTimeOffset? SendAt { get; } = sendAt;
        internal Decision? Decision { get; set; }
    }

    internal abstract record Decision
    {
        /// <summary>The lease is taken: send.</summary>
        public sealed record Send(SendClaim Claim) : Decision;
        /// <summary>Nothing (more) to do: sent, refused or held before.</summary>
        public sealed record Nothing : Decision;
        public sealed record Held(DateTimeOffset Until, DateTimeOffset? SendBy) : Decision;
        public sealed record Refused(string Reason) : Decision;
        /// <summary>Not now: the bus tries again.</summary>
        public sealed record NotYet(string Reason) : Decision;
    }

    /// <summary>
    /// Checks the guards and takes the lease, or returns null when there is nothing (more) to do: sent, refused, or held
    /// until quiet hours end. Throws <see cref="SmsNotSentException"/> when the bus should try again later.
    /// </summary>
    /// <param name="sendAt">The sender's slot; null when none was reserved because the SMS may not go now.</param>
    public async Task<SendClaim?> ClaimAsync(SendSms sms, DateTimeOffset? sendAt, CancellationToken ct)
    {
        var request = new Request(sms, sendAt);
        await SubmitAsync(request, ct);
        switch (request.Decision)
        {
            case Decision.Send send:
                return send.Claim;
            case Decision.Held held:
                metrics.HeldForQuietHours();
                Logger.LogInformation("SMS {SmsId} for officer {OfficerId} reached Messaging in quiet hours; held until {DeferredUntil:O} (late window ends {SendBy:O})",
                    sms.SmsId, sms.OfficerId, held.Until, held.SendBy);
                return null;
            case Decision.Refused refused:
                Logger.LogWarning("Refused SMS {SmsId} for officer {OfficerId}: {Reason}", sms.SmsId, sms.OfficerId, refused.Reason);
                return null;
            case Decision.NotYet notYet:
                throw new SmsNotSentException(notYet.Reason);
            default:
                return null;
        }
    }

    protected override async Task CommitGroupAsync(IReadOnlyList<Request> group, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        // In the order PostgreSQL locks uuids, so two groups (or a group and a send's record) never wait on each other in a
        // circle. A second delivery of the same SMS in one group waits as for another attempt's lease.
        var claiming = new List<Request>();
        var seen = new HashSet<Guid>();
        foreach (var request in group.OrderBy(r => r.Sms.SmsId.ToString(), StringComparer.Ordinal))
        {
            if (seen.Add(request.Sms.SmsId)) claiming.Add(request);
            else request.Decision = new Decision.NotYet($"SMS {request.Sms.SmsId} is being claimed by another attempt.");
        }
        await using var work = await database.BeginAsync(ct);
        var writes = new List<(string Sql, object Param)>();
        foreach (var reading in claiming.Chunk(ClaimsReadTogether))
        {
            await using var results = await work.QueryAllAsync([.. reading.SelectMany(r => ReadStatements(r.Sms, now))], ct);
            foreach (var request in reading)
            {
                var row = await results.ReadSingleAsync<OutboundRow>();
                var guard = await results.ReadSingleAsync<GuardRow>();
                request.Decision = Decide(work, request, row, guard, now, writes);
            }
        }
        await work.ExecuteAllAsync(writes, ct);
        await work.CommitAsync(ct);
    }

    /// <summary>
    /// Insert or touch, and read back, in one statement: the upsert locks the row, so two deliveries of the same SmsId
    /// serialize on it (the no-op update is what makes PostgreSQL return and lock an existing row). Every guard's input
    /// comes with it: the officer's phone, arm of randomization (never the current sector's), consent and study status
    /// (replicas of Enrollment's).
    /// </summary>
    static IEnumerable<(string Sql, object Param)> ReadStatements(SendSms sms, DateTimeOffset now)
    {
        var measure = SmsEncoding.Measure(sms.Body);
        yield return ("""
            INSERT INTO outbound_sms (sms_id, officer_id, purpose, body, state, requested_at, encoding, computed_segments, time_zone, send_by)
            VALUES (@SmsId, @OfficerId, @Purpose, @Body, 'new', @now, @encoding, @segments, @TimeZone, @SendBy)
            ON CONFLICT (sms_id) DO UPDATE SET state = outbound_sms.state, send_by = COALESCE(outbound_sms.send_by, excluded.send_by)
            RETURNING state, sending_lease_until AS LeaseUntil, last_attempt_at, deferred_until, send_by
            """, new
            {
                sms.SmsId, sms.OfficerId, sms.Purpose, sms.Body, now, encoding = measure.Encoding == SmsEncodingKind.Gsm7 ? "GSM-7" : "UCS-2",
                segments = measure.Segments, sms.TimeZone, sms.SendBy,
            });
        yield return ("""
            SELECT (SELECT phone_e164 FROM contacts WHERE officer_id = @OfficerId) AS Phone,
                   (SELECT arm FROM officer_arms WHERE officer_id = @OfficerId) AS Arm,
                   (SELECT consent FROM officer_consents WHERE officer_id = @OfficerId) AS Consent,
                   (SELECT a.arm FROM officers s JOIN sector_arms a ON a.sector_id = s.sector_id WHERE s.officer_id = @OfficerId) AS CurrentSectorArm,
                   (SELECT status FROM officer_statuses WHERE officer_id = @OfficerId) AS Status
            """, new { sms.OfficerId });
    }

    /// <summary>What one send's claim decides from its row and guards; its writes join the group's, its events the group's outbox.</summary>
    Decision Decide(UnitOfWork work, Request request, OutboundRow row, GuardRow guard, DateTimeOffset now, List<(string Sql, object Param)> writes)
    {
        var sms = request.Sms;
        // Quiet hours and the late window are judged at the instant the request would leave (the sender's slot), not now.
        var at = request.SendAt > now ? request.SendAt.Value : now;
        var lease = at + sender.RequestTimeout + TimeSpan.FromSeconds(5);
        Decision NotYet(string reason)
        {
            // Alone, the claim's rollback took back the row it inserted; in a group that commits, it is deleted.
            if (row.State == "new") writes.Add(("DELETE FROM outbound_sms WHERE sms_id = @SmsId AND state = 'new'", new { sms.SmsId }));
            return new Decision.NotYet(reason);
        }

        // A send in doubt that a person must resolve is never sent again automatically.
        if (row is { State: "accepted" or "failed" or "refused" or "in_doubt_ambiguous" }) return new Decision.Nothing();
        // Held for quiet hours: a redelivery before the window opens changes nothing (the release sends it on).
        if (row is { State: "deferred" } && row.DeferredUntil > at) return new Decision.Nothing();
        if (row is { State: "sending" } && row.LeaseUntil > now)
            return NotYet($"SMS {sms.SmsId} is being sent by another attempt until {row.LeaseUntil:O}.");

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
            return NotYet($"SMS {sms.SmsId}: {refusal} yet; waiting for Enrollment's events to arrive.");
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
                writes.Add(("""
                    UPDATE outbound_sms SET state = 'deferred', deferred_until = @opens, sending_lease_until = NULL WHERE sms_id = @SmsId
                    """, new { sms.SmsId, opens }));
                return new Decision.Held(opens, row.SendBy);
            }
        }
        // A send in doubt is looked up before anything else, so it is neither held nor skipped unseen: outside the window it
        // waits for the bus, then for the reconciliation's redrive, which re-queues it once the window opens.
        if (refusal is null && !reply && inDoubt && opens > at)
            return NotYet($"SMS {sms.SmsId} is in doubt and quiet hours have begun; looked up once the window opens.");
        if (refusal is not null)
        {
            writes.Add(("UPDATE outbound_sms SET state = 'refused', refusal_reason = @refusal WHERE sms_id = @SmsId", new { sms.SmsId, refusal }));
            work.Publish(new SmsRefused(sms.SmsId, sms.OfficerId, sms.Purpose, refusal, now));
            return new Decision.Refused(refusal);
        }

        if (request.SendAt is null)
            return NotYet($"SMS {sms.SmsId}: the sending window opened while it was checked; retried with a sender slot.");
        // A lapsed "sending" lease means an earlier attempt crashed or timed out after its request left.
        var (inDoubtSince, inDoubtUntil) = inDoubt ? (row.LastAttemptAt, row.LeaseUntil) : (null, null);
        // A send in doubt keeps the time its first request left until a lookup settles it: if this attempt dies before its
        // lookup does (a crash, a database outage, a list it cannot read), the next one still searches from there.
        writes.Add(("""
            UPDATE outbound_sms SET state = 'sending', to_phone = @Phone, attempts = attempts + 1, sending_lease_until = @lease,
                last_attempt_at = CASE WHEN state = 'sending' THEN COALESCE(last_attempt_at, @now) ELSE @now END
            WHERE sms_id = @SmsId
            """, new { sms.SmsId, guard.Phone, lease, now }));
        return new Decision.Send(new SendClaim(guard.Phone!, now, inDoubtSince, inDoubtUntil, reply ? null : protocol.QuietHours.WindowEnd(at, zone) - at));
    }

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
