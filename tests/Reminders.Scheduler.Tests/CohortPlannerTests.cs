using Reminders.Scheduler.Training;

namespace Reminders.Scheduler.Tests;

/// <summary>The planning rules: working days only, capacity splits, no double booking, whole sectors or nothing, reasons.</summary>
public sealed class CohortPlannerTests
{
    // Weekends and the two Mexican federal holidays inside the test window (Sep 16 and Nov 16, 2026) are closed.
    static readonly HashSet<DateOnly> Holidays = [new(2026, 9, 16), new(2026, 11, 16)];
    static bool IsWorkingDay(DateOnly d) => d.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday) && !Holidays.Contains(d);

    static readonly Dictionary<string, RoleTraining> Training = new()
    {
        ["officer"] = new RoleTraining("officer", 3, new TimeOnly(9, 0), TimeSpan.FromHours(3)),
        ["commander"] = new RoleTraining("commander", 3, new TimeOnly(9, 0), TimeSpan.FromHours(4)),
    };

    static SectorToPlan Sector(string code, int officers, int commanders = 0) => new(Guid.NewGuid(), code,
        Enumerable.Range(0, officers).Select(_ => new Trainee(Guid.NewGuid(), "officer"))
            .Concat(Enumerable.Range(0, commanders).Select(_ => new Trainee(Guid.NewGuid(), "commander"))).ToList());

    static readonly Venue Small = new(Guid.NewGuid(), "Aula Norte", 30);
    static readonly Venue Large = new(Guid.NewGuid(), "Auditorio Central", 60);
    static readonly Trainer Ana = new(Guid.NewGuid(), "Ana");
    static readonly Trainer Luis = new(Guid.NewGuid(), "Luis");

    static PlanRequest Request(IReadOnlyList<SectorToPlan> sectors, IReadOnlyList<Venue>? venues = null, IReadOnlyList<Trainer>? trainers = null,
        DateOnly? from = null, DateOnly? to = null) =>
        new(sectors, venues ?? [Small, Large], trainers ?? [Ana, Luis], Training, from ?? new DateOnly(2026, 9, 10), to ?? new DateOnly(2026, 12, 18), IsWorkingDay);

    [Fact]
    public void Training_days_are_consecutive_working_days_skipping_weekends_and_holidays()
    {
        var plan = CohortPlanner.Plan(Request([Sector("CUH-01", 20)], venues: [Small], trainers: [Ana]));
        var cohort = Assert.Single(plan.Cohorts);
        // Thu 10, Fri 11, then Mon 14 (the weekend skipped); the next cohort would skip Wed 16 (Independence Day).
        Assert.Equal([new DateOnly(2026, 9, 10), new DateOnly(2026, 9, 11), new DateOnly(2026, 9, 14)], cohort.Days);
        Assert.Equal(new TimeOnly(12, 0), cohort.End);
    }

    [Fact]
    public void A_holiday_inside_a_run_is_skipped()
    {
        var plan = CohortPlanner.Plan(Request([Sector("A", 20), Sector("B", 20)], venues: [Small], trainers: [Ana]));
        Assert.Equal([new DateOnly(2026, 9, 15), new DateOnly(2026, 9, 17), new DateOnly(2026, 9, 18)], plan.Cohorts[1].Days);
        Assert.DoesNotContain(plan.Cohorts.SelectMany(c => c.Days), d => !IsWorkingDay(d));
    }

    [Fact]
    public void A_sector_larger_than_the_largest_venue_is_split_into_balanced_cohorts()
    {
        var plan = CohortPlanner.Plan(Request([Sector("IZP-01", 130)]));
        Assert.Equal([44, 43, 43], plan.Cohorts.Select(c => c.OfficerIds.Count));
        Assert.Equal(130, plan.Cohorts.SelectMany(c => c.OfficerIds).Distinct().Count());
        Assert.Equal([1, 2, 3], plan.Cohorts.Select(c => c.Number));
    }

    [Fact]
    public void The_smallest_venue_that_fits_is_used_first()
    {
        var plan = CohortPlanner.Plan(Request([Sector("A", 25), Sector("B", 55)]));
        Assert.Equal(Small.VenueId, plan.Cohorts.Single(c => c.SectorCode == "A").VenueId);
        Assert.Equal(Large.VenueId, plan.Cohorts.Single(c => c.SectorCode == "B").VenueId);
    }

    [Fact]
    public void Officers_and_commanders_get_their_own_cohorts_and_hours()
    {
        var plan = CohortPlanner.Plan(Request([Sector("A", 20, commanders: 4)]));
        Assert.Equal(new TimeOnly(12, 0), plan.Cohorts.Single(c => c.Role == "officer").End);
        Assert.Equal(new TimeOnly(13, 0), plan.Cohorts.Single(c => c.Role == "commander").End);
    }

    [Fact]
    public void Venues_and_trainers_are_never_double_booked_across_many_sectors()
    {
        var random = new Random(3);
        var sectors = Enumerable.Range(1, 40).Select(i => Sector($"S-{i:D2}", random.Next(10, 90), random.Next(1, 6))).ToList();
        var plan = CohortPlanner.Plan(Request(sectors, trainers: [Ana, Luis, new(Guid.NewGuid(), "Eva")], to: new DateOnly(2027, 6, 30)));
        Assert.Empty(plan.Unplaced);
        var venueDays = plan.Cohorts.SelectMany(c => c.Days.Select(d => (c.VenueId, d))).ToList();
        var trainerDays = plan.Cohorts.SelectMany(c => c.Days.Select(d => (c.TrainerId, d))).ToList();
        Assert.Equal(venueDays.Count, venueDays.Distinct().Count());
        Assert.Equal(trainerDays.Count, trainerDays.Distinct().Count());
        Assert.Equal(sectors.Sum(s => s.Trainees.Count), plan.Cohorts.Sum(c => c.OfficerIds.Count));
    }

    [Fact]
    public void Existing_bookings_are_respected()
    {
        var booked = new HashSet<(Guid, DateOnly)> { (Small.VenueId, new DateOnly(2026, 9, 10)) };
        var plan = CohortPlanner.Plan(Request([Sector("A", 20)], venues: [Small], trainers: [Ana]) with { Booked = booked });
        Assert.Equal(new DateOnly(2026, 9, 11), plan.Cohorts.Single().Days[0]);
    }

    [Fact]
    public void Sectors_that_do_not_fit_the_window_are_reported_with_the_reason_and_take_nothing()
    {
        // One venue, one trainer, Sep 14-24: 8 working days (Sep 16 is a holiday), room for two 3-day cohorts.
        var sectors = new[] { Sector("A", 20), Sector("B", 50), Sector("C", 20), Sector("D", 20) };
        var plan = CohortPlanner.Plan(Request(sectors, venues: [Small], trainers: [Ana], from: new DateOnly(2026, 9, 14), to: new DateOnly(2026, 9, 24)));
        // B needs two cohorts of 25; its second does not fit after A's, so B takes nothing and C gets the days B's first had held.
        Assert.Equal(["A", "C"], plan.Cohorts.Select(c => c.SectorCode));
        Assert.Equal(new DateOnly(2026, 9, 18), plan.Cohorts[1].Days[0]);
        Assert.Equal(["B", "D"], plan.Unplaced.Select(u => u.SectorCode));
        Assert.Equal(50, plan.Unplaced[0].Trainees);
        Assert.Contains("cohort 2 of 2", plan.Unplaced[0].Reason);
        Assert.Contains("cohort 1 of 1", plan.Unplaced[1].Reason);
    }

    [Fact]
    public void A_window_without_enough_working_days_says_so()
    {
        var plan = CohortPlanner.Plan(Request([Sector("A", 10)], from: new DateOnly(2026, 9, 18), to: new DateOnly(2026, 9, 21)));
        Assert.Contains("has no 3 consecutive working days", Assert.Single(plan.Unplaced).Reason);
    }

    [Fact]
    public void No_venue_or_no_trainer_is_a_reason_not_a_crash()
    {
        Assert.Equal("No venue is available.", Assert.Single(CohortPlanner.Plan(Request([Sector("A", 10)], venues: [])).Unplaced).Reason);
        Assert.Equal("No trainer is available.", Assert.Single(CohortPlanner.Plan(Request([Sector("A", 10)], trainers: [])).Unplaced).Reason);
    }

    [Fact]
    public void The_same_request_gives_the_same_plan()
    {
        var sectors = Enumerable.Range(1, 10).Select(i => Sector($"S-{i:D2}", 35)).ToList();
        var first = CohortPlanner.Plan(Request(sectors));
        var second = CohortPlanner.Plan(Request(sectors.AsEnumerable().Reverse().ToList()));
        Assert.Equal(first.Cohorts.Select(c => (c.SectorCode, c.Days[0], c.VenueId, c.TrainerId)), second.Cohorts.Select(c => (c.SectorCode, c.Days[0], c.VenueId, c.TrainerId)));
    }
}

/// <summary>RFC 5545 text escaping and line folding of the calendar feeds.</summary>
public sealed class PlanFeedsTests
{
    [Fact]
    public void Text_is_escaped_as_rfc5545_wants()
    {
        Assert.Equal("Aula 3\\, Academia\\; piso 2\\\\b\\nsalida", CalendarFeed.Escape("Aula 3, Academia; piso 2\\b\nsalida"));
    }

    [Fact]
    public void Long_lines_fold_at_75_octets_without_splitting_a_character()
    {
        var line = "SUMMARY:" + string.Concat(Enumerable.Repeat("policías ñ ", 20));
        var folded = CalendarFeed.Fold(line).Split("\r\n");
        Assert.True(folded.Length > 1);
        Assert.All(folded, part => Assert.True(System.Text.Encoding.UTF8.GetByteCount(part) <= 75));
        Assert.All(folded.Skip(1), part => Assert.StartsWith(" ", part));
        Assert.Equal(line, string.Concat(folded.Select((p, i) => i == 0 ? p : p[1..])));
    }
}
