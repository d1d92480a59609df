using System.Security.Claims;
using System.Text.Json;
using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Reminders.Contracts;
using Reminders.Platform.Auth;
using Reminders.Platform.Data;
using Reminders.Platform.Hosting;
using Reminders.Platform.Logging;
using Reminders.Protocol;

namespace Reminders.Enrollment.Officers;

/// <summary>Officers for program managers: list and search, one officer's record, and study status changes; names for a roll call (trainers and managers).</summary>
public static class OfficersApi
{
    public const int MaxPageSize = 5000;

    public sealed record OfficerSummary(
        Guid Id, string Badge, string Name, string Role, string SectorCode, string PhoneMasked, bool Consent,
        string Status, string? RandomizedArm, bool CrossArmTransfer, DateTimeOffset? ConsentChangedAt = null);

    public sealed record StatusEntry(string Status, string? PreviousStatus, string Source, string ChangedBy, string? Reason, DateTimeOffset ChangedAt);

    /// <param name="TransferredOn">The roster's transfer date.</param>
    /// <param name="RecordedAt">When the import recorded it (null only for a row written before it was kept).</param>
    public sealed record TransferEntry(string FromSector, string ToSector, string? FromArm, string? ToArm, bool CrossArm, string TransferredOn, string RecordedBy,
        DateTimeOffset? RecordedAt = null);

    public sealed record OfficerDetail(OfficerSummary Officer, IReadOnlyDictionary<string, string> Attributes,
        IReadOnlyList<StatusEntry> StatusHistory, IReadOnlyList<TransferEntry> Transfers);

    public sealed record StatusChangeRequest(string? Status, string? Reason);

    /// <summary>At most this many ids in one lookup: a cohort's roll call, with room to spare.</summary>
    public const int MaxLookup = 2000;

    public sealed record OfficerLookupRequest(IReadOnlyList<Guid>? OfficerIds);

    /// <summary>
    /// What a roll call shows of an officer: never a phone number. <see cref="RandomizedArm"/> is the arm of randomization
    /// (null before randomization), whatever sector they are in now. <see cref="NoSmsReason"/> (see <see cref="NoSmsReasons"/>)
    /// says why they get no SMS when <see cref="NoSms"/>.
    /// </summary>
    public sealed record OfficerCard(
        Guid Id, string Badge, string Name, string Role, string SectorCode, string SectorName, string Status, bool Consent,
        string? RandomizedArm, bool NoSms, string? NoSmsReason);

    /// <param name="Officers">The known officers, in the order asked (each once).</param>
    /// <param name="UnknownIds">The ids Enrollment has no officer for, in the order asked.</param>
    public sealed record OfficerLookupResult(IReadOnlyList<OfficerCard> Officers, IReadOnlyList<Guid> UnknownIds);

