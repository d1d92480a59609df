using System.Globalization;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using CsvHelper;
using CsvHelper.Configuration;
using Microsoft.AspNetCore.Http.HttpResults;
using Reminders.Platform.Auth;
using Reminders.Platform.Csv;
using Reminders.Platform.Data;
using Reminders.Platform.Hosting;

namespace Reminders.Attendance.Recording;

/// <summary>
/// A whole session's roll call as CSV (<c>officer_id, check_in, check_out, excused</c>; times as <see cref="RollCallTime"/>
/// reads them): every row checked, all or nothing, each bad row reported with its line, column, value and reason. The same
/// roll call again (even saved another way) changes nothing; a different one replaces the one in force and needs a reason:
/// the earlier one's events are superseded, not added to, and both stay in the session's history.
/// </summary>
public static class RollCallApi
{
    const int MaxBytes = 2 * 1024 * 1024;

    /// <summary>A clock a few minutes off is not a time from the future.</summary>
    internal static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(5);

    public sealed record RollCallError(int Line, string Column, string Value, string Reason);

    /// <summary><see cref="Unchanged"/>: the roll call in force already says exactly this, so nothing was written.</summary>
    public sealed record RollCallReport(
        int Rows, int Events, IReadOnlyList<RollCallError> Rejected, bool Written, Guid? RollCallId = null, Guid? Replaces = null, bool Unchanged = false);

    sealed record RollCallEvent(Guid OfficerId, string Kind, DateTimeOffset At);

    sealed record Sheet(int Rows, List<RollCallEvent> Events, List<RollCallError> Errors);

    public static IEndpointRouteBuilder MapRollCallApi(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/api/attendance").WithTags("Attendance")
            .MapPost("/sessions/{sessionId:guid}/roll-call", UploadAsync).RequireAnyRole(Roles.Trainer, Roles.Manager)
            .WithSummary("Record a session's roll call from a CSV (officer_id, check_in, check_out, excused); all or nothing. A different one replaces it (?reason= required).")
            .AcceptsCsvUpload("Roll-call CSV: officer_id, check_in (entrada), check_out (salida), excused (justificado); times on the 24-hour clock in the "
                + "session's time zone (09:00, or 2026-12-10T09:00, or with an offset). See README, CSV formats.");
        return app;
    }

