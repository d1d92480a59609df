using System.Globalization;
using System.Text;
using Dapper;
using Reminders.Platform.Data;
using Reminders.Protocol;

namespace Reminders.Scheduler.Training;

/// <summary>Whose sessions a calendar feed holds: a venue's or a trainer's.</summary>
public sealed record FeedOwner(string Kind, string Field, string Table, string Column)
{
    public static readonly FeedOwner Venue = new("venue", "venueId", "venues", "venue_id");
    public static readonly FeedOwner Trainer = new("trainer", "trainerId", "trainers", "trainer_id");

    public static FeedOwner Of(string kind) => kind == Venue.Kind ? Venue : Trainer;
}

/// <summary>
/// One venue's or trainer's sessions as iCalendar (RFC 5545) that Google, Outlook and Apple calendars subscribe to: times in
/// UTC, one UID per session for good, a SEQUENCE raised by every move, re-staffing or cancellation, and cancelled sessions
/// kept as cancelled so that calendars remove them. CRLF line endings, lines folded at 75 octets, text escaped.
/// </summary>
public sealed class CalendarFeed(SchedulerDatabase database, StudyProtocol protocol, TimeProvider clock)
{
    public const string ContentType = "text/calendar; charset=utf-8";

    /// <summary>The calendar of <paramref name="owner"/> <paramref name="id"/>; null when no such venue or trainer exists.</summary>
    public async Task<string?> RenderAsync(FeedOwner owner, Guid id, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        var name = await connection.QuerySingleOrDefaultAsync<string?>(new CommandDefinition(
            $"SELECT name FROM {owner.Table} WHERE {owner.Column} = @id", new { id }, cancellationToken: ct));
        if (name is null) return null;
        var filter = owner == FeedOwner.Venue ? new SessionsApi.SessionFilter(VenueId: id) : new SessionsApi.SessionFilter(TrainerId: id);
        return Render(name, await SessionsApi.QueryAsync(connection, filter, ct));
    }

    string Render(string ownerName, IReadOnlyList<SessionsApi.SessionRow> sessions)
    {
        var ics = new StringBuilder();
        void Line(string text) => ics.Append(Fold(text)).Append("\r\n");
        var zones = sessions.Select(s => protocol.ZoneOf(s.TimeZone).Id).Distinct().ToList();
        Line("BEGIN:VCALENDAR");
        Line("VERSION:2.0");
        Line("PRODID:-//Reminders//Plan de capacitacion//ES");
        Line("CALSCALE:GREGORIAN");
        Line("METHOD:PUBLISH");
        Line($"X-WR-CALNAME:{Escape($"Capacitación - {ownerName}")}");
        // Times are UTC; this only tells the app which wall clock the sessions are planned on.
        Line($"X-WR-TIMEZONE:{(zones.Count == 1 ? zones[0] : protocol.ZoneOf(null).Id)}");
        // How often to fetch again (Outlook and Apple honour these; Google keeps its own pace).
        Line("REFRESH-INTERVAL;VALUE=DURATION:PT1H");
        Line("X-PUBLISHED-TTL:PT1H");
        var now = Utc(clock.GetUtcNow());
        foreach (var s in sessions)
        {
            var cancelled = s.Status == "cancelled";
            var zone = protocol.ZoneOf(s.TimeZone);
            var (start, end) = (TimeZoneInfo.ConvertTime(s.StartsAt, zone), TimeZoneInfo.ConvertTime(s.EndsAt, zone));
            Line("BEGIN:VEVENT");
            Line($"UID:{s.SessionId}@reminders");
            Line($"DTSTAMP:{now}");
            Line($"CREATED:{Utc(s.CreatedAt)}");
            Line($"LAST-MODIFIED:{Utc(s.ChangedAt ?? s.CreatedAt)}");
            Line($"SEQUENCE:{s.Sequence.ToString(CultureInfo.InvariantCulture)}");
            Line($"DTSTART:{Utc(s.StartsAt)}");
            Line($"DTEND:{Utc(s.EndsAt)}");
            Line($"SUMMARY:{Escape($"{(cancelled ? "CANCELADA: " : "")}Justicia Procedimental {s.SectorCode} ({(s.Role == "commander" ? "mandos" : "policías")}, grupo {s.CohortNumber}), día {s.DayNumber}")}");
            Line($"LOCATION:{Escape(s.VenueAddress is { Length: > 0 } address ? $"{s.VenueName}, {address}" : s.VenueName)}");
            Line($"DESCRIPTION:{Escape($"Instructor: {s.TrainerName}. Participantes: {s.ExpectedOfficers}. Horario: {Clock(start)} a {Clock(end)}, hora de {ZoneCities.Name(zone.Id)}.")}");
            Line($"STATUS:{(cancelled ? "CANCELLED" : "CONFIRMED")}");
            Line("TRANSP:OPAQUE");
            Line("END:VEVENT");
        }
        Line("END:VCALENDAR");
        return ics.ToString();
    }

    static string Clock(DateTimeOffset t) => t.ToString("HH':'mm", CultureInfo.InvariantCulture);

    static string Utc(DateTimeOffset t) => t.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);

    /// <summary>RFC 5545 TEXT: backslash, semicolon, comma and line breaks escaped.</summary>
    public static string Escape(string text) =>
        text.Replace("\\", "\\\\").Replace(";", "\\;").Replace(",", "\\,").Replace("\r\n", "\\n").Replace("\n", "\\n").Replace("\r", "\\n");

    /// <summary>RFC 5545 line folding: at most 75 octets a line, continuations start with a space; a UTF-8 character is never split.</summary>
    public static string Fold(string line)
    {
        var result = new StringBuilder();
        var octets = 0;
        foreach (var rune in line.EnumerateRunes())
        {
            var size = rune.Utf8SequenceLength;
            if (octets + size > 75)
            {
                result.Append("\r\n ");
                octets = 1;
            }
            result.Append(rune.ToString());
            octets += size;
        }
        return result.ToString();
    }
}
