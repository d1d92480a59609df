using Dapper;
using Reminders.Contracts;
using Reminders.Messaging.Contacts;
using Reminders.Platform.Data;
using Reminders.Protocol;

namespace Reminders.Messaging.Replies;

/// <summary>What a reply was taken to be, and what it caused.</summary>
public sealed record ReplyOutcome(string Category, Guid? AcknowledgedSmsId, Guid? ReplySmsId);

/// <summary>
/// Acts on an officer's reply by the protocol's keywords, in the transaction that stores it: an acknowledgment is tied
/// to the latest reminder or logistics SMS sent to them inside the acknowledgment window (once per SMS); an opt-out goes to
/// Enrollment and gets one confirmation; an opt-in goes to Enrollment; help gets the protocol's answer; anything else
/// (or a number no officer has) is kept for a person to read. A provider keyword (STOP, START...) is also recorded as
/// what the provider did; while the provider blocks the number nothing is answered, since it would refuse the answer
/// (it confirms STOP and START itself).
/// </summary>
public sealed class InboundReplies(StudyProtocol protocol)
{
    public static class Categories
    {
        public const string Acknowledge = "acknowledge";
        public const string OptOut = "opt_out";
        public const string OptIn = "opt_in";
        public const string Help = "help";
        /// <summary>Free text: for a person to read.</summary>
        public const string Other = "other";
        public const string UnknownSender = "unknown_sender";

        /// <summary>What a person must read and may mark handled; the others the system acted on by itself.</summary>
        public static readonly IReadOnlyList<string?> ForAPerson = [Other, Help, UnknownSender];
    }

    static readonly TimeSpan SendInFlightWait = TimeSpan.FromSeconds(2);
    static readonly TimeSpan SendInFlightPoll = TimeSpan.FromMilliseconds(20);

    /// <summary>
    /// Before an acknowledgment is matched, waits (at most <see cref="SendInFlightWait"/>) while a reminder or logistics SMS
    /// to that phone is being sent: the provider may have taken it, and the officer answered it, before Messaging recorded
    /// the acceptance, and an OK matched too early would be tied to the previous SMS or to none. Called outside the
    /// reply's transaction, so the acceptance's own commit is never held up by it.
    /// </summary>
    public async Task WaitForSendsInFlightAsync(MessagingDatabase database, string phone, string body, CancellationToken ct)
    {
        if (protocol.Keywords.Classify(body) != KeywordCategory.Acknowledge) return;
        var deadline = DateTimeOffset.UtcNow + SendInFlightWait;
        await using var connection = await database.OpenAsync(ct);
        while (await connection.ExecuteScalarAsync<long>(new CommandDefinition("""
                   SELECT COUNT(*) FROM outbound_sms o JOIN contacts c ON c.officer_id = o.officer_id
                   WHERE c.phone_e164 = @phone AND o.state = 'sending' AND o.purpose IN ('reminder', 'logistics')
                   """, new { phone = MexicanPhones.Canonical(phone) }, cancellationToken: ct)) > 0
               && DateTimeOffset.UtcNow < deadline)
            await Task.Delay(SendInFlightPoll, ct);
    }

    public async Task<ReplyOutcome> HandleAsync(UnitOfWork work, long inboundId, Guid? officerId, string body, DateTimeOffset receivedAt, CancellationToken ct)
    {
        var keywords = protocol.Keywords;
        var category = keywords.Classify(body);
        var atProvider = keywords.AtProvider(body);
        var blocked = atProvider == ProviderAction.Block
            || (atProvider == ProviderAction.None && officerId is { } known && await BlockedAtProviderAsync(work, known, inboundId, ct));
        var outcome = officerId is not { } officer ? new ReplyOutcome(Categories.UnknownSender, null, null) : category switch
        {
            KeywordCategory.Acknowledge => await AcknowledgeAsync(work, officer, body, receivedAt, ct),
            KeywordCategory.OptOut => await OptOutAsync(work, inboundId, officer, body, blocked, atProvider == ProviderAction.Block, receivedAt, ct),
            KeywordCategory.OptIn => OptIn(work, officer, body, atProvider == ProviderAction.Unblock, receivedAt),
            KeywordCategory.Help => new ReplyOutcome(Categories.Help, null, blocked ? null : await ReplyAsync(work, officer, keywords.HelpReply, receivedAt, ct)),
            _ => new ReplyOutcome(Categories.Other, null, null),
        };
        var providerAction = atProvider switch { ProviderAction.Block => "block", ProviderAction.Unblock => "unblock", _ => null };
        await work.ExecuteAsync("""
            UPDATE inbound_sms SET category = @Category, acknowledged_sms_id = @AcknowledgedSmsId, reply_sms_id = @ReplySmsId, provider_action = @providerAction
            WHERE id = @inboundId
            """, new { outcome.Category, outcome.AcknowledgedSmsId, outcome.ReplySmsId, providerAction, inboundId }, ct);
        return outcome;
    }

