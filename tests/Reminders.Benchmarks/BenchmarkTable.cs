using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Reminders.Benchmarks;

/// <summary>One line per figure: what was measured, its target, and the same-run baseline it is compared to.</summary>
public sealed class BenchmarkTable
{
    readonly List<(string Figure, string Target, string Measured, string Baseline, bool Met)> rows = [];
    /// <summary>The machine's load when the run began: a benchmark on a busy machine is not a benchmark.</summary>
    readonly string loadAtStart = LoadAverage();

    public void Add(string figure, string target, string measured, string baseline, bool met) => rows.Add((figure, target, measured, baseline, met));

    public bool AllMet => rows.All(r => r.Met);

    public void Print(TextWriter output)
    {
        output.WriteLine();
        output.WriteLine($"machine: {Environment.MachineName}, {CpuModel()} × {Environment.ProcessorCount} cores, {MemoryGigabytes():F0} GB RAM, " +
                         $"{RuntimeInformation.OSDescription}, .NET {Environment.Version}, {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm}Z; " +
                         $"load average {loadAtStart} at the start, {LoadAverage()} at the end");
        output.WriteLine();
        output.WriteLine("| figure | target | measured | same-run baseline | met |");
        output.WriteLine("|---|---|---|---|---|");
        foreach (var r in rows) output.WriteLine($"| {r.Figure} | {r.Target} | {r.Measured} | {r.Baseline} | {(r.Met ? "PASS" : "MISS")} |");
    }

    static string CpuModel() => ReadProc("/proc/cpuinfo")?.Split('\n').FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))
        ?.Split(':', 2)[1].Trim() ?? RuntimeInformation.ProcessArchitecture.ToString();

    static double MemoryGigabytes() => ReadProc("/proc/meminfo")?.Split('\n').FirstOrDefault(l => l.StartsWith("MemTotal:", StringComparison.Ordinal))
        ?.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1] is { } kb ? double.Parse(kb, System.Globalization.CultureInfo.InvariantCulture) / 1024 / 1024 : 0;

    /// <summary>The 1-, 5- and 15-minute load averages.</summary>
    static string LoadAverage() => ReadProc("/proc/loadavg") is { } load ? string.Join(" / ", load.Split(' ').Take(3)) : "unknown";

    static string? ReadProc(string path)
    {
        try { return File.ReadAllText(path); }
        catch (IOException) { return null; }
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
