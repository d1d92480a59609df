using System.Security.Claims;
using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Reminders.Contracts;
using Reminders.Messaging.Replies;
using Reminders.Platform;
using Reminders.Platform.Auth;
using Reminders.Platform.Data;
using Reminders.Platform.Hosting;
using Reminders.Platform.Logging;

namespace Reminders.Messaging.Delivery;

public static class SmsApi
{
    public sealed record SmsView(
        Guid SmsId, Guid OfficerId, string Purpose, string State, string? Status, string? RefusalReason, int? ErrorCode,
        string? ProviderSid, int? Segments, string ToMasked, int Attempts, DateTimeOffset RequestedAt, DateTimeOffset? AcceptedAt,
        IReadOnlyList<StatusEntry> History);

    public sealed record StatusEntry
    {
        public string Status { get; init; } = "";
        public int? ErrorCode { get; init; }
        public string Source { get; init; } = "";
        public DateTimeOffset ReceivedAt { get; init; }
    }

    public sealed record OutboundCount
    {
        public string Purpose { get; init; } = "";
        public string State { get; init; } = "";
        public string? Status { get; init; }
        public string? Reason { get; init; }
        public long Count { get; init; }
        public long Segments { get; init; }
    }

    public sealed record InboundCount
    {
        public string? Category { get; init; }
        public long Count { get; init; }
    }

    /// <param name="InFlight">SMS not settled yet: being sent, retried, or accepted with no final provider status.</param>
    /// <param name="ToControlOfficers">SMS the provider accepted for officers whose arm of randomization is control: must be 0.</param>
    /// <param name="Deferred">SMS held by quiet hours, waiting for the sending window to open.</param>
    /// <param name="DeferredSends">The held SMS released soonest (at most <see cref="MaxListedDeferred"/>).</param>
    /// <param name="AcknowledgedReminders">Reminders with at least one OK tied to them, each counted once as the dosage ledger counts them.</param>
    public sealed record SmsSummary(long InFlight, IReadOnlyList<OutboundCount> Outbound, IReadOnlyList<InboundCount> Inbound, long ToControlOfficers = 0,
        long Deferred = 0, IReadOnlyList<DeferredSms>? DeferredSends = null, long AcknowledgedReminders = 0);

    /// <summary>One SMS held by quiet hours: sent at <see cref="DeferredUntil"/> if that is before <see cref="SendBy"/> (null: no deadline), else skipped as missed_window.</summary>
    public sealed record DeferredSms
    {
        public Guid SmsId { get; init; }
        public Guid OfficerId { get; init; }
        public string Purpose { get; init; } = "";
        public DateTimeOffset RequestedAt { get; init; }
        public DateTimeOffset DeferredUntil { get; init; }
        public DateTimeOffset? SendBy { get; init; }
        /// <summary>The IANA zone whose sending window it waits for (null: the protocol's).</summary>
        public string? TimeZone { get; init; }
    }

    const int MaxListedDeferred = 100;

    /// <summary>
    /// An SMS in doubt that the provider may hold more than once: each of <see cref="CandidateSids"/> could be it (same number,
    /// same text, inside the request's own time window), so none was guessed; it is never sent again automatically.
    /// </summary>
    public sealed record AmbiguousSms
    {
        public Guid SmsId { get; init; }
        public Guid OfficerId { get; init; }
        public string Purpose { get; init; } = "";
        public DateTimeOffset RequestedAt { get; init; }
        /// <summary>When the request in doubt left for the provider.</summary>
        public DateTimeOffset? LastAttemptAt { get; init; }
        public IReadOnlyList<string> CandidateSids { get; init; } = [];
    }

    const int MaxListedAmbiguous = 100;

    public sealed record InboundView
    {
        public long Id { get; init; }
        public Guid? OfficerId { get; init; }
        public string FromMasked { get; init; } = "";
        public string Body { get; init; } = "";
        public string? Category { get; init; }
        public Guid? AcknowledgedSmsId { get; init; }
        public DateTimeOffset ReceivedAt { get; init; }
        /// <summary>When a manager marked it handled (null: not yet), by whom and with what note.</summary>
        public DateTimeOffset? HandledAt { get; init; }
        public string? HandledBy { get; init; }
        public string? HandledNote { get; init; }
    }

