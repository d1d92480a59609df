namespace Reminders.Web.Services;

/// <summary>What Messaging sent, failed or refused, the replies that need a person, sender pacing and the consistency audit.</summary>
public sealed partial class MessagingClient
{
    public Task<ApiResult<SmsSummaryView>> SmsSummaryAsync(CancellationToken ct = default) =>
        GetAsync<SmsSummaryView>("/api/messaging/sms/summary", ct);

    /// <summary>The reply categories a person must read: free text, help requests, numbers no officer has.</summary>
    public static readonly string[] RepliesForAPerson = ["other", "help", "unknown_sender"];

    /// <summary>Replies of one category (<c>other</c>: free text a person should read), newest first; <paramref name="handled"/> false: still to attend.</summary>
    public Task<ApiResult<List<InboundReplyView>>> RepliesAsync(string category, bool? handled, CancellationToken ct = default) =>
        GetAsync<List<InboundReplyView>>($"/api/messaging/inbound?category={Uri.EscapeDataString(category)}{(handled is { } h ? $"&handled={(h ? "true" : "false")}" : "")}", ct);

    public Task<ApiResult<InboundReplyView>> MarkReplyHandledAsync(long replyId, string? note, CancellationToken ct = default) =>
        PostJsonAsync<InboundReplyView>($"/api/messaging/inbound/{replyId}/handled", new { note }, ct);

    /// <summary>SMS in doubt a person must resolve: the provider has more than one message that could be each.</summary>
    public Task<ApiResult<List<AmbiguousSmsView>>> AmbiguousSmsAsync(CancellationToken ct = default) =>
        GetAsync<List<AmbiguousSmsView>>("/api/messaging/sms/ambiguous", ct);

    public Task<ApiResult<SendingPaceView>> SendingPaceAsync(CancellationToken ct = default) =>
        GetAsync<SendingPaceView>("/api/messaging/senders", ct);

    /// <summary>Runs the consistency audit now (provider's log, Messaging's records, the ledger).</summary>
    public Task<ApiResult<AuditRunView>> RunAuditAsync(CancellationToken ct = default) =>
        PostJsonAsync<AuditRunView>("/api/messaging/audit", null, ct);

    public Task<ApiResult<List<AuditRunView>>> AuditRunsAsync(CancellationToken ct = default) =>
        GetAsync<List<AuditRunView>>("/api/messaging/audit/runs", ct);
}

/// <param name="InFlight">SMS not settled yet: being sent, retried, or accepted with no final provider status.</param>
/// <param name="ToControlOfficers">SMS the provider accepted for officers randomized to control, by Messaging's records (null: a service that does not count them yet).</param>
/// <param name="Deferred">SMS Messaging received and holds by quiet hours until the sending window opens.</param>
/// <param name="DeferredSends">The held SMS released soonest (at most 100).</param>
public sealed record SmsSummaryView(long InFlight, IReadOnlyList<OutboundCountView> Outbound, IReadOnlyList<InboundCountView> Inbound, long? ToControlOfficers = null,
    long Deferred = 0, IReadOnlyList<DeferredSmsView>? DeferredSends = null);

/// <param name="DeferredUntil">When it goes (the window opens in <paramref name="TimeZone"/>); skipped if that is after <paramref name="SendBy"/>.</param>
public sealed record DeferredSmsView(Guid SmsId, Guid OfficerId, string Purpose, DateTimeOffset RequestedAt, DateTimeOffset DeferredUntil,
    DateTimeOffset? SendBy, string? TimeZone = null);

/// <param name="CandidateSids">The provider's messages that could each be this SMS.</param>
public sealed record AmbiguousSmsView(Guid SmsId, Guid OfficerId, string Purpose, DateTimeOffset RequestedAt, DateTimeOffset? LastAttemptAt,
    IReadOnlyList<string> CandidateSids);

/// <param name="State">Messaging's send state (accepted, failed, refused, retrying...).</param>
/// <param name="Status">The provider's status (sent, delivered, undelivered, failed...).</param>
/// <param name="Reason">A refusal or skip reason, or the provider's error code.</param>
public sealed record OutboundCountView(string Purpose, string State, string? Status, string? Reason, long Count, long Segments);

public sealed record InboundCountView(string? Category, long Count);

public sealed record InboundReplyView(
    long Id, Guid? OfficerId, string FromMasked, string Body, string? Category, DateTimeOffset ReceivedAt,
    DateTimeOffset? HandledAt = null, string? HandledBy = null, string? HandledNote = null);

/// <param name="CredentialsPaused">Set while sending is paused because the provider refuses the credentials.</param>
public sealed record SendingPaceView(DateTimeOffset Now, double MessagesPerSecondPerSender, IReadOnlyList<SenderPaceView> Senders, long AcceptedLastMinute, long AcceptedLastHour,
    CredentialsPauseView? CredentialsPaused = null);

public sealed record CredentialsPauseView(DateTimeOffset Since, string? Reason);

public sealed record SenderPaceView(string Sender, DateTimeOffset? NextSlotAt, double BookedSeconds);

/// <summary>An audit's verdict (a run just made, or one listed by <c>audit/runs</c>): clean, or the differences by kind.</summary>
public sealed record AuditRunView(DateTimeOffset RanAt, bool Clean, IReadOnlyDictionary<string, long>? DifferencesByKind, string? RanBy = null)
{
    public const string ControlArmSms = "control_arm_sms";

    /// <summary>Provider messages that reached an officer randomized to control (or a number no officer has).</summary>
    public long ControlSms => DifferencesByKind?.GetValueOrDefault(ControlArmSms) ?? 0;

    public long Differences => DifferencesByKind?.Values.Sum() ?? 0;
}
