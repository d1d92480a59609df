using Reminders.Contracts;
using Reminders.Platform.Data;
using Reminders.Protocol;
using Reminders.Scheduler.Dispatch;

namespace Reminders.Scheduler.Training;

public sealed record PlanCommand(DateOnly From, DateOnly To, IReadOnlyList<string>? SectorCodes, bool DryRun, string RequestedBy);

public sealed record PlannedSessionView(Guid SessionId, int DayNumber, string Date, DateTimeOffset StartsAt, DateTimeOffset EndsAt);

public sealed record PlannedCohortView(
    Guid CohortId, string SectorCode, string Role, int Number, string Venue, string Trainer, int Members, IReadOnlyList<PlannedSessionView> Sessions);

/// <summary>
/// A plan (or a dry run's), with every chosen sector that got no cohort: <see cref="Unplaced"/> could not be placed,
/// <see cref="Skipped"/> had nobody left to place; <see cref="Why"/> says in one sentence why nothing was planned, if nothing was.
/// </summary>
public sealed record PlanResult(bool DryRun, string ProtocolVersion, int Cohorts, int Sessions, int Officers, int Invitations, int DayBeforeReminders,
    IReadOnlyList<PlannedCohortView> Plan, IReadOnlyList<UnplacedSector> Unplaced, IReadOnlyList<SkippedSector> Skipped, string? Why);

/// <summary>A chosen treatment sector with nobody to place: <see cref="Code"/> is <c>already_planned</c> or <c>no_officers</c>.</summary>
public sealed record SkippedSector(Guid SectorId, string SectorCode, string Code, string Reason);

public sealed class PlanningRefused(string field, string message, int status) : Exception(message)
{
    public string Field { get; } = field;
    public int Status { get; } = status;
}

