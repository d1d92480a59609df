namespace Reminders.Scheduler.Training;

/// <summary>An officer or commander to be placed in a cohort (pseudonymous).</summary>
public sealed record Trainee(Guid OfficerId, string Role);

/// <summary>A treatment sector and the people of it still to be trained.</summary>
public sealed record SectorToPlan(Guid SectorId, string SectorCode, IReadOnlyList<Trainee> Trainees);

public sealed record Venue(Guid VenueId, string Name, int Capacity);

public sealed record Trainer(Guid TrainerId, string Name);

/// <summary>What the protocol says about one role's training: so many consecutive working days, so many hours each.</summary>
public sealed record RoleTraining(string Role, int Days, TimeOnly Start, TimeSpan Length);

/// <summary>Everything the planner needs; <see cref="Booked"/> holds dates venues and trainers are already taken.</summary>
public sealed record PlanRequest(
    IReadOnlyList<SectorToPlan> Sectors,
    IReadOnlyList<Venue> Venues,
    IReadOnlyList<Trainer> Trainers,
    IReadOnlyDictionary<string, RoleTraining> Training,
    DateOnly WindowStart,
    DateOnly WindowEnd,
    Func<DateOnly, bool> IsWorkingDay,
    IReadOnlySet<(Guid ResourceId, DateOnly Day)>? Booked = null);

/// <summary>One cohort: a sector's people of one role, in one venue with one trainer, on consecutive working days.</summary>
public sealed record PlannedCohort(
    Guid SectorId, string SectorCode, string Role, int Number, Guid VenueId, Guid TrainerId,
    IReadOnlyList<DateOnly> Days, TimeOnly Start, TimeOnly End, IReadOnlyList<Guid> OfficerIds);

/// <summary>A sector's people of one role the plan could not place: <see cref="Code"/> (one of <see cref="PlanReasons"/>) and why in words.</summary>
public sealed record UnplacedSector(Guid SectorId, string SectorCode, string Role, int Trainees, string Reason, string Code);

/// <summary>Why a sector got no cohort, as codes a client can translate (the reason beside each says it in English).</summary>
public static class PlanReasons
{
    public const string NoTrainingForRole = "no_training_for_role";
    public const string NoVenue = "no_venue";
    public const string NoTrainer = "no_trainer";
    public const string NoWorkingDays = "no_working_days";
    public const string VenuesBooked = "venues_booked";
    public const string TrainersBooked = "trainers_booked";
    public const string AlreadyPlanned = "already_planned";
    public const string NoOfficers = "no_officers";
}

public sealed record Plan(IReadOnlyList<PlannedCohort> Cohorts, IReadOnlyList<UnplacedSector> Unplaced);