    public static IEndpointRouteBuilder MapOfficersApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/enrollment/officers").WithTags("Enrollment");
        api.MapGet("", List).RequireAuthorization(Roles.Manager)
            .WithSummary("Officers (phones masked), filtered by search (badge or name), sector, status, role, consent (yes|no); paged (X-Total-Count).");
        api.MapGet("/{officerId:guid}", Get).RequireAuthorization(Roles.Manager)
            .WithSummary("One officer: record, extra attributes, status history, transfers.");
        api.MapPost("/{officerId:guid}/status", ChangeStatus).RequireAuthorization(Roles.Manager)
            .WithSummary("Change an officer's study status (a manager can undo an opt-out).");
        // Names are for the people who take the roll call, never for researchers.
        api.MapPost("/lookup", Lookup).RequireAnyRole(Roles.Trainer, Roles.Manager)
            .WithSummary($"Names for a roll call: badge, name, role, sector, status, consent, arm of randomization and why no SMS, for up to {MaxLookup} officer ids; unknown ids listed apart. No phone.");
        api.MapGet("/by-badge/{badge}", ByBadge).RequireAnyRole(Roles.Trainer, Roles.Manager)
            .WithSummary("A walk-in by badge (case and surrounding spaces ignored), as in a lookup: a control officer shows the arm of randomization control.");
        return app;
    }

    const string SummarySelect = """
        SELECT o.id, o.badge, o.name, o.role, s.code AS SectorCode, o.phone_e164 AS Phone,
               o.consent, o.status, o.randomized_arm, o.cross_arm_transfer,
               o.consent_changed_at, o.attributes
        FROM officers o JOIN sectors s ON s.id = o.sector_id
        """;

    static async Task<Results<Ok<List<OfficerSummary>>, ProblemHttpResult>> List(
        HttpResponse response, EnrollmentDatabase database, CancellationToken ct,
        string? search = null, string? sector = null, string? status = null, string? role = null, string? consent = null, int page = 1, int pageSize = 500)
    {
        if (page < 1) return Refusals.Invalid("page", "page starts at 1.");
        if (pageSize is < 1 or > MaxPageSize) return Refusals.Invalid("pageSize", $"pageSize must be 1 to {MaxPageSize}.");
        if (status is not null && !OfficerStatuses.All.Contains(status)) return Refusals.Invalid("status", $"status must be one of {string.Join(", ", OfficerStatuses.All)}.");
        if (consent is not (null or "yes" or "no")) return Refusals.Invalid("consent", "consent must be yes or no.");
        bool? consented = consent is null ? null : consent == "yes";
        await using var connection = await database.OpenAsync(ct);
        var searched = search is null ? null : await OfficerSearch.PlanAsync(connection, database.Dialect, search, ct);
        // Only the filters asked for, so each can use its index (an "@x IS NULL OR" form hides them from the planner).
        var filter = Where([
            (searched is not null, searched?.Condition ?? ""),
            (sector is not null, "o.sector_id IN (SELECT id FROM sectors WHERE code = @sector)"),
            (status is not null, "o.status = @status"),
            (role is not null, "o.role = @role"),
            (consented is not null, "o.consent = @consented"),
        ]);
        var param = new { like = OfficerSearch.Pattern(search), phrase = OfficerSearch.Phrase(search), sector, status, role, consented, skip = (page - 1) * pageSize, pageSize };
        // The index already counted a search that is the only filter.
        var total = searched?.Matches is { } matches && sector is null && status is null && role is null && consented is null ? matches
            : await connection.ExecuteScalarAsync<long>(new CommandDefinition($"SELECT COUNT(*) FROM officers o {filter}", param, cancellationToken: ct));
        var rows = await connection.QueryAsync<OfficerRow>(new CommandDefinition(
            $"{SummarySelect} {filter} ORDER BY o.badge LIMIT @pageSize OFFSET @skip", param, cancellationToken: ct));
        response.Headers["X-Total-Count"] = total.ToString();
        return TypedResults.Ok(rows.Select(Summary).ToList());
    }

    static string Where(IEnumerable<(bool Asked, string Condition)> filters) =>
        filters.Where(f => f.Asked).Select(f => f.Condition).ToList() is { Count: > 0 } asked ? "WHERE " + string.Join(" AND ", asked) : "";

    static async Task<Results<Ok<OfficerDetail>, NotFound>> Get(
        Guid officerId, EnrollmentDatabase database, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        var row = await connection.QuerySingleOrDefaultAsync<OfficerRow>(new CommandDefinition(
            $"{SummarySelect} WHERE o.id = @officerId", new { officerId }, cancellationToken: ct));
        if (row is null) return TypedResults.NotFound();
        var history = await connection.QueryAsync<StatusRow>(new CommandDefinition("""
            SELECT status, previous_status, source, changed_by, reason, changed_at
            FROM officer_status_history WHERE officer_id = @officerId ORDER BY id
            """, new { officerId }, cancellationToken: ct));
        var transfers = await connection.QueryAsync<TransferRow>(new CommandDefinition("""
            SELECT f.code AS FromSector, t.code AS ToSector, x.from_arm, x.to_arm, x.cross_arm,
                   x.transferred_on, x.recorded_by, x.recorded_at
            FROM officer_transfers x JOIN sectors f ON f.id = x.from_sector_id JOIN sectors t ON t.id = x.to_sector_id
            WHERE x.officer_id = @officerId ORDER BY x.id
            """, new { officerId }, cancellationToken: ct));
        return TypedResults.Ok(new OfficerDetail(Summary(row), JsonSerializer.Deserialize<Dictionary<string, string>>(row.Attributes) ?? [],
            history.Select(h => new StatusEntry(h.Status, h.PreviousStatus, h.Source, h.ChangedBy, h.Reason, h.ChangedAt)).ToList(),
            transfers.Select(t => new TransferEntry(t.FromSector, t.ToSector, t.FromArm, t.ToArm, t.CrossArm, t.TransferredOn, t.RecordedBy, t.RecordedAt)).ToList()));
    }

    static async Task<Results<Ok<OfficerSummary>, NotFound, ProblemHttpResult>> ChangeStatus(
        Guid officerId, StatusChangeRequest request, ClaimsPrincipal user,
        EnrollmentDatabase database, TimeProvider clock, CancellationToken ct)
    {
        if (request.Status is null || !OfficerStatuses.All.Contains(request.Status))
            return Refusals.Invalid("status", $"status must be one of {string.Join(", ", OfficerStatuses.All)}.");
        if (request.Reason is { Length: > 500 }) return Refusals.Invalid("reason", "reason has at most 500 characters.");
        await using var work = await database.BeginAsync(ct);
        var current = await work.QuerySingleOrDefaultAsync<string?>(
            $"SELECT status FROM officers WHERE id = @officerId {work.Dialect.ForUpdate()}", new { officerId }, ct);
        if (current is null) return TypedResults.NotFound();
        // An inactive officer's phone may since have been given to someone else: back on the roster they need a phone of their own.
        if (current == OfficerStatuses.Inactive && request.Status != OfficerStatuses.Inactive && await work.QuerySingleOrDefaultAsync<string?>("""
                SELECT h.badge FROM officers o JOIN officers h ON h.phone_e164 = o.phone_e164 AND h.id <> o.id AND h.status <> 'inactive'
                WHERE o.id = @officerId
                """, new { officerId }, ct) is { } holder)
            return Refusals.Conflict("status", "Phone given to another officer",
                $"This officer's phone now belongs to officer {holder}. Give this officer their current phone in a roster import, which makes them active again.");
        await OfficerStatusChanges.ChangeAsync(work, officerId, current, request.Status, StatusSources.Manager,
            user.Identity?.Name ?? "", request.Reason, clock.GetUtcNow(), ct);
        var row = await work.QuerySingleOrDefaultAsync<OfficerRow>($"{SummarySelect} WHERE o.id = @officerId", new { officerId }, ct);
        await work.CommitAsync(ct);
        return TypedResults.Ok(Summary(row!));
    }

    const string CardSelect = """
        SELECT o.id, o.badge, o.name, o.role, s.code AS SectorCode, s.name AS SectorName, o.status,
               o.consent, o.randomized_arm, s.arm AS SectorArm
        FROM officers o JOIN sectors s ON s.id = o.sector_id
        """;

    static async Task<Results<Ok<OfficerLookupResult>, ProblemHttpResult>> Lookup(
        OfficerLookupRequest request, EnrollmentDatabase database, StudyProtocol protocol, CancellationToken ct)
    {
        if (request.OfficerIds is null) return Refusals.Invalid("officerIds", "officerIds is required: the list of officer ids to name.");
        if (request.OfficerIds.Count > MaxLookup)
            return Refusals.Invalid("officerIds", $"At most {MaxLookup} officer ids at once ({request.OfficerIds.Count} given): split the list.");
        var asked = request.OfficerIds.Distinct().ToList();
        if (asked.Count == 0) return TypedResults.Ok(new OfficerLookupResult([], []));
        await using var connection = await database.OpenAsync(ct);
        var rows = await connection.QueryAsync<CardRow>(new CommandDefinition(
            $"{CardSelect} WHERE {database.Dialect.InList("o.id", "ids")}", new { ids = database.Dialect.UuidList(asked) }, cancellationToken: ct));
        var found = rows.ToDictionary(r => r.Id);
        return TypedResults.Ok(new OfficerLookupResult(
            asked.Where(found.ContainsKey).Select(id => Card(found[id], protocol)).ToList(), asked.Where(id => !found.ContainsKey(id)).ToList()));
    }

    static async Task<Results<Ok<OfficerCard>, ProblemHttpResult>> ByBadge(
        string badge, EnrollmentDatabase database, StudyProtocol protocol, CancellationToken ct)
    {
        var wanted = badge.Trim();
        if (wanted.Length == 0) return Refusals.Invalid("badge", "badge is empty.");
        await using var connection = await database.OpenAsync(ct);
        // The importer treats badges that differ only in case as one: so does the search (an exact match first, should both exist).
        var row = await connection.QuerySingleOrDefaultAsync<CardRow>(new CommandDefinition(
            $"{CardSelect} WHERE lower(o.badge) = lower(@wanted) ORDER BY CASE WHEN o.badge = @wanted THEN 0 ELSE 1 END LIMIT 1",
            new { wanted }, cancellationToken: ct));
        return row is null
            ? Refusals.Refuse(StatusCodes.Status404NotFound, "badge", "No such officer", $"No officer has badge {wanted}.",
                new Dictionary<string, object?> { ["badge"] = wanted })
            : TypedResults.Ok(Card(row, protocol));
    }

    static OfficerCard Card(CardRow r, StudyProtocol protocol)
    {
        var reason = NoSmsReasons.For(r.RandomizedArm, r.SectorArm, r.Consent, r.Status, protocol.Transfers.CrossArm);
        return new(r.Id, r.Badge, r.Name, r.Role, r.SectorCode, r.SectorName, r.Status, r.Consent, r.RandomizedArm, reason is not null, reason);
    }

    sealed record CardRow
    {
        public Guid Id { get; init; }
        public string Badge { get; init; } = "";
        public string Name { get; init; } = "";
        public string Role { get; init; } = "";
        public string SectorCode { get; init; } = "";
        public string SectorName { get; init; } = "";
        public string Status { get; init; } = "";
        public bool Consent { get; init; }
        public string? RandomizedArm { get; init; }
        public string? SectorArm { get; init; }
    }

    static OfficerSummary Summary(OfficerRow r) =>
        new(r.Id, r.Badge, r.Name, r.Role, r.SectorCode, PhoneMask.Mask(r.Phone), r.Consent, r.Status, r.RandomizedArm, r.CrossArmTransfer, r.ConsentChangedAt);

    sealed record OfficerRow
    {
        public Guid Id { get; init; }
        public string Badge { get; init; } = "";
        public string Name { get; init; } = "";
        public string Role { get; init; } = "";
        public string SectorCode { get; init; } = "";
        public string Phone { get; init; } = "";
        public bool Consent { get; init; }
        public DateTimeOffset? ConsentChangedAt { get; init; }
        public string Status { get; init; } = "";
        public string? RandomizedArm { get; init; }
        public bool CrossArmTransfer { get; init; }
        public string Attributes { get; init; } = "{}";
    }

    sealed record StatusRow
    {
        public string Status { get; init; } = "";
        public string? PreviousStatus { get; init; }
        public string Source { get; init; } = "";
        public string ChangedBy { get; init; } = "";
        public string? Reason { get; init; }
        public DateTimeOffset ChangedAt { get; init; }
    }

    sealed record TransferRow
    {
        public string FromSector { get; init; } = "";
        public string ToSector { get; init; } = "";
        public string? FromArm { get; init; }
        public string? ToArm { get; init; }
        public bool CrossArm { get; init; }
        public string TransferredOn { get; init; } = "";
        public string RecordedBy { get; init; } = "";
        public DateTimeOffset? RecordedAt { get; init; }
    }
}
