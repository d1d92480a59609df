using System.Globalization;

namespace Reminders.Benchmarks;

/// <summary>A same-run baseline: how fast the simpler thing ran, and the CPU it took per unit.</summary>
/// <param name="Rate">Units a second.</param>
/// <param name="CpuMilliseconds">CPU per unit over the processes the baseline runs on.</param>
public sealed record Baseline(double Rate, double CpuMilliseconds);

/// <summary>
/// CPU time and resident memory of the processes a benchmark runs on, read from /proc: the services, RabbitMQ
/// (beam.smp) and every PostgreSQL process. CPU per SMS is what a saturated 2-core machine turns into a rate, so it is
/// the figure that shows where the work goes, whatever else the machine was doing.
/// </summary>
public sealed class ProcessCpu
{
    /// <summary>This process (the benchmark's own driver: the bus client, the SDK caller).</summary>
    public ProcessCpu AddSelf() => Add("benchmark", () => [Environment.ProcessId]);

    /// <summary>CPU milliseconds per unit that every group used between two snapshots.</summary>
    public static double MillisecondsPer(int units, Dictionary<string, Dictionary<int, double>> before, Dictionary<string, Dictionary<int, double>> after) =>
        Between(before, after).Values.Sum() * 1000 / units;

    static readonly double TicksPerSecond = 100; // USER_HZ on Linux

    readonly Dictionary<string, Func<IEnumerable<int>>> groups = [];

    public ProcessCpu Add(string name, Func<IEnumerable<int>> pids)
    {
        groups[name] = pids;
        return this;
    }

    public ProcessCpu AddByName(string name, string command) => Add(name, () => PidsOf(command));

    /// <summary>CPU seconds used so far by each group's processes (per pid, so processes that come and go are counted while alive).</summary>
    public Dictionary<string, Dictionary<int, double>> Snapshot() =>
        groups.ToDictionary(g => g.Key, g => g.Value().Distinct().ToDictionary(pid => pid, CpuSeconds));

    /// <summary>CPU seconds each group used between two snapshots.</summary>
    public static Dictionary<string, double> Between(Dictionary<string, Dictionary<int, double>> before, Dictionary<string, Dictionary<int, double>> after) =>
        after.ToDictionary(g => g.Key, g => g.Value.Sum(p => p.Value - (before.TryGetValue(g.Key, out var b) && b.TryGetValue(p.Key, out var was) ? was : 0)));

    public Dictionary<string, double> ResidentMegabytes() =>
        groups.ToDictionary(g => g.Key, g => g.Value().Distinct().Sum(ResidentKilobytes) / 1024.0);

    static IEnumerable<int> PidsOf(string command) =>
        Directory.EnumerateDirectories("/proc").Select(Path.GetFileName).Where(n => n!.All(char.IsAsciiDigit)).Select(int.Parse!)
            .Where(pid => TryRead($"/proc/{pid}/comm")?.Trim() == command);

    static double CpuSeconds(int pid)
    {
        // Fields after the command name (which may hold spaces, so split after its closing parenthesis): utime is 14th, stime 15th.
        var stat = TryRead($"/proc/{pid}/stat");
        if (stat is null) return 0;
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / TicksPerSecond;
    }

    static double ResidentKilobytes(int pid)
    {
        var line = TryRead($"/proc/{pid}/status")?.Split('\n').FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return line is null ? 0 : double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
    }

    static string? TryRead(string path)
    {
        try { return File.ReadAllText(path); }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
    }
}
