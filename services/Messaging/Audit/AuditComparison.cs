using Reminders.Contracts;
using Reminders.Platform;
using Reminders.Platform.Logging;

namespace Reminders.Messaging.Audit;

/// <param name="StartedAt">When the provider's log was read (it is read first, Messaging next, the ledger last).</param>
/// <param name="Now">The study clock once every source was read: what the grace period is measured from.</param>
/// <param name="Scheduler">The SMS the Scheduler dispatched (read last); null: not compared.</param>
public sealed record AuditInput(
    IReadOnlyList<ProviderMessage> Provider, MessagingRecords Messaging, IReadOnlyList<LedgerSms> Ledger,
    DateTimeOffset StartedAt, DateTimeOffset Now, DateTimeOffset? From, DateTimeOffset To, TimeSpan Grace,
    IReadOnlyList<DispatchedSms>? Scheduler = null);

/// <summary>
/// Cross-checks the three sources SMS by SMS and officer by officer. The provider is matched to Messaging by the sid
/// Messaging recorded (its row or its status history), Messaging to the ledger and to the Scheduler's dispatched SMS by sms
/// id, and numbers to officers by Messaging's contact replica. What is not final yet and changed within the grace period is counted as unsettled.
/// </summary>
public static class AuditComparison
{
    static readonly TimeSpan DuplicateWindow = TimeSpan.FromMinutes(1);

