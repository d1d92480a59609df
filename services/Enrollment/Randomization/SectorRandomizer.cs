using Reminders.Contracts;

namespace Reminders.Enrollment.Randomization;

/// <summary>
/// Cluster randomization of sectors: sectors ordered by code, shuffled by a seeded Fisher–Yates, the first half
/// (rounded down) to treatment. The same sectors and seed give the same allocation on any machine.
/// </summary>
public static class SectorRandomizer
{
    public static IReadOnlyList<(string Code, string Arm)> Allocate(IEnumerable<string> sectorCodes, long seed)
    {
        var codes = sectorCodes.OrderBy(c => c, StringComparer.Ordinal).ToArray();
        // System.Random with a seed uses the legacy algorithm, fixed across .NET versions.
        var random = new Random(unchecked((int)(seed ^ (seed >> 32))));
        for (var i = codes.Length - 1; i > 0; i--)
        {
            var j = random.Next(i + 1);
            (codes[i], codes[j]) = (codes[j], codes[i]);
        }
        var treated = codes.Length / 2;
        return codes.Select((code, i) => (code, i < treated ? StudyArms.Treatment : StudyArms.Control))
            .OrderBy(a => a.code, StringComparer.Ordinal).ToList();
    }
}
