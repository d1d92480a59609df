using System.Diagnostics;
using Reminders.Contracts;
using Reminders.Enrollment.Randomization;

namespace Reminders.Enrollment.Tests;

/// <summary>The pure allocation (<see cref="StratifiedRandomizer"/>): balance, exact totals, determinism, its refusals.</summary>
public sealed class SectorRandomizerTests
{
    static readonly IReadOnlyList<string> NoStrata = [];

    static List<SectorForRandomization> Plain(int count) =>
        Enumerable.Range(1, count).Select(i => new SectorForRandomization($"S{i:000}", new Dictionary<string, string>())).ToList();

    static HashSet<string> Treated(Allocation allocation) =>
        allocation.Sectors.Where(s => s.Arm == StudyArms.Treatment).Select(s => s.Code).ToHashSet();

    [Fact]
    public void The_same_list_seed_strata_and_share_give_the_same_allocation()
    {
        var sectors = RandomizationTestData.GoldenSectors;

        var first = StratifiedRandomizer.Allocate(sectors, 20240901, ["alcaldia", "size"], 0.5);
        var second = StratifiedRandomizer.Allocate(sectors.ToList(), 20240901, ["alcaldia", "size"], 0.5);

        Assert.Equal(first.Sectors, second.Sectors);
        Assert.Equal(first.SectorListHash, second.SectorListHash);
        Assert.Equal("stratified-sha256-v1", first.AlgorithmVersion);
    }

    [Fact]
    public void Different_seeds_give_different_allocations_of_sixty_sectors()
    {
        var allocations = new[] { 1L, 2L, 42L, 20240901L, -7L, long.MaxValue, long.MinValue }
            .Select(seed => Treated(StratifiedRandomizer.Allocate(Plain(60), seed, NoStrata, 0.5))).ToList();

        for (var i = 0; i < allocations.Count; i++)
            for (var j = i + 1; j < allocations.Count; j++)
                Assert.False(allocations[i].SetEquals(allocations[j]), $"seeds #{i} and #{j} gave the same allocation");
    }

    [Theory]
    [InlineData(60, 0.5, 30)]
    [InlineData(61, 0.5, 31)]
    [InlineData(7, 0.5, 4)]
    [InlineData(2, 0.5, 1)]
    [InlineData(60, 1.0 / 3, 20)]
    [InlineData(10, 1.0 / 3, 3)]
    [InlineData(5, 0.3, 2)]
    public void Exactly_the_share_of_sectors_rounded_half_up_is_treated(int sectors, double share, int treated)
    {
        var allocation = StratifiedRandomizer.Allocate(Plain(sectors), 99, NoStrata, share);

        Assert.Equal(sectors, allocation.Sectors.Count);
        Assert.Equal(treated, allocation.TreatedCount);
        Assert.Equal(treated, allocation.Sectors.Count(a => a.Arm == StudyArms.Treatment));
        Assert.Equal(sectors - treated, allocation.Sectors.Count(a => a.Arm == StudyArms.Control));
    }

    [Fact]
    public void The_order_in_which_sectors_are_given_does_not_matter_and_the_allocation_comes_in_code_order()
    {
        var sectors = RandomizationTestData.GoldenSectors;
        var expected = StratifiedRandomizer.Allocate(sectors, 7, ["alcaldia", "size"], 0.5);

        Assert.Equal(expected.Sectors, StratifiedRandomizer.Allocate(sectors.Reverse().ToList(), 7, ["alcaldia", "size"], 0.5).Sectors);
        Assert.Equal(expected.Sectors, StratifiedRandomizer.Allocate(sectors.OrderBy(_ => Random.Shared.Next()).ToList(), 7, ["alcaldia", "size"], 0.5).Sectors);
        Assert.Equal(expected.Sectors.Select(s => s.Code).Order(StringComparer.Ordinal), expected.Sectors.Select(s => s.Code));
    }

    [Fact]
    public void The_order_of_the_strata_columns_changes_the_stratum_labels_and_the_list_hash_but_not_the_arms()
    {
        var sectors = RandomizationTestData.GoldenSectors;

        var bySize = StratifiedRandomizer.Allocate(sectors, 7, ["size", "alcaldia"], 0.5);
        var byAlcaldia = StratifiedRandomizer.Allocate(sectors, 7, ["alcaldia", "size"], 0.5);

        Assert.Equal(byAlcaldia.Sectors.Select(s => (s.Code, s.Arm)), bySize.Sectors.Select(s => (s.Code, s.Arm)));
        Assert.Equal("size=large;alcaldia=Cuauhtémoc", bySize.Sectors.Single(s => s.Code == "CUH-01").Stratum);
        Assert.NotEqual(byAlcaldia.SectorListHash, bySize.SectorListHash);
    }

