namespace Reminders.Messaging.Audit;

/// <summary>The kinds of difference the audit reports.</summary>
public static class DifferenceKinds
{
    /// <summary>The provider's log answered something that could not be read (a gateway's HTML, JSON cut short): nothing was compared with it.</summary>
    public const string ProviderUnreadable = "provider_unreadable";
    /// <summary>The provider has a message Messaging has no record of.</summary>
    public const string ProviderOnly = "provider_only";
    /// <summary>Messaging says the provider accepted it with a sid the provider does not have.</summary>
    public const string MissingAtProvider = "missing_at_provider";
    /// <summary>Provider and Messaging, or Messaging and the ledger, disagree on where the SMS ended.</summary>
    public const string StatusMismatch = "status_mismatch";
    /// <summary>An SMS Messaging accepted (or failed or refused) that the ledger has no row for.</summary>
    public const string LedgerMissing = "ledger_missing";
    /// <summary>A ledger row for an SMS Messaging has no record of.</summary>
    public const string LedgerOnly = "ledger_only";
    /// <summary>One officer's sent or delivered count differs between the ledger and the provider.</summary>
    public const string CountMismatch = "count_mismatch";
    /// <summary>A provider message to an officer of a control sector, or to a number that is no known officer's.</summary>
    public const string ControlArmSms = "control_arm_sms";
    /// <summary>Two provider messages for what Messaging has as one SMS.</summary>
    public const string DuplicateAtProvider = "duplicate_at_provider";
    /// <summary>The Scheduler dispatched it longer ago than the grace period; Messaging has no record of it (the command was lost or is stuck in an error queue).</summary>
    public const string DispatchedNotReceived = "dispatched_not_received";
    /// <summary>Messaging has an SMS of a purpose the Scheduler sends (reminder, logistics, manual) that the Scheduler never dispatched.</summary>
    public const string ReceivedNotDispatched = "received_not_dispatched";
}

/// <summary>
/// One difference. <see cref="Provider"/>, <see cref="Messaging"/>, <see cref="Ledger"/> and <see cref="Scheduler"/> say what
/// each source says (a status, <c>absent</c>, or counts); null where a source is not involved. Never a phone number:
/// <see cref="ToMasked"/> only.
/// </summary>
public sealed record AuditDifference(
    string Kind, Guid? SmsId, string? ProviderSid, Guid? OfficerId, string? Provider, string? Messaging, string? Ledger, string Detail,
    string? ToMasked = null, string? Scheduler = null);

/// <param name="Records">Rows or messages read from the source.</param>
/// <param name="Accepted">Of those, taken by the provider (for the provider itself: every outbound message).</param>
/// <param name="ByStatus">Current status ("none" when there is none yet).</param>
public sealed record SourceCounts(long Records, long Accepted, IReadOnlyDictionary<string, long> ByStatus);

/// <param name="Scheduler">The SMS the Scheduler dispatched, by kind (invitation, reminder, manual...).</param>
public sealed record AuditSources(SourceCounts Provider, SourceCounts Messaging, SourceCounts Ledger, SourceCounts? Scheduler = null);

/// <summary>Not final yet, or too young to judge (within the grace period): counted, not reported as differences.</summary>
public sealed record UnsettledCounts(long Total, IReadOnlyDictionary<string, long> ByReason);

public sealed record AuditReport(
    DateTimeOffset RanAt, DateTimeOffset? PeriodFrom, DateTimeOffset PeriodTo, int GraceMinutes, bool Clean,
    AuditSources Sources, UnsettledCounts Unsettled, IReadOnlyDictionary<string, long> DifferencesByKind,
    IReadOnlyList<AuditDifference> Differences);