    /// <summary>Whether the officer's latest provider keyword before this reply was an opt-out: the provider then refuses every SMS to them.</summary>
    static async Task<bool> BlockedAtProviderAsync(UnitOfWork work, Guid officerId, long inboundId, CancellationToken ct) =>
        await work.QuerySingleOrDefaultAsync<string?>("""
            SELECT provider_action FROM inbound_sms WHERE officer_id = @officerId AND id < @inboundId AND provider_action IS NOT NULL
            ORDER BY id DESC LIMIT 1
            """, new { officerId, inboundId }, ct) == "block";

    /// <summary>
    /// Ties the OK to the latest reminder or logistics SMS the provider took inside the window: a reminder's is counted as
    /// its acknowledgment, a logistics SMS's goes to the Scheduler (the invitation asks for an OK to confirm).
    /// </summary>
    async Task<ReplyOutcome> AcknowledgeAsync(UnitOfWork work, Guid officerId, string body, DateTimeOffset receivedAt, CancellationToken ct)
    {
        var since = receivedAt.AddDays(-protocol.Keywords.AcknowledgeWindowDays);
        var latest = await work.QuerySingleOrDefaultAsync<AnsweredSms>("""
            SELECT sms_id, purpose FROM outbound_sms
            WHERE officer_id = @officerId AND purpose IN ('reminder', 'logistics') AND accepted_at IS NOT NULL AND accepted_at >= @since AND accepted_at <= @receivedAt
            ORDER BY accepted_at DESC LIMIT 1
            """, new { officerId, since, receivedAt }, ct);
        if (latest is null) return new ReplyOutcome(Categories.Acknowledge, null, null);
        var smsId = latest.SmsId;
        // A second OK to the same SMS is stored, not counted again.
        var already = await work.QuerySingleOrDefaultAsync<long?>("SELECT 1 FROM inbound_sms WHERE acknowledged_sms_id = @smsId LIMIT 1", new { smsId }, ct);
        if (already is null && latest.Purpose == SmsPurposes.Reminder) work.Publish(new ReminderAcknowledged(smsId, officerId, KeywordRules.Normalize(body), receivedAt));
        else if (already is null) work.Publish(new LogisticsSmsAcknowledged(smsId, officerId, KeywordRules.Normalize(body), receivedAt));
        return new ReplyOutcome(Categories.Acknowledge, smsId, null);
    }

    sealed record AnsweredSms
    {
        public Guid SmsId { get; init; }
        public string Purpose { get; init; } = "";
    }

    async Task<ReplyOutcome> OptOutAsync(UnitOfWork work, long inboundId, Guid officerId, string body, bool blocked, bool blocksNow,
        DateTimeOffset receivedAt, CancellationToken ct)
    {
        work.Publish(new SmsOptOutRequested(officerId, KeywordRules.Normalize(body), receivedAt, blocksNow));
        if (blocked) return new ReplyOutcome(Categories.OptOut, null, null);
        // One confirmation per opt-out: not again for a repeated BAJA since the last ALTA.
        var previous = await work.QuerySingleOrDefaultAsync<string?>("""
            SELECT category FROM inbound_sms WHERE officer_id = @officerId AND id < @inboundId AND category IN ('opt_out', 'opt_in')
            ORDER BY id DESC LIMIT 1
            """, new { officerId, inboundId }, ct);
        Guid? confirmation = previous == Categories.OptOut ? null : await ReplyAsync(work, officerId, protocol.Keywords.OptOutConfirmation, receivedAt, ct);
        return new ReplyOutcome(Categories.OptOut, null, confirmation);
    }

    static ReplyOutcome OptIn(UnitOfWork work, Guid officerId, string body, bool unblocks, DateTimeOffset receivedAt)
    {
        work.Publish(new SmsOptInRequested(officerId, KeywordRules.Normalize(body), receivedAt, unblocks));
        return new ReplyOutcome(Categories.OptIn, null, null);
    }

    static async Task<Guid> ReplyAsync(UnitOfWork work, Guid officerId, ByRole<SmsTemplate> template, DateTimeOffset now, CancellationToken ct)
    {
        var role = await work.QuerySingleOrDefaultAsync<string?>("SELECT role FROM officers WHERE officer_id = @officerId", new { officerId }, ct);
        var smsId = Guid.CreateVersion7();
        work.Send(QueueNames.SendSms, new SendSms(smsId, officerId, SmsPurposes.Reply, template.For(role ?? StudyRoles.Officer).Render(), now));
        return smsId;
    }
}