    [Fact]
    public void The_sector_list_hash_is_sha256_over_the_sorted_code_and_stratum_lines()
    {
        var allocation = StratifiedRandomizer.Allocate(
            [new("B", new Dictionary<string, string> { ["z"] = "2" }), new("A", new Dictionary<string, string> { ["z"] = "1" })], 1, ["z"], 0.5);

        var expected = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData("A\tz=1\nB\tz=2\n"u8));
        Assert.Equal(expected, allocation.SectorListHash);
    }

    [Fact]
    public void Property_every_stratum_is_balanced_within_one_sector_and_the_total_is_exact_over_many_seeds_and_lists()
    {
        var random = new Random(12345);  // only to generate test inputs
        for (var run = 0; run < 600; run++)
        {
            var (sectors, columns) = RandomSectors(random);
            var share = run % 2 == 0 ? 0.5 : 1.0 / 3;
            var seed = random.NextInt64(long.MinValue, long.MaxValue);
            var total = StratifiedRandomizer.TreatedCount(sectors.Count, share);
            if (total == 0 || total == sectors.Count) continue;  // refused: an arm would be empty (tested below)

            var allocation = StratifiedRandomizer.Allocate(sectors, seed, columns, share);

            var context = $"run {run}: {sectors.Count} sectors, columns [{string.Join(",", columns)}], share {share}, seed {seed}";
            Assert.True(total == (int)Math.Round(sectors.Count * share, MidpointRounding.AwayFromZero), context);
            Assert.Equal(total, allocation.Sectors.Count(s => s.Arm == StudyArms.Treatment));
            foreach (var stratum in allocation.Sectors.GroupBy(s => s.Stratum))
            {
                var treated = stratum.Count(s => s.Arm == StudyArms.Treatment);
                Assert.True(Math.Abs(treated - stratum.Count() * share) < 1, $"{context}: stratum '{stratum.Key}' has {treated} of {stratum.Count()} treated");
            }
            var again = StratifiedRandomizer.Allocate(sectors.OrderBy(_ => random.Next()).ToList(), seed, columns, share);
            Assert.Equal(allocation.Sectors, again.Sectors);
            Assert.Equal(allocation.SectorListHash, again.SectorListHash);
        }
    }

    /// <summary>2..200 sectors with 0, 1 or 2 stratum columns of 1..8 values each (strata of every size, many odd).</summary>
    internal static (List<SectorForRandomization> Sectors, string[] Columns) RandomSectors(Random random)
    {
        var columns = new[] { "alcaldia", "tamaño" }.Take(random.Next(3)).ToArray();
        var values = columns.ToDictionary(c => c, _ => random.Next(1, 9));
        var count = random.Next(2, 201);
        var prefix = random.Next(2) == 0 ? "S" : "Sector-ñ";
        var sectors = Enumerable.Range(1, count)
            .Select(i => new SectorForRandomization($"{prefix}{random.Next(1_000_000)}-{i}",
                columns.ToDictionary(c => c, c => $"v{random.Next(values[c])}")))
            .ToList();
        return (sectors, columns);
    }

    [Fact]
    public void Five_thousand_sectors_are_randomized_well_under_a_second()
    {
        var sectors = Enumerable.Range(1, 5000).Select(i => new SectorForRandomization($"SEC-{i:00000}",
            new Dictionary<string, string> { ["alcaldia"] = $"A{i % 16}", ["size"] = (i % 3).ToString() })).ToList();
        StratifiedRandomizer.Allocate(Plain(10), 1, NoStrata, 0.5);

        var stopwatch = Stopwatch.StartNew();
        var allocation = StratifiedRandomizer.Allocate(sectors, 20240901, ["alcaldia", "size"], 0.5);
        stopwatch.Stop();

        Assert.Equal(2500, allocation.TreatedCount);
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(1), $"{stopwatch.ElapsedMilliseconds} ms");
    }

    public static TheoryData<string, string[], double, string> Refusals => new()
    {
        { "one sector", [], 0.5, "sectors" },
        { "share 0", [], 0, "treatedShare" },
        { "share 1", [], 1, "treatedShare" },
        { "share 1.5", [], 1.5, "treatedShare" },
        { "share NaN", [], double.NaN, "treatedShare" },
        { "share leaves no treated sector", [], 0.05, "treatedShare" },
        { "unknown column", ["precinct"], 0.5, "strata" },
        { "column missing in one sector", ["size"], 0.5, "strata" },
        { "column twice", ["zone", "zone"], 0.5, "strata" },
        { "empty column name", [""], 0.5, "strata" },
        { "value with a semicolon", ["notes"], 0.5, "strata" },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public void Inputs_that_cannot_be_randomized_are_refused_naming_the_field(string why, string[] columns, double share, string field)
    {
        List<SectorForRandomization> sectors =
        [
            new("S1", new Dictionary<string, string> { ["zone"] = "A", ["size"] = "large", ["notes"] = "a;b" }),
            new("S2", new Dictionary<string, string> { ["zone"] = "B", ["notes"] = "c" }),
            new("S3", new Dictionary<string, string> { ["zone"] = "B", ["notes"] = "d" }),
        ];
        if (why == "one sector") sectors = sectors.Take(1).ToList();

        var refusal = Assert.Throws<RandomizationInputException>(() => StratifiedRandomizer.Allocate(sectors, 1, columns, share));

        Assert.Equal(field, refusal.Field);
    }
}