    static async Task<Results<Ok<RollCallReport>, NotFound, ProblemHttpResult>> UploadAsync(
        Guid sessionId, string? reason, HttpRequest request, ClaimsPrincipal user, AttendanceDatabase database,
        SessionTimeZones zones, TimeProvider clock, CancellationToken ct)
    {
        var body = await RequestBody.ReadAsync(request, MaxBytes, ct);
        if (body is null) return TypedResults.Problem(title: "Roll call too large", detail: "At most 2 MB.", statusCode: 413);
        reason = string.IsNullOrWhiteSpace(reason) ? null : reason.Trim();
        if (reason is { Length: > 500 }) return Refusals.Invalid("reason", "A reason has at most 500 characters.");
        await using var work = await database.BeginAsync(ct);
        var session = await TrainingSession.FindAsync(work, sessionId, ct);
        if (session is null) return TypedResults.NotFound();
        if (user.RefuseSession(sessionId, session.TrainerId) is { } notTheirs) return notTheirs;
        // Two uploads for one session at once: the later one sees the earlier one in force.
        await work.LockAsync($"roll-call-{sessionId}", ct);
        var zone = zones.Of(session);
        var now = clock.GetUtcNow();
        if (await session.RefuseRecordingAsync(work, now, zone, ct) is { } refused) return refused;

        var sheet = await ReadSheetAsync(work, body, session, zone, now, ct);
        if (sheet.Errors.Count > 0)
            return RejectedUpload.Problem("Roll call refused", new RollCallReport(sheet.Rows, 0, sheet.Errors.OrderBy(e => e.Line).ToList(), false),
                sheet.Errors.Select(e => new RejectedCell(e.Line, e.Column, e.Reason)).ToList());

        var fingerprint = Fingerprint(sheet.Events);
        var inForce = await work.QuerySingleOrDefaultAsync<RollCallInForce>("""
            SELECT roll_call_id, number, fingerprint, uploaded_by, uploaded_at
            FROM roll_calls WHERE session_id = @sessionId AND superseded_at IS NULL
            """, new { sessionId }, ct);
        if (inForce is not null && inForce.Fingerprint == fingerprint)
            return TypedResults.Ok(new RollCallReport(sheet.Rows, 0, [], true, inForce.RollCallId, Unchanged: true));
        if (inForce is not null && reason is null)
            return Refusals.Invalid("reason", $"Session {sessionId} already has a roll call (by {inForce.UploadedBy}, {RollCallTime.Local(inForce.UploadedAt, zone)}); " +
                "a different one replaces it and needs a reason (?reason=...).");

        var by = user.Identity?.Name ?? "";
        var rollCallId = Guid.CreateVersion7();
        var number = (inForce?.Number ?? 0) + 1;
        if (inForce is not null)
        {
            await work.ExecuteAsync("""
                UPDATE attendance_events SET superseded_at = @now, superseded_by_roll_call = @rollCallId, corrected_by = @by, correction_reason = @reason
                WHERE roll_call_id = @replaced AND superseded_at IS NULL
                """, new { now, rollCallId, by, reason, replaced = inForce.RollCallId }, ct);
            await work.ExecuteAsync("UPDATE roll_calls SET superseded_by = @rollCallId, superseded_at = @now WHERE roll_call_id = @replaced",
                new { rollCallId, now, replaced = inForce.RollCallId }, ct);
        }
        // A roll call uploaded before roll calls were kept gave its events these same ids: they are adopted, not doubled.
        var written = await work.ExecuteAsync("""
            INSERT INTO attendance_events (event_id, session_id, officer_id, kind, at, recorded_by, recorded_at, source, roll_call_id)
            VALUES (@EventId, @sessionId, @OfficerId, @Kind, @At, @by, @now, 'roll_call', @rollCallId)
            ON CONFLICT (event_id) DO UPDATE SET source = excluded.source, roll_call_id = excluded.roll_call_id
            WHERE attendance_events.roll_call_id IS NULL AND attendance_events.superseded_at IS NULL
            """, sheet.Events.Select(e => new { EventId = EventId(sessionId, number, e), sessionId, e.OfficerId, e.Kind, e.At, by, now, rollCallId }), ct);
        await work.ExecuteAsync("""
            INSERT INTO roll_calls (roll_call_id, session_id, number, fingerprint, uploaded_by, uploaded_at, reason, replaces, rows_read, events)
            VALUES (@rollCallId, @sessionId, @number, @fingerprint, @by, @now, @reason, @replaces, @Rows, @written)
            """, new { rollCallId, sessionId, number, fingerprint, by, now, reason, replaces = inForce?.RollCallId, sheet.Rows, written }, ct);
        await work.CommitAsync(ct);
        return TypedResults.Ok(new RollCallReport(sheet.Rows, written, [], true, rollCallId, inForce?.RollCallId));
    }

