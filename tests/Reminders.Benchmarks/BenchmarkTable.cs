using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Reminders.Benchmarks;

/// <summary>One line per figure: what was measured, its target, and the same-run baseline it is compared to.</summary>
public sealed class BenchmarkTable
{
    readonly List<(string Figure, string Target, string Measured, string Baseline, bool Met)> rows = [];

    public void Add(string figure, string target, string measured, string baseline, bool met) => rows.Add((figure, target, measured, baseline, met));

    public bool AllMet => rows.All(r => r.Met);

    public void Print(TextWriter output)
    {
        output.WriteLine();
        output.WriteLine($"machine: {Environment.MachineName}, {Environment.ProcessorCount} cores, {RuntimeInformation.OSDescription}, .NET {Environment.Version}, {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm}Z");
        output.WriteLine();
        output.WriteLine("| figure | target | measured | same-run baseline | met |");
        output.WriteLine("|---|---|---|---|---|");
        foreach (var r in rows) output.WriteLine($"| {r.Figure} | {r.Target} | {r.Measured} | {r.Baseline} | {(r.Met ? "yes" : "NO")} |");
    }

    /// <summary>The median wall time of <paramref name="runs"/> runs of <paramref name="action"/> (after one warm-up).</summary>
    public static async Task<TimeSpan> MedianAsync(int runs, Func<Task> action)
    {
        await action();
        var times = new List<TimeSpan>();
        for (var i = 0; i < runs; i++)
        {
            var stopwatch = Stopwatch.StartNew();
            await action();
            times.Add(stopwatch.Elapsed);
        }
        return times.Order().ElementAt(times.Count / 2);
    }
}
