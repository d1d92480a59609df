using Dapper;
using Quartz;
using Reminders.Platform.Data;
using Reminders.Platform.Hosting;
using Reminders.Platform.Protocol;

namespace Reminders.Attendance.Dosage;

/// <summary>
/// Freezes each closed cohort's members (and walk-ins) once the study clock passes the cohort's endline: the protocol's
/// endline for the cohort's last training day, from the start of that day in the study's time zone.
/// </summary>
public sealed class EndlineFreeze(
    [FromKeyedServices(AttendanceService.Name)] ServiceDatabase database, StudyProtocol protocol, TimeProvider clock, ILogger<EndlineFreeze> logger)
{
    public const string TakenBy = "endline";

    /// <summary>Freezes every cohort whose endline has passed and that is not frozen yet; returns the snapshots taken.</summary>
    public async Task<IReadOnlyList<DosageSnapshots.Snapshot>> RunAsync(CancellationToken ct)
    {
        if (protocol.Reminders is not { } reminders) return [];
        var now = clock.GetUtcNow();
        List<DueCohort> cohorts;
        await using (var connection = await database.OpenAsync(ct))
            cohorts = (await connection.QueryAsync<DueCohort>(new CommandDefinition("""
                SELECT c.cohort_id AS CohortId, MAX(s.local_date) AS LastDay
                FROM cohort_closures c JOIN sessions s ON s.cohort_id = c.cohort_id AND s.status <> 'cancelled'
                WHERE NOT EXISTS (SELECT 1 FROM dosage_snapshots d WHERE d.cohort_id = c.cohort_id)
                GROUP BY c.cohort_id
                """, cancellationToken: ct))).AsList();

        var taken = new List<DosageSnapshots.Snapshot>();
        foreach (var cohort in cohorts)
        {
            var endline = reminders.EndlineFor(DateOnly.ParseExact(cohort.LastDay, "yyyy-MM-dd"));
            if (now < QuietHours.AtLocal(endline, TimeOnly.MinValue, protocol.TimeZone)) continue;
            List<Guid> officers;
            await using (var connection = await database.OpenAsync(ct))
                officers = (await connection.QueryAsync<Guid>(new CommandDefinition("""
                    SELECT officer_id FROM cohort_members WHERE cohort_id = @CohortId
                    UNION
                    SELECT e.officer_id FROM attendance_events e JOIN sessions s ON s.session_id = e.session_id WHERE s.cohort_id = @CohortId AND e.superseded_at IS NULL
                    """, new { cohort.CohortId }, cancellationToken: ct))).AsList();
            var snapshot = await DosageSnapshots.TakeAsync(database, TakenBy, $"Endline {endline:yyyy-MM-dd} of cohort {cohort.CohortId}",
                cohort.CohortId, officers, now, ct);
            if (snapshot is null) continue;
            logger.LogInformation("Froze the dosage of cohort {CohortId} at its endline {Endline}: snapshot {Version}, {Officers} officers",
                cohort.CohortId, endline, snapshot.Version, snapshot.Officers);
            taken.Add(snapshot);
        }
        return taken;
    }

    sealed record DueCohort
    {
        public Guid CohortId { get; init; }
        public string LastDay { get; init; } = "";
    }
}

/// <summary>Runs <see cref="EndlineFreeze"/> on the service's recurring-job scheduler.</summary>
public sealed class FreezeEndlineJob(EndlineFreeze freeze) : IJob
{
    public static readonly JobKey Key = new("freeze-endline", AttendanceService.Name);

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default) => await freeze.RunAsync(cancellationToken);
}

public static class EndlineFreezeRegistration
{
    public const string IntervalKey = "Attendance:Endline:IntervalSeconds";

    /// <summary>The endline freeze job, every <c>Attendance:Endline:IntervalSeconds</c> (default 60).</summary>
    public static WebApplicationBuilder AddEndlineFreeze(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<EndlineFreeze>();
        var interval = TimeSpan.FromSeconds(Math.Max(1, builder.Configuration.GetValue(IntervalKey, 60)));
        builder.AddServiceJobs(AttendanceService.Name, q => q.ScheduleRecurring<FreezeEndlineJob>(FreezeEndlineJob.Key, interval));
        return builder;
    }
}
