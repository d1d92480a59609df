using Dapper;
using Quartz;
using Reminders.Platform.Data;
using Reminders.Platform.Hosting;
using Reminders.Protocol;

namespace Reminders.Attendance.Dosage;

/// <summary>
/// Freezes each closed cohort's members (and walk-ins) once the study clock passes the cohort's endline: the protocol's
/// endline for the cohort's last training day, from the start of that day in the study's time zone. The snapshot is as
/// of that instant whenever the job runs, and sealed once <see cref="Settle"/> has passed since it (a manager's study-wide
/// freeze likewise, as of the moment it was asked for).
/// </summary>
public sealed class EndlineFreeze(
    AttendanceDatabase database, StudyProtocol protocol, TimeProvider clock, EndlineSettings settings,
    ILogger<EndlineFreeze> logger)
{
    public const string TakenBy = "endline";

    /// <summary>How long a snapshot waits, after its instant, for late events dated before it before its rows are written.</summary>
    public TimeSpan Settle => settings.Settle;

    /// <summary>A manager's freeze of the whole study (both arms), as of now.</summary>
    public async Task<DosageSnapshots.Snapshot> FreezeStudyAsync(string takenBy, string reason, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var snapshot = await DosageSnapshots.TakeAsync(database, takenBy, reason, cohortId: null, officerIds: null, asOf: now, now, Settle, ct);
        logger.LogInformation("Froze the study's dosage as of {AsOf}: snapshot {Version}, {Officers} officers, sealed {SealedAt}",
            now, snapshot!.Version, snapshot.Officers, snapshot.SealedAt?.ToString("O") ?? $"after {now + Settle:O}");
        return snapshot;
    }

    /// <summary>
    /// Freezes every cohort whose endline has passed and that is not frozen yet, and seals every snapshot that has settled;
    /// returns the snapshots taken.
    /// </summary>
    public async Task<IReadOnlyList<DosageSnapshots.Snapshot>> RunAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        if (protocol.Reminders is not { } reminders)
        {
            await DosageSnapshots.SealSettledAsync(database, Settle, now, ct);
            return [];
        }
        List<DueCohort> cohorts;
        await using (var connection = await database.OpenAsync(ct))
            cohorts = (await connection.QueryAsync<DueCohort>(new CommandDefinition("""
                SELECT c.cohort_id, MAX(s.local_date) AS LastDay, MAX(s.time_zone) AS TimeZone
                FROM cohort_closures c JOIN sessions s ON s.cohort_id = c.cohort_id AND s.status <> 'cancelled'
                WHERE NOT EXISTS (SELECT 1 FROM dosage_snapshots d WHERE d.cohort_id = c.cohort_id)
                GROUP BY c.cohort_id
                """, cancellationToken: ct))).AsList();

        var taken = new List<DosageSnapshots.Snapshot>();
        foreach (var cohort in cohorts)
        {
            var endline = reminders.EndlineFor(DateOnly.ParseExact(cohort.LastDay, "yyyy-MM-dd"));
            // Midnight starting the endline day on the cohort's sector's clock.
            var instant = QuietHours.AtLocal(endline, TimeOnly.MinValue, protocol.ZoneOf(cohort.TimeZone));
            if (now < instant) continue;
            List<Guid> officers;
            await using (var connection = await database.OpenAsync(ct))
                officers = (await connection.QueryAsync<Guid>(new CommandDefinition("""
                    SELECT officer_id FROM cohort_members WHERE cohort_id = @CohortId
                    UNION
                    SELECT e.officer_id FROM attendance_events e JOIN sessions s ON s.session_id = e.session_id WHERE s.cohort_id = @CohortId AND e.superseded_at IS NULL
                    """, new { cohort.CohortId }, cancellationToken: ct))).AsList();
            var snapshot = await DosageSnapshots.TakeAsync(database, TakenBy, $"Endline {endline:yyyy-MM-dd} of cohort {cohort.CohortId}",
                cohort.CohortId, officers, instant, now, Settle, ct);
            if (snapshot is null) continue;
            logger.LogInformation("Froze the dosage of cohort {CohortId} as of its endline {Endline}: snapshot {Version}, {Officers} officers",
                cohort.CohortId, instant, snapshot.Version, snapshot.Officers);
            taken.Add(snapshot);
        }
        foreach (var version in await DosageSnapshots.SealSettledAsync(database, Settle, now, ct))
            logger.LogInformation("Sealed dosage snapshot {Version}: its rows are written for good", version);
        return taken;
    }

    sealed record DueCohort
    {
        public Guid CohortId { get; init; }
        public string LastDay { get; init; } = "";
        public string? TimeZone { get; init; }
    }
}

/// <summary>Runs <see cref="EndlineFreeze"/> on the service's recurring-job scheduler.</summary>
public sealed class FreezeEndlineJob(EndlineFreeze freeze) : IJob
{
    public static readonly JobKey Key = new("freeze-endline", AttendanceService.Name);

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default) => await freeze.RunAsync(cancellationToken);
}

/// <param name="Settle">How long after its instant a snapshot is sealed (<c>Attendance:Endline:SettleHours</c>).</param>
public sealed record EndlineSettings(TimeSpan Settle);

public static class EndlineFreezeRegistration
{
    public const string IntervalKey = "Attendance:Endline:IntervalSeconds";
    public const string SettleKey = "Attendance:Endline:SettleHours";

    /// <summary>
    /// Carrier receipts can come days late (Twilio keeps a message queued up to 10 hours, receipts follow), and a broker
    /// outage delays every event: three days covers both with room.
    /// </summary>
    public const double DefaultSettleHours = 72;

    /// <summary>
    /// The endline freeze job, every <c>Attendance:Endline:IntervalSeconds</c> (default 60); snapshots sealed
    /// <c>Attendance:Endline:SettleHours</c> (default 72) after their instant.
    /// </summary>
    public static WebApplicationBuilder AddEndlineFreeze(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton(new EndlineSettings(TimeSpan.FromHours(Math.Max(0, builder.Configuration.GetValue(SettleKey, DefaultSettleHours)))));
        builder.Services.AddSingleton<EndlineFreeze>();
        var interval = TimeSpan.FromSeconds(Math.Max(1, builder.Configuration.GetValue(IntervalKey, 60)));
        builder.AddServiceJobs(AttendanceService.Name, q => q.ScheduleRecurring<FreezeEndlineJob>(FreezeEndlineJob.Key, interval));
        return builder;
    }
}