    /// <summary>Every row checked: the events of the good ones, and each bad one's line, column, value and reason.</summary>
    static async Task<Sheet> ReadSheetAsync(UnitOfWork work, byte[] body, TrainingSession session, TimeZoneInfo zone, DateTimeOffset now, CancellationToken ct)
    {
        var (text, _) = CsvText.Decode(body);
        var named = text.Split(['\r', '\n', ',', ';', '\t'], StringSplitOptions.RemoveEmptyEntries)
            .Select(cell => Guid.TryParse(cell.Trim().Trim('"'), out var id) ? id : Guid.Empty).Where(id => id != Guid.Empty).Distinct().ToArray();
        var known = named.Length == 0 ? [] : (await work.QueryAsync<Guid>(
            $"SELECT officer_id FROM officers WHERE {work.Dialect.InList("officer_id", "named")}", new { named = work.Dialect.UuidList(named) }, ct)).ToHashSet();
        var errors = new List<RollCallError>();
        var events = new List<RollCallEvent>();
        var seen = new HashSet<Guid>();
        var rows = 0;
        using var csv = new CsvReader(new StringReader(text), new CsvConfiguration(CultureInfo.InvariantCulture)
        { Delimiter = CsvText.DetectDelimiter(text).ToString(), IgnoreBlankLines = true, BadDataFound = null, MissingFieldFound = null });
        if (!csv.Read() || !csv.ReadHeader() || csv.HeaderRecord is null)
            return new Sheet(0, [], [new RollCallError(1, "", "", "The roll call is empty: a header row is required.")]);
        var header = csv.HeaderRecord.Select(CsvText.NormalizeHeader).ToList();
        int Column(params string[] names) => header.FindIndex(h => names.Contains(h));
        int officerColumn = Column("officerid", "officer"), inColumn = Column("checkin", "entrada"), outColumn = Column("checkout", "salida"),
            excusedColumn = Column("excused", "justificado");
        if (officerColumn < 0) return new Sheet(0, [], [new RollCallError(1, "officer_id", "", "Missing column 'officer_id'.")]);
        var day = session.Date;
        while (csv.Read())
        {
            rows++;
            var line = csv.Parser.RawRow;
            var rowErrors = errors.Count;
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
                if (!RollCallTime.TryParse(value, day, zone, out var at, out var reason)) errors.Add(new RollCallError(line, name, value, reason));
                else if (at > now + ClockSkew) errors.Add(new RollCallError(line, name, value, $"After the upload ({RollCallTime.Local(now, zone)}): a roll call records what happened."));
                else return at;
                return null;
            }
            var checkIn = Time(inColumn, "check_in");
            var checkOut = Time(outColumn, "check_out");
            if (errors.Count > rowErrors) continue;
            if (checkIn is { } i && checkOut is { } o && o < i) { errors.Add(new RollCallError(line, "check_out", Cell(outColumn), "Check-out before check-in.")); continue; }
            if (checkOut is not null && checkIn is null && !excused) { errors.Add(new RollCallError(line, "check_in", "", "A check-out needs a check-in.")); continue; }
            if (excused) events.Add(new RollCallEvent(officerId, "excused", session.StartsAt));
            if (checkIn is { } inAt) events.Add(new RollCallEvent(officerId, "check_in", inAt));
            if (checkOut is { } outAt) events.Add(new RollCallEvent(officerId, "check_out", outAt));
        }
        return new Sheet(rows, events, errors);
    }

    /// <summary>What a roll call says, whatever its delimiter, header language, row order or time notation.</summary>
    static string Fingerprint(IEnumerable<RollCallEvent> events) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(
            string.Join('\n', events.Select(e => $"{e.OfficerId}:{e.Kind}:{e.At.UtcTicks}").Order(StringComparer.Ordinal)))));

    /// <summary>
    /// An event's id from its roll call's number and what it says. The first roll call's ids are the ones roll calls had
    /// before they were numbered, so one uploaded then is recognized; later ones add their number, so they never collide.
    /// </summary>
    static Guid EventId(Guid sessionId, int number, RollCallEvent e)
    {
        var key = number == 1 ? $"{sessionId}:{e.OfficerId}:{e.Kind}:{e.At.UtcTicks}" : $"{sessionId}:{number}:{e.OfficerId}:{e.Kind}:{e.At.UtcTicks}";
        return new Guid(SHA256.HashData(Encoding.UTF8.GetBytes(key)).AsSpan(0, 16));
    }

    sealed record RollCallInForce
    {
        public Guid RollCallId { get; init; }
        public int Number { get; init; }
        public string Fingerprint { get; init; } = "";
        public string UploadedBy { get; init; } = "";
        public DateTimeOffset UploadedAt { get; init; }
    }
}