    public static IEndpointRouteBuilder MapSmsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/messaging").WithTags("Messaging");
        api.MapGet("/sms/{smsId:guid}", GetSms).RequireAuthorization(Roles.Manager)
            .WithSummary("One SMS: its send state, provider status and every status callback received.");
        api.MapGet("/sms/summary", Summary).RequireAnyRole(Roles.Manager, Roles.Researcher)
            .WithSummary("Outbound SMS by purpose, state, provider status and reason (with segments), inbound replies by category, reminders acknowledged, how many are not settled yet, and the SMS held by quiet hours (when each goes, and its deadline).");
        api.MapGet("/sms/ambiguous", Ambiguous).RequireAuthorization(Roles.Manager)
            .WithSummary($"SMS in doubt that a person must resolve (state in_doubt_ambiguous): the provider has more than one message that could be each, " +
                         $"listed by provider sid; oldest first, at most {MaxListedAmbiguous}. None is sent again automatically.");
        api.MapPost("/sms/states", States).RequireAnyRole(Roles.Manager, Roles.Researcher)
            .WithSummary($"Where each of the SMS ids given stands (send state and provider status), at most {MaxStatesAsked} per call; ids never received are left out. " +
                         "The Scheduler's re-dispatch job asks it about the SMS it dispatched.");
        api.MapGet("/inbound", Inbound).RequireAuthorization(Roles.Manager)
            .WithSummary("Replies, newest first, numbers masked; category=other (free text), help or unknown_sender: the ones a person should read; handled=true|false.");
        api.MapPost("/inbound/{id:long}/handled", MarkHandled).RequireAuthorization(Roles.Manager)
            .WithSummary("Mark a reply a person had to read (other, help, unknown_sender) handled: who, when and a note are recorded.");
        return app;
    }

    const int MaxNoteLength = 1000;

    public const int MaxStatesAsked = 1000;

    static async Task<Results<Ok<IReadOnlyList<SmsState>>, ProblemHttpResult>> States(SmsStatesRequest request,
        MessagingDatabase database, CancellationToken ct)
    {
        if (request.SmsIds is null || request.SmsIds.Count > MaxStatesAsked)
            return Refusals.Invalid("smsIds", $"smsIds must list at most {MaxStatesAsked} ids.");
        if (request.SmsIds.Count == 0) return TypedResults.Ok<IReadOnlyList<SmsState>>([]);
        await using var connection = await database.OpenAsync(ct);
        var states = await connection.QueryAsync<StateRow>(new CommandDefinition(
            $"SELECT sms_id, state, status FROM outbound_sms WHERE {database.Dialect.InList("sms_id", "ids")}",
            new { ids = database.Dialect.UuidList(request.SmsIds.Distinct()) }, cancellationToken: ct));
        return TypedResults.Ok<IReadOnlyList<SmsState>>(states.Select(s => new SmsState(s.SmsId, s.State, s.Status)).ToList());
    }

    public sealed record HandledRequest(string? Note);

    static async Task<Ok<SmsSummary>> Summary(MessagingDatabase database, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        var outbound = await connection.QueryAsync<OutboundCount>(new CommandDefinition("""
            SELECT purpose, state, status, COALESCE(refusal_reason, CAST(error_code AS TEXT)) AS Reason,
                   COUNT(*) AS Count, COALESCE(SUM(segments), 0) AS Segments
            FROM outbound_sms GROUP BY purpose, state, status, COALESCE(refusal_reason, CAST(error_code AS TEXT)) ORDER BY 1, 2, 3, 4
            """, cancellationToken: ct));
        var inbound = await connection.QueryAsync<InboundCount>(new CommandDefinition(
            "SELECT category, COUNT(*) AS Count FROM inbound_sms GROUP BY category ORDER BY category", cancellationToken: ct));
        var inFlight = await connection.ExecuteScalarAsync<long>(new CommandDefinition($"""
            SELECT COUNT(*) FROM outbound_sms
            WHERE state IN ('new', 'sending', 'retrying') OR (state = 'accepted' AND {SmsStatuses.RankSql("status")} < @final)
            """, new { final = SmsStatuses.Rank("delivered") }, cancellationToken: ct));
        // By the arm of randomization (never the current sector's): a control officer who moved into treatment is still control.
        var toControl = await connection.ExecuteScalarAsync<long>(new CommandDefinition("""
            SELECT COUNT(*) FROM outbound_sms o JOIN officer_arms a ON a.officer_id = o.officer_id
            WHERE o.accepted_at IS NOT NULL AND a.arm = @control
            """, new { control = StudyArms.Control }, cancellationToken: ct));
        var deferred = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT COUNT(*) FROM outbound_sms WHERE state = 'deferred'", cancellationToken: ct));
        var deferredSends = await connection.QueryAsync<DeferredSms>(new CommandDefinition("""
            SELECT sms_id, officer_id, purpose, requested_at, deferred_until, send_by,
                   time_zone
            FROM outbound_sms WHERE state = 'deferred' ORDER BY deferred_until, sms_id LIMIT @limit
            """, new { limit = MaxListedDeferred }, cancellationToken: ct));
        var acknowledgedReminders = await connection.ExecuteScalarAsync<long>(new CommandDefinition("""
            SELECT COUNT(DISTINCT i.acknowledged_sms_id) FROM inbound_sms i JOIN outbound_sms o ON o.sms_id = i.acknowledged_sms_id
            WHERE o.purpose = @reminder
            """, new { reminder = SmsPurposes.Reminder }, cancellationToken: ct));
        return TypedResults.Ok(new SmsSummary(inFlight, outbound.ToList(), inbound.ToList(), toControl, deferred, deferredSends.ToList(), acknowledgedReminders));
    }

    static async Task<Ok<IReadOnlyList<AmbiguousSms>>> Ambiguous(MessagingDatabase database, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        var rows = await connection.QueryAsync<AmbiguousRow>(new CommandDefinition("""
            SELECT sms_id, officer_id, purpose, requested_at, last_attempt_at,
                   in_doubt_candidates AS Candidates
            FROM outbound_sms WHERE state = 'in_doubt_ambiguous' ORDER BY requested_at, sms_id LIMIT @limit
            """, new { limit = MaxListedAmbiguous }, cancellationToken: ct));
        return TypedResults.Ok<IReadOnlyList<AmbiguousSms>>(rows.Select(r => new AmbiguousSms
        {
            SmsId = r.SmsId, OfficerId = r.OfficerId, Purpose = r.Purpose, RequestedAt = r.RequestedAt, LastAttemptAt = r.LastAttemptAt,
            CandidateSids = (r.Candidates ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
        }).ToList());
    }

    sealed record AmbiguousRow
    {
        public Guid SmsId { get; init; }
        public Guid OfficerId { get; init; }
        public string Purpose { get; init; } = "";
        public DateTimeOffset RequestedAt { get; init; }
        public DateTimeOffset? LastAttemptAt { get; init; }
        public string? Candidates { get; init; }
    }

    const string InboundSelect = """
        SELECT id, officer_id, from_phone, body, category,
               acknowledged_sms_id, received_at, handled_at, handled_by, handled_note
        FROM inbound_sms
        """;

    static async Task<Results<Ok<IReadOnlyList<InboundView>>, ProblemHttpResult>> Inbound(string? category, string? handled, int? limit,
        MessagingDatabase database, CancellationToken ct)
    {
        if (handled is not (null or "true" or "false")) return Refusals.Invalid("handled", "handled must be true or false.");
        await using var connection = await database.OpenAsync(ct);
        var rows = await connection.QueryAsync<InboundRow>(new CommandDefinition($"""
            {InboundSelect}
            WHERE (@category IS NULL OR category = @category)
              AND (@handled IS NULL OR (@handled = 'true' AND handled_at IS NOT NULL) OR (@handled = 'false' AND handled_at IS NULL))
            ORDER BY id DESC LIMIT @limit
            """, new { category, handled, limit = Math.Clamp(limit ?? 100, 1, 1000) }, cancellationToken: ct));
        return TypedResults.Ok<IReadOnlyList<InboundView>>(rows.Select(View).ToList());
    }

    static async Task<Results<Ok<InboundView>, ProblemHttpResult>> MarkHandled(long id, HandledRequest? request, ClaimsPrincipal user,
        MessagingDatabase database, TimeProvider clock, CancellationToken ct)
    {
        var note = request?.Note?.Trim() is { Length: > 0 } trimmed ? trimmed : null;
        if (note is { Length: > MaxNoteLength }) return Refusals.Invalid("note", $"note has at most {MaxNoteLength} characters.");
        await using var work = await database.BeginAsync(ct);
        var row = await work.QuerySingleOrDefaultAsync<InboundRow>($"{InboundSelect} WHERE id = @id {work.Dialect.ForUpdate()}", new { id }, ct);
        if (row is null)
            return Refusals.NotFound("id", "No such reply", $"There is no reply {id}.");
        if (!InboundReplies.Categories.ForAPerson.Contains(row.Category))
            return Refusals.Conflict("id", "Not for a person", $"Reply {id} is {row.Category ?? "not classified"}: the system acted on it and no person needs to. "
                + $"Only {string.Join(", ", InboundReplies.Categories.ForAPerson)} replies are marked handled.");
        if (row.HandledAt is { } handledAt)
            return Refusals.Conflict("id", "Not for a person", $"Reply {id} was already handled by {row.HandledBy} at {handledAt:O}.");
        var handled = row with { HandledAt = clock.GetUtcNow(), HandledBy = user.Identity?.Name ?? "", HandledNote = note };
        await work.ExecuteAsync("UPDATE inbound_sms SET handled_at = @HandledAt, handled_by = @HandledBy, handled_note = @HandledNote WHERE id = @Id",
            handled, ct);
        await work.CommitAsync(ct);
        return TypedResults.Ok(View(handled));
    }

    static InboundView View(InboundRow r) => new()
    {
        Id = r.Id, OfficerId = r.OfficerId, FromMasked = PhoneMask.Mask(r.FromPhone), Body = r.Body, Category = r.Category,
        AcknowledgedSmsId = r.AcknowledgedSmsId, ReceivedAt = r.ReceivedAt, HandledAt = r.HandledAt, HandledBy = r.HandledBy, HandledNote = r.HandledNote,
    };

    sealed record StateRow
    {
        public Guid SmsId { get; init; }
        public string State { get; init; } = "";
        public string? Status { get; init; }
    }

    sealed record InboundRow
    {
        public long Id { get; init; }
        public Guid? OfficerId { get; init; }
        public string FromPhone { get; init; } = "";
        public string Body { get; init; } = "";
        public string? Category { get; init; }
        public Guid? AcknowledgedSmsId { get; init; }
        public DateTimeOffset ReceivedAt { get; init; }
        public DateTimeOffset? HandledAt { get; init; }
        public string? HandledBy { get; init; }
        public string? HandledNote { get; init; }
    }

    static async Task<Results<Ok<SmsView>, NotFound>> GetSms(Guid smsId, MessagingDatabase database, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        var row = await connection.QuerySingleOrDefaultAsync<Row>(new CommandDefinition("""
            SELECT sms_id, officer_id, purpose, state, status, refusal_reason,
                   error_code, provider_sid, segments, to_phone, attempts,
                   requested_at, accepted_at
            FROM outbound_sms WHERE sms_id = @smsId
            """, new { smsId }, cancellationToken: ct));
        if (row is null) return TypedResults.NotFound();
        var history = await connection.QueryAsync<StatusEntry>(new CommandDefinition("""
            SELECT status, error_code, source, received_at
            FROM sms_status_history WHERE sms_id = @smsId ORDER BY id
            """, new { smsId }, cancellationToken: ct));
        return TypedResults.Ok(new SmsView(row.SmsId, row.OfficerId, row.Purpose, row.State, row.Status, row.RefusalReason, row.ErrorCode,
            row.ProviderSid, row.Segments, PhoneMask.Mask(row.ToPhone), (int)row.Attempts, row.RequestedAt, row.AcceptedAt, history.AsList()));
    }

    sealed class Row
    {
        public Guid SmsId { get; init; }
        public Guid OfficerId { get; init; }
        public string Purpose { get; init; } = "";
        public string State { get; init; } = "";
        public string? Status { get; init; }
        public string? RefusalReason { get; init; }
        public int? ErrorCode { get; init; }
        public string? ProviderSid { get; init; }
        public int? Segments { get; init; }
        public string? ToPhone { get; init; }
        public long Attempts { get; init; }
        public DateTimeOffset RequestedAt { get; init; }
        public DateTimeOffset? AcceptedAt { get; init; }
    }
}
