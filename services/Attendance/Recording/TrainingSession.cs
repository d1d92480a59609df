using System.Data.Common;
using System.Globalization;
using System.Security.Claims;
using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Reminders.Platform.Auth;
using Reminders.Platform.Data;
using Reminders.Protocol;

namespace Reminders.Attendance.Recording;

/// <summary>A session as attendance is recorded against it, and the checks every recording path (roll call, event) makes.</summary>
public sealed record TrainingSession
{
    public Guid SessionId { get; init; }
    public Guid CohortId { get; init; }
    public Guid SectorId { get; init; }
    public string LocalDate { get; init; } = "";
    public DateTimeOffset StartsAt { get; init; }
    public DateTimeOffset EndsAt { get; init; }
    public string Status { get; init; } = "";
    /// <summary>The sector's IANA zone (null: the protocol's).</summary>
    public string? TimeZone { get; init; }
    /// <summary>The trainer the Scheduler last staffed it with (null: scheduled before Attendance kept it).</summary>
    public Guid? TrainerId { get; init; }

    public DateOnly Date => DateOnly.ParseExact(LocalDate, "yyyy-MM-dd", CultureInfo.InvariantCulture);

    const string SelectSql = """
        SELECT session_id, cohort_id, sector_id, local_date, starts_at,
               ends_at, status, time_zone, trainer_id
        FROM sessions WHERE session_id = @sessionId
        """;

    public static Task<TrainingSession?> FindAsync(UnitOfWork work, Guid sessionId, CancellationToken ct) =>
        work.QuerySingleOrDefaultAsync<TrainingSession>(SelectSql, new { sessionId }, ct);

    public static Task<TrainingSession?> FindAsync(DbConnection connection, Guid sessionId, CancellationToken ct) =>
        connection.QuerySingleOrDefaultAsync<TrainingSession>(new CommandDefinition(SelectSql, new { sessionId }, cancellationToken: ct));

    /// <summary>403 when a principal bound to a trainer asks about a cohort none of whose sessions that trainer gives; null otherwise.</summary>
    public static async Task<ProblemHttpResult?> RefuseCohortAsync(DbConnection connection, ClaimsPrincipal user, Guid cohortId, CancellationToken ct)
    {
        if (user.BoundTrainer() is not { } trainerId) return null;
        var theirs = await connection.ExecuteScalarAsync<long?>(new CommandDefinition(
            "SELECT 1 FROM sessions WHERE cohort_id = @cohortId AND trainer_id = @trainerId LIMIT 1", new { cohortId, trainerId }, cancellationToken: ct));
        return theirs is null ? user.RefuseOtherThan(null, "cohortId", $"Cohort {cohortId}") : null;
    }

    /// <summary>Why nothing can be recorded for this session now (409), or null: it was cancelled, its cohort is closed, or it has not started.</summary>
    public async Task<ProblemHttpResult?> RefuseRecordingAsync(UnitOfWork work, DateTimeOffset now, TimeZoneInfo zone, CancellationToken ct)
    {
        if (Status == "cancelled")
            return TypedResults.Problem(title: "Session cancelled", detail: "The session was cancelled; nothing can be recorded for it.", statusCode: 409);
        if (await work.QuerySingleOrDefaultAsync<long?>("SELECT 1 FROM cohort_closures WHERE cohort_id = @CohortId", new { CohortId }, ct) is not null)
            return TypedResults.Problem(title: "Attendance closed", detail: "This cohort's attendance is closed; nothing more can be recorded.", statusCode: 409);
        if (now < StartsAt)
            return TypedResults.Problem(title: "Session not started",
                detail: $"Session {SessionId} starts at {RollCallTime.Local(StartsAt, zone)} ({zone.Id}); nothing can be recorded for it before then.", statusCode: 409);
        return null;
    }
}

/// <summary>The time zone a session's local times are written and read in: its sector's (the protocol's when the sector has none).</summary>
public sealed class SessionTimeZones(StudyProtocol protocol)
{
    public TimeZoneInfo Of(TrainingSession session) => protocol.ZoneOf(session.TimeZone);
}
