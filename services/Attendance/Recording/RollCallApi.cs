using System.Globalization;
using System.Security.Claims;
using CsvHelper;
using CsvHelper.Configuration;
using Microsoft.AspNetCore.Http.HttpResults;
using Reminders.Platform.Auth;
using Reminders.Platform.Csv;
using Reminders.Platform.Data;
using Reminders.Platform.Hosting;
using Reminders.Platform.Protocol;

namespace Reminders.Attendance.Recording;

/// <summary>
/// A whole session's roll call as CSV (<c>officer_id, check_in, check_out, excused</c>; times as HH:mm local or ISO 8601):
/// every row checked, all or nothing, each bad row reported with its line, column, value and reason. Recording the same
/// roll call twice changes nothing (each row's events get ids derived from the session, officer and time).
/// </summary>
public static class RollCallApi
{
    const int MaxBytes = 2 * 1024 * 1024;

    public sealed record RollCallError(int Line, string Column, string Value, string Reason);

    public sealed record RollCallReport(int Rows, int Events, IReadOnlyList<RollCallError> Rejected, bool Written);

    public static IEndpointRouteBuilder MapRollCallApi(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/api/attendance").WithTags("Attendance")
            .MapPost("/sessions/{sessionId:guid}/roll-call", UploadAsync).RequireAnyRole(Roles.Trainer, Roles.Manager)
            .WithSummary("Record a session's roll call from a CSV (officer_id, check_in, check_out, excused); all or nothing.");
        return app;
    }

