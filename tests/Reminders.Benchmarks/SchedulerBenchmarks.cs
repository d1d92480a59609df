using System.Diagnostics;
using Reminders.Scheduler.Training;

namespace Reminders.Benchmarks;

/// <summary>Planning 1,000 sectors with 100,000 officers (target &lt; 10 s), compared with only splitting them into cohorts.</summary>
public static class SchedulerBenchmarks
{
    public static void Run(BenchmarkTable table, TextWriter log)
    {
        const int sectors = 1_000, people = 100_000;
        var random = new Random(5);
        var toPlan = Enumerable.Range(0, sectors).Select(i => new SectorToPlan(Guid.NewGuid(), $"S-{i:D4}",
            Enumerable.Range(0, people / sectors).Select(k => new Trainee(Guid.NewGuid(), k < 10 ? "commander" : "officer")).ToList())).ToList();
        var venues = Enumerable.Range(0, 80).Select(i => new Venue(Guid.NewGuid(), $"Sede {i}", 30 + 10 * (i % 4))).ToList();
        var trainers = Enumerable.Range(0, 60).Select(i => new Trainer(Guid.NewGuid(), $"Instructor {i}")).ToList();
        var training = new Dictionary<string, RoleTraining>
        {
            ["officer"] = new("officer", 3, new TimeOnly(9, 0), TimeSpan.FromHours(3)),
            ["commander"] = new("commander", 3, new TimeOnly(9, 0), TimeSpan.FromHours(4)),
        };
        var request = new PlanRequest(toPlan, venues, trainers, training, new DateOnly(2027, 1, 4), new DateOnly(2027, 12, 17),
            d => d.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday));

        var baseline = Stopwatch.StartNew();
        var split = toPlan.SelectMany(s => s.Trainees.GroupBy(t => t.Role).SelectMany(g => g.Chunk(60))).Count();
        baseline.Stop();
        var stopwatch = Stopwatch.StartNew();
        var plan = CohortPlanner.Plan(request);
        stopwatch.Stop();
        if (plan.Unplaced.Count > 0) throw new InvalidOperationException($"{plan.Unplaced.Count} sectors unplaced: {plan.Unplaced[0].Reason}");
        log.WriteLine($"planning: {plan.Cohorts.Count:N0} cohorts for {sectors:N0} sectors in {stopwatch.Elapsed.TotalSeconds:F2} s ({split:N0} chunks in the baseline)");
        table.Add($"plan {sectors:N0} sectors with {people:N0} officers (cohort planner)", "< 10 s", $"{stopwatch.Elapsed.TotalSeconds:F2} s",
            $"only splitting them into cohorts: {baseline.Elapsed.TotalMilliseconds:F0} ms", stopwatch.Elapsed < TimeSpan.FromSeconds(10));
    }
}