/// <summary>
/// Plans the trainings of treatment sectors inside a date window and, unless it is a dry run, records them: cohorts,
/// sessions and members in one transaction with the events that tell Attendance and Enrollment, and each officer's
/// invitation (date, time and venue of the first session; never a name) and day-before reminder, planned for the
/// dispatcher. Control sectors are refused.
/// </summary>
public sealed class TrainingPlanner(
    SchedulerDatabase database, StudyProtocol protocol, WorkingDayCalendar calendar,
    LogisticsSms logistics, TimeProvider clock)
{
    public const int MaxWindowDays = 366;

    public async Task<PlanResult> PlanAsync(PlanCommand command, CancellationToken ct)
    {
        if (command.To < command.From) throw new PlanningRefused("to", "The window ends before it starts.", 400);
        if (command.To.DayNumber - command.From.DayNumber > MaxWindowDays) throw new PlanningRefused("to", $"A window is at most {MaxWindowDays} days.", 400);

        await using var work = await database.BeginAsync(ct);
        await work.LockAsync("training-plan", ct);
        var sectors = await work.QueryAsync<SectorRow>("""
            SELECT s.sector_id, s.code, a.arm, s.time_zone FROM sectors s LEFT JOIN sector_arms a ON a.sector_id = s.sector_id
            """, ct: ct);
        var chosen = sectors.Where(s => s.Arm == StudyArms.Treatment).ToList();
        if (command.SectorCodes is { Count: > 0 } codes)
        {
            var byCode = sectors.ToDictionary(s => s.Code, StringComparer.OrdinalIgnoreCase);
            var unknown = codes.Where(c => !byCode.ContainsKey(c)).ToList();
            if (unknown.Count > 0) throw new PlanningRefused("sectorCodes", $"Unknown sectors: {string.Join(", ", unknown)}.", 400);
            var notTreatment = codes.Where(c => byCode[c].Arm != StudyArms.Treatment).ToList();
            if (notTreatment.Count > 0)
                throw new PlanningRefused("sectorCodes", $"Only treatment sectors are trained; not in treatment: {string.Join(", ", notTreatment)}.", 409);
            chosen = codes.Select(c => byCode[c]).DistinctBy(s => s.SectorId).ToList();
        }

        // Officers of those sectors randomized to treatment and still in the study; the ones in no cohort yet are to be
        // placed. An SMS status (opted out, wrong number) or no consent to SMS is not a study status: they are trained like everyone else.
        var inStudy = await work.QueryAsync<TraineeRow>("""
            SELECT o.officer_id, o.sector_id, o.role,
                   CASE WHEN EXISTS (SELECT 1 FROM cohort_members m JOIN cohorts c ON c.cohort_id = m.cohort_id
                                     WHERE m.officer_id = o.officer_id AND m.removed_at IS NULL AND c.status <> 'cancelled') THEN 1 ELSE 0 END AS Placed
            FROM officers o
            JOIN officer_arms a ON a.officer_id = o.officer_id AND a.arm = 'treatment'
            LEFT JOIN officer_statuses st ON st.officer_id = o.officer_id
            WHERE COALESCE(st.status, 'active') NOT IN ('withdrawn', 'inactive')
            """, ct: ct);
        var inStudyBySector = inStudy.ToLookup(t => t.SectorId);
        var traineesBySector = inStudy.Where(t => t.Placed == 0).ToLookup(t => t.SectorId, t => new Trainee(t.OfficerId, t.Role));
        var toPlan = chosen.Select(s => new SectorToPlan(s.SectorId, s.Code, traineesBySector[s.SectorId].ToList()))
            .Where(s => s.Trainees.Count > 0).ToList();
        var skipped = chosen.Where(s => !traineesBySector[s.SectorId].Any()).OrderBy(s => s.Code, StringComparer.Ordinal)
            .Select(s => inStudyBySector[s.SectorId].Count() is var placed and > 0
                ? new SkippedSector(s.SectorId, s.Code, PlanReasons.AlreadyPlanned, $"All {placed} officers and commanders of the sector still in the study are already in a cohort.")
                : new SkippedSector(s.SectorId, s.Code, PlanReasons.NoOfficers, "The sector has no officer randomized to treatment and still in the study (is its roster loaded?)."))
            .ToList();
        var venues = await work.QueryAsync<VenueRow>("SELECT venue_id, name, capacity FROM venues", ct: ct);
        var trainers = await work.QueryAsync<TrainerRow>("SELECT trainer_id, name FROM trainers ORDER BY name", ct: ct);
        var bookedRows = await work.QueryAsync<BookingRow>("""
            SELECT venue_id, trainer_id, local_date FROM sessions WHERE status <> 'cancelled'
            """, ct: ct);
        var booked = bookedRows.SelectMany(b => new[] { (b.VenueId, DateOnly.ParseExact(b.LocalDate, "yyyy-MM-dd")), (b.TrainerId, DateOnly.ParseExact(b.LocalDate, "yyyy-MM-dd")) }).ToHashSet();

        var training = StudyRoles.All.ToDictionary(r => r, r =>
        {
            var rules = protocol.Training.For(r);
            return new RoleTraining(r, rules.Days, rules.DefaultStart, rules.SessionLength);
        });
        var plan = CohortPlanner.Plan(new PlanRequest(toPlan,
            venues.Select(v => new Venue(v.VenueId, v.Name, (int)v.Capacity)).ToList(),
            trainers.Select(t => new Trainer(t.TrainerId, t.Name)).ToList(),
            training, command.From, command.To, calendar.IsWorkingDay, booked));

        var venueNames = venues.ToDictionary(v => v.VenueId, v => v.Name);
        var trainerNames = trainers.ToDictionary(t => t.TrainerId, t => t.Name);
        var now = clock.GetUtcNow();
        var views = new List<PlannedCohortView>();
        var (invitations, dayBefore) = (0, 0);
        var zoneIds = sectors.ToDictionary(s => s.SectorId, s => s.TimeZone);
        foreach (var cohort in plan.Cohorts)
        {
            // A dry run's ids are marked as such, so a later request for one is told it was never recorded.
            var cohortId = command.DryRun ? DryRunIds.New() : Guid.CreateVersion7();
            // Sessions start at the protocol's hour on the wall clock of the sector's own zone.
            var zoneId = zoneIds.GetValueOrDefault(cohort.SectorId);
            var zone = protocol.ZoneOf(zoneId);
            var sessions = cohort.Days.Select((day, i) => new PlannedSessionView(command.DryRun ? DryRunIds.New() : Guid.CreateVersion7(), i + 1, day.ToString("yyyy-MM-dd"),
                QuietHours.AtLocal(day, cohort.Start, zone), QuietHours.AtLocal(day, cohort.End, zone))).ToList();
            views.Add(new PlannedCohortView(cohortId, cohort.SectorCode, cohort.Role, cohort.Number, venueNames[cohort.VenueId],
                trainerNames[cohort.TrainerId], cohort.OfficerIds.Count, sessions));
            var first = new SessionSlot(sessions[0].SessionId, cohort.Days[0], sessions[0].StartsAt, venueNames[cohort.VenueId], zone);
            var messages = cohort.OfficerIds.SelectMany(officerId => new[]
            {
                logistics.Invitation(officerId, cohortId, cohort.Role, first, cohort.Days.Count, command.RequestedBy, now),
                logistics.DayBefore(officerId, cohortId, cohort.Role, first, cohort.Days.Count, command.RequestedBy, now),
            }).OfType<PlannedSms>().ToList();
            invitations += cohort.OfficerIds.Count;
            dayBefore += messages.Count - cohort.OfficerIds.Count;
            if (command.DryRun) continue;

            await work.ExecuteAsync("""
                INSERT INTO cohorts (cohort_id, sector_id, role, number, venue_id, trainer_id, status, protocol_version, created_by, created_at)
                VALUES (@cohortId, @SectorId, @Role, @Number, @VenueId, @TrainerId, 'planned', @version, @by, @now)
                """, new { cohortId, cohort.SectorId, cohort.Role, cohort.Number, cohort.VenueId, cohort.TrainerId, version = protocol.Version,
                    by = command.RequestedBy, now }, ct);
            await work.ExecuteAsync("""
                INSERT INTO sessions (session_id, cohort_id, day_number, local_date, starts_at, ends_at, venue_id, trainer_id, status)
                VALUES (@SessionId, @cohortId, @DayNumber, @Date, @StartsAt, @EndsAt, @VenueId, @TrainerId, 'scheduled')
                """, sessions.Select(s => new { s.SessionId, cohortId, s.DayNumber, s.Date, s.StartsAt, s.EndsAt, cohort.VenueId, cohort.TrainerId }), ct);
            await work.ExecuteAsync("INSERT INTO cohort_members (cohort_id, officer_id, added_at) VALUES (@cohortId, @officerId, @now)",
                cohort.OfficerIds.Select(officerId => new { cohortId, officerId, now }), ct);
            await work.ExecuteAsync("""
                INSERT INTO plan_changes (cohort_id, entity, entity_id, change, new_value, changed_by, changed_at)
                VALUES (@cohortId, 'cohort', @cohortId, 'planned', @value, @by, @now)
                """, new { cohortId, value = $"{cohort.SectorCode} {cohort.Role} #{cohort.Number}: {string.Join(", ", sessions.Select(s => s.Date))}", by = command.RequestedBy, now }, ct);

            foreach (var s in sessions)
                work.Publish(new TrainingSessionScheduled(s.SessionId, cohortId, cohort.SectorId, cohort.Role, s.DayNumber, DateOnly.ParseExact(s.Date, "yyyy-MM-dd"),
                    s.StartsAt, s.EndsAt, venueNames[cohort.VenueId], cohort.TrainerId, protocol.Version, now, zoneId));
            work.Publish(new CohortMembersChanged(cohortId, cohort.SectorId, cohort.Role, cohort.OfficerIds, now));

            await work.AddPlannedSmsAsync(messages, ct);
        }
        if (!command.DryRun) await work.CommitAsync(ct);
        return new PlanResult(command.DryRun, protocol.Version, views.Count, views.Sum(v => v.Sessions.Count), views.Sum(v => v.Members),
            invitations, dayBefore, views, plan.Unplaced, skipped, views.Count > 0 ? null : WhyNothing(sectors.Count, chosen.Count, plan.Unplaced, skipped));
    }

    /// <summary>One sentence on why a plan planned nothing, from the sectors it left out and why.</summary>
    static string WhyNothing(int sectors, int chosen, IReadOnlyList<UnplacedSector> unplaced, IReadOnlyList<SkippedSector> skipped)
    {
        if (sectors == 0) return "Nothing was planned: no sector is registered yet (load the sectors and the roster, then randomize).";
        if (chosen == 0) return "Nothing was planned: no sector is randomized to treatment yet (randomize the sectors first; control sectors are never trained).";
        var reasons = unplaced.Select(u => u.Reason).Distinct().Select(r => $"unplaced: {r}")
            .Concat(skipped.GroupBy(s => s.Code).Select(g => g.Key == PlanReasons.AlreadyPlanned
                ? $"{g.Count()} sector{(g.Count() == 1 ? "" : "s")} already planned"
                : $"{g.Count()} sector{(g.Count() == 1 ? "" : "s")} without officers in the study"));
        return $"Nothing was planned for the {chosen} treatment sector{(chosen == 1 ? "" : "s")} chosen: {string.Join("; ", reasons)}. "
            + "See unplaced and skipped for each sector.";
    }

    sealed record SectorRow
    {
        public Guid SectorId { get; init; }
        public string Code { get; init; } = "";
        public string? Arm { get; init; }
        public string? TimeZone { get; init; }
    }

    sealed record TraineeRow
    {
        public Guid OfficerId { get; init; }
        public Guid SectorId { get; init; }
        public string Role { get; init; } = "";
        public long Placed { get; init; }
    }

    sealed record VenueRow
    {
        public Guid VenueId { get; init; }
        public string Name { get; init; } = "";
        public long Capacity { get; init; }
    }

    sealed record TrainerRow
    {
        public Guid TrainerId { get; init; }
        public string Name { get; init; } = "";
    }

    sealed record BookingRow
    {
        public Guid VenueId { get; init; }
        public Guid TrainerId { get; init; }
        public string LocalDate { get; init; } = "";
    }
}
