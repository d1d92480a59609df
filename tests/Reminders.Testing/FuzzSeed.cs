namespace Reminders.Testing;

/// <summary>The recorded seed of a fuzz run: FUZZ_SEED when set (to replay), otherwise a fresh one, printed either way.</summary>
public static class FuzzSeed
{
    public static int Resolve(Action<string> print)
    {
        var seed = int.TryParse(Environment.GetEnvironmentVariable("FUZZ_SEED"), out var fixedSeed) ? fixedSeed : Random.Shared.Next();
        print($"FUZZ_SEED={seed}");
        return seed;
    }

    /// <summary>Every case, or only FUZZ_CASE when set.</summary>
    public static IEnumerable<int> Cases(int count) =>
        int.TryParse(Environment.GetEnvironmentVariable("FUZZ_CASE"), out var only) ? [only] : Enumerable.Range(0, count);

    /// <summary>Each case has its own generator, so one case replays without the ones before it.</summary>
    public static Random ForCase(int seed, int index) => new(unchecked(seed * 31 + index * 1_000_003));
}