/// <summary>
/// Plans training cohorts for many sectors at once inside a date window. Each sector's people of each role are split
/// into as few cohorts as the largest venue allows, in sizes that differ by at most one; each cohort gets the earliest
/// run of consecutive working days on which a venue big enough and a trainer are both free. Venues and trainers are
/// never double-booked. A sector that cannot be placed is reported with the reason, and takes no resources: either a
/// sector's whole role is placed, or none of it.
/// </summary>
public static class CohortPlanner
{
    public static Plan Plan(PlanRequest request)
    {
        var booked = new HashSet<(Guid, DateOnly)>(request.Booked ?? new HashSet<(Guid, DateOnly)>());
        var cohorts = new List<PlannedCohort>();
        var unplaced = new List<UnplacedSector>();
        var largestVenue = request.Venues.Count == 0 ? 0 : request.Venues.Max(v => v.Capacity);
        var runs = new Dictionary<int, List<DateOnly[]>>();

        foreach (var sector in request.Sectors.OrderBy(s => s.SectorCode, StringComparer.Ordinal))
        foreach (var group in sector.Trainees.GroupBy(t => t.Role).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var people = group.OrderBy(t => t.OfficerId).ToList();
            if (!request.Training.TryGetValue(group.Key, out var training))
            {
                unplaced.Add(new UnplacedSector(sector.SectorId, sector.SectorCode, group.Key, people.Count, $"The protocol has no training for role {group.Key}.",
                    PlanReasons.NoTrainingForRole));
                continue;
            }
            if (largestVenue == 0 || request.Trainers.Count == 0)
            {
                unplaced.Add(largestVenue == 0
                    ? new UnplacedSector(sector.SectorId, sector.SectorCode, group.Key, people.Count, "No venue is available.", PlanReasons.NoVenue)
                    : new UnplacedSector(sector.SectorId, sector.SectorCode, group.Key, people.Count, "No trainer is available.", PlanReasons.NoTrainer));
                continue;
            }
            if (!runs.TryGetValue(training.Days, out var candidateRuns))
                runs[training.Days] = candidateRuns = ConsecutiveRuns(request, training.Days);

            var count = (people.Count + largestVenue - 1) / largestVenue;
            var placed = new List<PlannedCohort>();
            var taken = new List<(Guid, DateOnly)>();
            (string Reason, string Code)? failure = null;
            for (var c = 0; c < count && failure is null; c++)
            {
                var members = Slice(people, count, c);
                var slot = FindSlot(request, candidateRuns, booked, members.Count);
                if (slot is null)
                {
                    failure = candidateRuns.Count == 0
                        ? ($"The window {request.WindowStart:yyyy-MM-dd}..{request.WindowEnd:yyyy-MM-dd} has no {training.Days} consecutive working days.", PlanReasons.NoWorkingDays)
                        : AnyVenueFree(request, candidateRuns, booked, members.Count)
                            ? ($"No trainer is free on the {training.Days} consecutive working days a venue for {members.Count} people is free in the window (cohort {c + 1} of {count}).",
                                PlanReasons.TrainersBooked)
                            : ($"Every venue for {members.Count} people is booked on each run of {training.Days} consecutive working days in the window (cohort {c + 1} of {count}).",
                                PlanReasons.VenuesBooked);
                    break;
                }
                var (days, venue, trainer) = slot.Value;
                foreach (var day in days)
                {
                    booked.Add((venue.VenueId, day));
                    booked.Add((trainer.TrainerId, day));
                    taken.Add((venue.VenueId, day));
                    taken.Add((trainer.TrainerId, day));
                }
                placed.Add(new PlannedCohort(sector.SectorId, sector.SectorCode, group.Key, c + 1, venue.VenueId, trainer.TrainerId,
                    days, training.Start, training.Start.Add(training.Length), members.Select(m => m.OfficerId).ToList()));
            }
            if (failure is null)
            {
                cohorts.AddRange(placed);
                continue;
            }
            foreach (var resource in taken) booked.Remove(resource);
            unplaced.Add(new UnplacedSector(sector.SectorId, sector.SectorCode, group.Key, people.Count, failure.Value.Reason, failure.Value.Code));
        }
        return new Plan(cohorts, unplaced);
    }

    /// <summary>Cohort <paramref name="index"/> of <paramref name="count"/>: sizes differ by at most one.</summary>
    static List<Trainee> Slice(List<Trainee> people, int count, int index)
    {
        var size = people.Count / count;
        var extra = people.Count % count;
        var start = index * size + Math.Min(index, extra);
        return people.GetRange(start, size + (index < extra ? 1 : 0));
    }

    /// <summary>Every run of <paramref name="days"/> consecutive working days inside the window, earliest first.</summary>
    static List<DateOnly[]> ConsecutiveRuns(PlanRequest request, int days)
    {
        var workingDays = new List<DateOnly>();
        for (var day = request.WindowStart; day <= request.WindowEnd; day = day.AddDays(1))
            if (request.IsWorkingDay(day)) workingDays.Add(day);
        var runs = new List<DateOnly[]>();
        for (var i = 0; i + days <= workingDays.Count; i++) runs.Add(workingDays.GetRange(i, days).ToArray());
        return runs;
    }

    /// <summary>Whether some run has a venue big enough free on every day of it (so the trainers are what is missing).</summary>
    static bool AnyVenueFree(PlanRequest request, List<DateOnly[]> runs, HashSet<(Guid, DateOnly)> booked, int size) =>
        runs.Any(days => request.Venues.Any(v => v.Capacity >= size && days.All(d => !booked.Contains((v.VenueId, d)))));

    static (DateOnly[] Days, Venue Venue, Trainer Trainer)? FindSlot(PlanRequest request, List<DateOnly[]> runs, HashSet<(Guid, DateOnly)> booked, int size)
    {
        // Smallest venue that fits first, so big venues stay free for big cohorts.
        var venues = request.Venues.Where(v => v.Capacity >= size).OrderBy(v => v.Capacity).ThenBy(v => v.Name, StringComparer.Ordinal).ToList();
        foreach (var days in runs)
        {
            var venue = venues.FirstOrDefault(v => days.All(d => !booked.Contains((v.VenueId, d))));
            if (venue is null) continue;
            var trainer = request.Trainers.FirstOrDefault(t => days.All(d => !booked.Contains((t.TrainerId, d))));
            if (trainer is null) continue;
            return (days, venue, trainer);
        }
        return null;
    }
}
