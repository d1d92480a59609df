using System.Data.Common;
using Dapper;
using Reminders.Contracts;

namespace Reminders.Attendance.Recording;

/// <summary>Each member's (and walk-in's) minutes and sessions over a cohort's sessions that were not cancelled.</summary>
public static class CohortTotals
{
    public sealed record Totals(Guid CohortId, Guid SectorId, string Role, int Sessions, IReadOnlyList<OfficerAttendanceTotal> Officers);

    /// <summary>Null when the cohort has no session here.</summary>
    public static async Task<Totals?> ComputeAsync(DbConnection connection, DbTransaction? transaction, Guid cohortId, CancellationToken ct)
    {
        var sessions = (await connection.QueryAsync<SessionRow>(new CommandDefinition("""
            SELECT session_id, sector_id, role, starts_at, ends_at
            FROM sessions WHERE cohort_id = @cohortId AND status <> 'cancelled' ORDER BY starts_at
            """, new { cohortId }, transaction, cancellationToken: ct))).AsList();
        if (sessions.Count == 0) return null;
        var members = (await connection.QueryAsync<Guid>(new CommandDefinition(
            "SELECT officer_id FROM cohort_members WHERE cohort_id = @cohortId", new { cohortId }, transaction, cancellationToken: ct))).ToHashSet();
        var events = (await connection.QueryAsync<EventRow>(new CommandDefinition("""
            SELECT e.session_id, e.officer_id, e.kind, e.at
            FROM attendance_events e JOIN sessions s ON s.session_id = e.session_id
            WHERE s.cohort_id = @cohortId AND e.superseded_at IS NULL
            """, new { cohortId }, transaction, cancellationToken: ct))).ToLookup(e => (e.SessionId, e.OfficerId));
        var people = members.Union(events.Select(g => g.Key.OfficerId)).Order().ToList();
        var officers = people.Select(officerId =>
        {
            int minutes = 0, planned = 0, attended = 0;
            foreach (var session in sessions)
            {
                var mine = events[(session.SessionId, officerId)].ToList();
                var result = AttendanceCalculator.ComputeRecorded(session.StartsAt, session.EndsAt, mine.Select(e => (e.Kind, e.At)));
                minutes += result.MinutesAttended;
                planned += result.MinutesPlanned;
                if (result.MinutesAttended > 0) attended++;
            }
            return new OfficerAttendanceTotal(officerId, minutes, planned, attended, sessions.Count, !members.Contains(officerId));
        }).ToList();
        return new Totals(cohortId, sessions[0].SectorId, sessions[0].Role, sessions.Count, officers);
    }

    sealed record SessionRow
    {
        public Guid SessionId { get; init; }
        public Guid SectorId { get; init; }
        public string Role { get; init; } = "";
        public DateTimeOffset StartsAt { get; init; }
        public DateTimeOffset EndsAt { get; init; }
    }

    sealed record EventRow
    {
        public Guid SessionId { get; init; }
        public Guid OfficerId { get; init; }
        public string Kind { get; init; } = "";
        public DateTimeOffset At { get; init; }
    }
}