    public static AuditReport Compare(AuditInput input)
    {
        var audit = new Findings(input.Now - input.Grace);
        var messaging = input.Messaging;
        var smsById = messaging.Sms.ToDictionary(s => s.SmsId);
        var smsIdBySid = new Dictionary<string, Guid>(StringComparer.Ordinal);
        foreach (var sms in messaging.Sms)
            if (sms.ProviderSid is { } sid) smsIdBySid[sid] = sms.SmsId;
        foreach (var (smsId, sid) in messaging.HistorySids) smsIdBySid.TryAdd(sid, smsId);
        var officerById = messaging.Officers.ToDictionary(o => o.OfficerId);
        var officerByPhone = messaging.Officers.GroupBy(o => o.Phone, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        var inFlight = messaging.Sms.Where(s => s.State is "new" or "sending" or "retrying").Select(s => s.OfficerId).ToHashSet();
        var ledgerById = input.Ledger.ToDictionary(l => l.SmsId);
        var providerSids = input.Provider.Select(p => p.Sid).ToHashSet(StringComparer.Ordinal);
        var sameText = input.Provider.ToLookup(p => (p.To, p.BodyHash));
        var providerCounts = new Dictionary<Guid, (int Sent, int Delivered)>();

        foreach (var p in input.Provider)
        {
            RecordedSms? sms = smsIdBySid.TryGetValue(p.Sid, out var id) ? smsById[id] : null;
            var officerId = sms?.OfficerId ?? officerByPhone.GetValueOrDefault(p.To)?.OfficerId;
            var masked = PhoneMask.Mask(p.To);
            CheckArm(audit, p, sms, officerId is { } known ? officerById.GetValueOrDefault(known) : null, officerId, masked);
            if (officerId is { } counted)
            {
                var (sent, delivered) = providerCounts.GetValueOrDefault(counted);
                providerCounts[counted] = (sent + 1, delivered + (p.Status == "delivered" ? 1 : 0));
            }

            if (sms is null)
            {
                var twin = sameText[(p.To, p.BodyHash)].FirstOrDefault(q =>
                    q.Sid != p.Sid && smsIdBySid.ContainsKey(q.Sid) && (q.CreatedAt - p.CreatedAt).Duration() <= DuplicateWindow);
                if (officerId is { } sending && inFlight.Contains(sending))
                    audit.Unsettled(p.Sid, "provider_message_not_recorded_yet", sending);
                else if (twin is not null)
                    audit.Add(DifferenceKinds.DuplicateAtProvider, smsIdBySid[twin.Sid], p.Sid, officerId, provider: $"2 messages ({twin.Sid}, {p.Sid})",
                        messaging: $"1 SMS ({twin.Sid})", ledger: null,
                        "Two provider messages with the same recipient and text within a minute, where Messaging sent one SMS.", masked);
                else
                    audit.Add(DifferenceKinds.ProviderOnly, null, p.Sid, officerId, provider: p.Status, messaging: "absent", ledger: null,
                        "The provider has a message Messaging has no record of.", masked);
                continue;
            }
            if (sms.ProviderSid != p.Sid)
            {
                audit.Add(DifferenceKinds.DuplicateAtProvider, sms.SmsId, p.Sid, sms.OfficerId, provider: $"2 messages ({sms.ProviderSid}, {p.Sid})",
                    messaging: $"1 SMS ({sms.ProviderSid})", ledger: null, "The provider has a second message for one SMS (an earlier attempt in its history).");
                continue;
            }
            audit.CompareStatuses(sms.SmsId, p.Sid, sms.OfficerId, "provider", p.Status, "messaging", sms.Status, Latest(p.UpdatedAt, sms.StatusUpdatedAt));
        }

        foreach (var sms in messaging.Sms)
        {
            if (sms.ProviderSid is { } sid && !providerSids.Contains(sid) && InPeriod(sms.AcceptedAt, input))
            {
                if (sms.AcceptedAt >= input.StartedAt) audit.Unsettled(sid, "accepted_after_provider_read", sms.OfficerId);
                else audit.Add(DifferenceKinds.MissingAtProvider, sms.SmsId, sid, sms.OfficerId, provider: "absent", messaging: sms.Status ?? "accepted",
                    ledger: null, "Messaging recorded the provider's sid, which the provider's log does not have.");
            }
            // In-flight sends have nothing the ledger must show yet.
            if (sms.ProviderSid is null && sms.State is not ("failed" or "refused")) continue;
            var changed = Latest(Latest(sms.StatusUpdatedAt, sms.AcceptedAt), sms.RequestedAt);
            var messagingSays = sms.Status ?? sms.State;
            if (!ledgerById.TryGetValue(sms.SmsId, out var row))
            {
                if (audit.IsYoung(changed)) audit.Unsettled(sms.SmsId.ToString(), "ledger_catching_up", sms.OfficerId);
                else audit.Add(DifferenceKinds.LedgerMissing, sms.SmsId, sms.ProviderSid, sms.OfficerId, provider: null, messaging: messagingSays,
                    ledger: "absent", "Messaging has this SMS; the dosage ledger has no row for it.");
                continue;
            }
            if (sms.ProviderSid is not null && !row.Accepted)
            {
                if (audit.IsYoung(changed)) audit.Unsettled(sms.SmsId.ToString(), "ledger_catching_up", sms.OfficerId);
                else audit.Add(DifferenceKinds.StatusMismatch, sms.SmsId, sms.ProviderSid, sms.OfficerId, provider: null, messaging: messagingSays,
                    ledger: row.Status ?? "not accepted", "Messaging says the provider accepted it; the ledger does not.");
                continue;
            }
            // A refusal has no provider status to compare: the ledger's row is all it must have.
            if (sms.State == "refused") continue;
            audit.CompareStatuses(sms.SmsId, sms.ProviderSid, sms.OfficerId, "messaging", sms.Status, "ledger", row.Status, Latest(changed, row.DeliveredAt));
        }

        if (input.Scheduler is { } dispatched) CompareDispatched(audit, dispatched, messaging.Sms, smsById);

        var ledgerCounts = new Dictionary<Guid, (int Sent, int Delivered)>();
        foreach (var row in input.Ledger)
        {
            if (!smsById.ContainsKey(row.SmsId) && (row.Accepted || row.Status is not null || row.RefusalReason is not null))
            {
                if (row.AcceptedAt >= input.StartedAt) audit.Unsettled(row.SmsId.ToString(), "ledger_ahead_of_messaging_read", row.OfficerId);
                else audit.Add(DifferenceKinds.LedgerOnly, row.SmsId, row.ProviderSid, row.OfficerId, provider: null, messaging: "absent",
                    ledger: row.Status ?? (row.Accepted ? "accepted" : row.RefusalReason), "The ledger has an SMS Messaging has no record of.");
            }
            if (!row.Accepted || !InPeriod(row.AcceptedAt, input)) continue;
            var (sent, delivered) = ledgerCounts.GetValueOrDefault(row.OfficerId);
            ledgerCounts[row.OfficerId] = (sent + 1, delivered + (row.Status == "delivered" ? 1 : 0));
        }

        foreach (var officerId in providerCounts.Keys.Union(ledgerCounts.Keys).Order())
        {
            if (audit.HasUnsettled(officerId)) continue;
            var atProvider = providerCounts.GetValueOrDefault(officerId);
            var inLedger = ledgerCounts.GetValueOrDefault(officerId);
            if (atProvider != inLedger)
                audit.Add(DifferenceKinds.CountMismatch, null, null, officerId, provider: Counts(atProvider), messaging: null, ledger: Counts(inLedger),
                    "The officer's sent or delivered count differs between the provider and the ledger.");
        }

        return new AuditReport(input.Now, input.From, input.To, (int)input.Grace.TotalMinutes, audit.Differences.Count == 0,
            new AuditSources(
                Counted(input.Provider.Count, input.Provider.Count, input.Provider.Select(p => p.Status)),
                Counted(messaging.Sms.Count, messaging.Sms.Count(s => s.ProviderSid is not null), messaging.Sms.Select(s => s.Status)),
                Counted(input.Ledger.Count, input.Ledger.Count(l => l.Accepted), input.Ledger.Select(l => l.Status)),
                SchedulerCounts(input)),
            audit.UnsettledCounts(),
            audit.Differences.CountBy(d => d.Kind).OrderBy(k => k.Key, StringComparer.Ordinal).ToDictionary(k => k.Key, k => (long)k.Value),
            audit.Differences.OrderBy(d => d.Kind, StringComparer.Ordinal).ToList());
    }

    /// <summary>
    /// The report when the provider's log could not be read: one <see cref="DifferenceKinds.ProviderUnreadable"/> finding and
    /// no comparison, since a log not read would make every SMS look missing at the provider.
    /// </summary>
    public static AuditReport ProviderUnreadable(AuditInput input, string detail)
    {
        var finding = new AuditDifference(DifferenceKinds.ProviderUnreadable, null, null, null, null, null, null, detail);
        var messaging = input.Messaging;
        return new AuditReport(input.Now, input.From, input.To, (int)input.Grace.TotalMinutes, Clean: false,
            new AuditSources(
                Counted(0, 0, []),
                Counted(messaging.Sms.Count, messaging.Sms.Count(s => s.ProviderSid is not null), messaging.Sms.Select(s => s.Status)),
                Counted(input.Ledger.Count, input.Ledger.Count(l => l.Accepted), input.Ledger.Select(l => l.Status)),
                SchedulerCounts(input)),
            new UnsettledCounts(0, new Dictionary<string, long>()),
            new Dictionary<string, long> { [DifferenceKinds.ProviderUnreadable] = 1 }, [finding]);
    }

    /// <summary>
    /// Every SMS the Scheduler dispatched reached Messaging (once older than the grace period: a command still on the bus
    /// is not lost), and every SMS Messaging holds of a purpose the Scheduler sends was dispatched by it. Replies are
    /// Messaging's own answers to an officer, never the Scheduler's.
    /// </summary>
    static void CompareDispatched(Findings audit, IReadOnlyList<DispatchedSms> dispatched, IReadOnlyList<RecordedSms> received,
        Dictionary<Guid, RecordedSms> receivedById)
    {
        var dispatchedIds = new HashSet<Guid>();
        foreach (var d in dispatched)
        {
            dispatchedIds.Add(d.SmsId);
            if (receivedById.ContainsKey(d.SmsId)) continue;
            var sentAt = Latest(d.DispatchedAt, d.LastRedispatchedAt)!.Value;
            if (audit.IsYoung(sentAt)) audit.Unsettled(d.SmsId.ToString(), "messaging_catching_up", d.OfficerId);
            else audit.Add(DifferenceKinds.DispatchedNotReceived, d.SmsId, null, d.OfficerId, provider: null, messaging: "absent", ledger: null,
                $"The Scheduler dispatched this {d.Kind} SMS at {sentAt:O}; Messaging has no record of it.", scheduler: $"dispatched ({d.Kind})");
        }
        foreach (var sms in received)
            if (sms.Purpose != SmsPurposes.Reply && !dispatchedIds.Contains(sms.SmsId))
                audit.Add(DifferenceKinds.ReceivedNotDispatched, sms.SmsId, sms.ProviderSid, sms.OfficerId, provider: null, messaging: sms.Status ?? sms.State,
                    ledger: null, $"Messaging has a {sms.Purpose} SMS the Scheduler never dispatched.", scheduler: "absent");
    }

    static SourceCounts? SchedulerCounts(AuditInput input) =>
        input.Scheduler is { } dispatched ? Counted(dispatched.Count, 0, dispatched.Select(d => d.Kind)) : null;

    /// <summary>Flags a provider message to a control officer, or to a number that is no known officer's.</summary>
    static void CheckArm(Findings audit, ProviderMessage p, RecordedSms? sms, KnownOfficer? officer, Guid? officerId, string masked)
    {
        if (officer is null)
        {
            audit.Add(DifferenceKinds.ControlArmSms, sms?.SmsId, p.Sid, officerId, provider: p.Status, messaging: "no known officer", ledger: null,
                "The provider sent a message to a number that is no known officer's.", masked);
            return;
        }
        // The arm of randomization, which no transfer changes: a control officer now in a treatment sector is still control.
        if (officer.Arm == StudyArms.Treatment) return;
        audit.Add(DifferenceKinds.ControlArmSms, sms?.SmsId, p.Sid, officer.OfficerId, provider: p.Status, messaging: $"arm {officer.Arm ?? "unknown"}",
            ledger: null, $"The provider sent a message to an officer randomized to {officer.Arm ?? "no arm"}.", masked);
    }

    static bool InPeriod(DateTimeOffset? at, AuditInput input) => at is { } t && (input.From is null || t >= input.From) && t <= input.To;

    static DateTimeOffset? Latest(DateTimeOffset? a, DateTimeOffset? b) => a is null ? b : b is null ? a : a > b ? a : b;

    static string Counts((int Sent, int Delivered) c) => $"sent {c.Sent}, delivered {c.Delivered}";

    static SourceCounts Counted(long records, long accepted, IEnumerable<string?> statuses) =>
        new(records, accepted, statuses.CountBy(s => string.IsNullOrEmpty(s) ? "none" : s).OrderBy(k => k.Key, StringComparer.Ordinal)
            .ToDictionary(k => k.Key, k => (long)k.Value));

    /// <summary>The differences found so far, and what was too young to judge (each SMS or message counted once).</summary>
    sealed class Findings(DateTimeOffset youngSince)
    {
        readonly Dictionary<string, string> unsettled = new(StringComparer.Ordinal);
        readonly HashSet<Guid> unsettledOfficers = [];

        public List<AuditDifference> Differences { get; } = [];

        public bool IsYoung(DateTimeOffset? changedAt) => changedAt > youngSince;

        public bool HasUnsettled(Guid officerId) => unsettledOfficers.Contains(officerId);

        public void Unsettled(string key, string reason, Guid officerId)
        {
            unsettled.TryAdd(key, reason);
            unsettledOfficers.Add(officerId);
        }

        public void Add(string kind, Guid? smsId, string? providerSid, Guid? officerId, string? provider, string? messaging, string? ledger,
            string detail, string? toMasked = null, string? scheduler = null) =>
            Differences.Add(new AuditDifference(kind, smsId, providerSid, officerId, provider, messaging, ledger, detail, toMasked, scheduler));

        /// <summary>
        /// Equal statuses agree; two different final statuses disagree at once; otherwise a difference younger than the
        /// grace period is a receipt or an event still on its way.
        /// </summary>
        public void CompareStatuses(Guid smsId, string? providerSid, Guid officerId, string a, string? aStatus, string b, string? bStatus, DateTimeOffset? changedAt)
        {
            var bothFinal = IsFinal(aStatus) && IsFinal(bStatus);
            if (aStatus == bStatus)
            {
                if (!bothFinal && IsYoung(changedAt)) Unsettled(smsId.ToString(), "not_final_yet", officerId);
                return;
            }
            if (!bothFinal && IsYoung(changedAt))
            {
                Unsettled(smsId.ToString(), $"{b}_catching_up", officerId);
                return;
            }
            Add(DifferenceKinds.StatusMismatch, smsId, providerSid, officerId,
                provider: a == "provider" ? aStatus : null,
                messaging: a == "messaging" ? aStatus ?? "none" : bStatus ?? "none",
                ledger: b == "ledger" ? bStatus ?? "none" : null,
                $"The {a} says {aStatus ?? "none"}, the {b} says {bStatus ?? "none"}.");
        }

        public UnsettledCounts UnsettledCounts() =>
            new(unsettled.Count, unsettled.Values.CountBy(r => r).OrderBy(k => k.Key, StringComparer.Ordinal).ToDictionary(k => k.Key, k => (long)k.Value));

        static bool IsFinal(string? status) => SmsStatuses.Rank(status) == SmsStatuses.Rank("delivered");
    }
}