    static async Task<Results<Ok<RollCallReport>, UnprocessableEntity<RollCallReport>, NotFound, ProblemHttpResult>> UploadAsync(
        Guid sessionId, HttpRequest request, ClaimsPrincipal user, [FromKeyedServices(AttendanceService.Name)] ServiceDatabase database,
        StudyProtocol protocol, TimeProvider clock, CancellationToken ct)
    {
        var body = await RequestBody.ReadAsync(request, MaxBytes, ct);
        if (body is null) return TypedResults.Problem(title: "Roll call too large", detail: "At most 2 MB.", statusCode: 413);
        await using var work = await database.BeginAsync(ct);
        var session = await work.QuerySingleOrDefaultAsync<SessionRow>("""
            SELECT cohort_id AS CohortId, local_date AS LocalDate, starts_at AS StartsAt, ends_at AS EndsAt, status AS Status FROM sessions WHERE session_id = @sessionId
            """, new { sessionId }, ct);
        if (session is null) return TypedResults.NotFound();
        if (session.Status == "cancelled" || await work.QuerySingleOrDefaultAsync<long?>("SELECT 1 FROM cohort_closures WHERE cohort_id = @CohortId", session, ct) is not null)
            return TypedResults.Problem(title: "Session not open", detail: "The session is cancelled or its cohort's attendance is closed.", statusCode: 409);

        var zone = protocol.TimeZone;
        var day = DateOnly.ParseExact(session.LocalDate, "yyyy-MM-dd", CultureInfo.InvariantCulture);
        var (text, _) = CsvText.Decode(body);
        var named = text.Split(['\r', '\n', ',', ';', '\t'], StringSplitOptions.RemoveEmptyEntries)
            .Select(cell => Guid.TryParse(cell.Trim().Trim('"'), out var id) ? id : Guid.Empty).Where(id => id != Guid.Empty).Distinct().ToArray();
        var known = named.Length == 0 ? [] : (await work.QueryAsync<Guid>(
            $"SELECT officer_id FROM officers WHERE {work.Dialect.InList("officer_id", "named")}", new { named = work.Dialect.UuidList(named) }, ct)).ToHashSet();
        var errors = new List<RollCallError>();
        var events = new List<(Guid EventId, Guid OfficerId, string Kind, DateTimeOffset At)>();
        var seen = new HashSet<Guid>();
        var rows = 0;
        using (var csv = new CsvReader(new StringReader(text), new CsvConfiguration(CultureInfo.InvariantCulture)
        { Delimiter = CsvText.DetectDelimiter(text).ToString(), IgnoreBlankLines = true, BadDataFound = null, MissingFieldFound = null }))
        {
            if (!csv.Read() || !csv.ReadHeader() || csv.HeaderRecord is null)
                return TypedResults.UnprocessableEntity(new RollCallReport(0, 0, [new RollCallError(1, "", "", "The roll call is empty: a header row is required.")], false));
            var header = csv.HeaderRecord.Select(CsvText.NormalizeHeader).ToList();
            int Column(params string[] names) => header.FindIndex(h => names.Contains(h));
            int officerColumn = Column("officerid", "officer"), inColumn = Column("checkin", "entrada"), outColumn = Column("checkout", "salida"),
                excusedColumn = Column("excused", "justificado");
            if (officerColumn < 0)
                return TypedResults.UnprocessableEntity(new RollCallReport(0, 0, [new RollCallError(1, "officer_id", "", "Missing column 'officer_id'.")], false));
            while (csv.Read())
            {
                rows++;
                var line = csv.Parser.RawRow;
                string Cell(int i) => i >= 0 && i < (csv.Parser.Record?.Length ?? 0) ? csv.Parser.Record![i].Trim() : "";
                var officerText = Cell(officerColumn);
                if (!Guid.TryParse(officerText, out var officerId) || !known.Contains(officerId))
                { errors.Add(new RollCallError(line, "officer_id", officerText, "Not the id of an enrolled officer.")); continue; }
                if (!seen.Add(officerId)) { errors.Add(new RollCallError(line, "officer_id", officerText, "The officer appears twice in the roll call.")); continue; }
                var excused = Cell(excusedColumn).ToLowerInvariant() is "1" or "true" or "yes" or "si" or "sí" or "x";
                DateTimeOffset? Time(int column, string name)
                {
                    var value = Cell(column);
                    if (value.Length == 0) return null;
                    if (TimeOnly.TryParseExact(value, ["HH:mm", "H:mm", "HH:mm:ss"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var local))
                    {
                        var dt = day.ToDateTime(local, DateTimeKind.Unspecified);
                        return new DateTimeOffset(dt, zone.GetUtcOffset(dt)).ToUniversalTime();
                    }
                    if (DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.None, out var instant)) return instant.ToUniversalTime();
                    errors.Add(new RollCallError(line, name, value, "A time must be HH:mm (local) or ISO 8601 with an offset."));
                    return null;
                }
                var checkIn = Time(inColumn, "check_in");
                var checkOut = Time(outColumn, "check_out");
                if (checkIn is { } i && checkOut is { } o && o < i) { errors.Add(new RollCallError(line, "check_out", Cell(outColumn), "Check-out before check-in.")); continue; }
                if (checkOut is not null && checkIn is null && !excused) { errors.Add(new RollCallError(line, "check_in", "", "A check-out needs a check-in.")); continue; }
                if (excused) events.Add((EventId(sessionId, officerId, "excused", session.StartsAt), officerId, "excused", session.StartsAt));
                if (checkIn is { } inAt) events.Add((EventId(sessionId, officerId, "check_in", inAt), officerId, "check_in", inAt));
                if (checkOut is { } outAt) events.Add((EventId(sessionId, officerId, "check_out", outAt), officerId, "check_out", outAt));
            }
        }
        if (errors.Count > 0) return TypedResults.UnprocessableEntity(new RollCallReport(rows, 0, errors.OrderBy(e => e.Line).ToList(), false));
        var now = clock.GetUtcNow();
        var inserted = await work.ExecuteAsync("""
            INSERT INTO attendance_events (event_id, session_id, officer_id, kind, at, recorded_by, recorded_at)
            VALUES (@EventId, @sessionId, @OfficerId, @Kind, @At, @by, @now) ON CONFLICT (event_id) DO NOTHING
            """, events.Select(e => new { e.EventId, sessionId, e.OfficerId, e.Kind, e.At, by = user.Identity?.Name ?? "", now }), ct);
        await work.CommitAsync(ct);
        return TypedResults.Ok(new RollCallReport(rows, inserted, [], true));
    }

    /// <summary>The same roll-call row uploaded twice gives the same event ids, so nothing is counted twice.</summary>
    static Guid EventId(Guid sessionId, Guid officerId, string kind, DateTimeOffset at)
    {
        var hash = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes($"{sessionId}:{officerId}:{kind}:{at.UtcTicks}"));
        return new Guid(hash.AsSpan(0, 16));
    }

    sealed record SessionRow
    {
        public Guid CohortId { get; init; }
        public string LocalDate { get; init; } = "";
        public DateTimeOffset StartsAt { get; init; }
        public DateTimeOffset EndsAt { get; init; }
        public string Status { get; init; } = "";
    }
}
