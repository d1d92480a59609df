using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using Reminders.Enrollment.Randomization;
using Reminders.Testing;

namespace Reminders.Enrollment.Tests;

/// <summary>
/// The Python reference printed in README.md ("Randomization algorithm"), extracted from the README itself and run by
/// python3, gives the same arms and sector-list hash as the C# code: the documentation and the code cannot drift apart.
/// </summary>
public sealed partial class RandomizationReferenceTests
{
    [GeneratedRegex(@"<!-- reference-allocation:start -->\s*```python\n(?<code>.*?)```\s*<!-- reference-allocation:end -->", RegexOptions.Singleline)]
    private static partial Regex ReferenceBlock();

    /// <summary>Reads cases as JSON on stdin, answers each with its arms and hash on stdout.</summary>
    const string Harness = """

        import json, sys
        out = []
        for case in json.load(sys.stdin):
            sectors = [tuple(s) for s in case["sectors"]]
            out.append({"arms": allocate(sectors, case["seed"], case["share"]), "hash": sector_list_hash(sectors)})
        json.dump(out, sys.stdout)
        """;

    sealed record Case(long Seed, double Share, IReadOnlyList<SectorForRandomization> Sectors, string[] Columns);

    sealed record PythonAnswer(Dictionary<string, string> Arms, string Hash);

    [Fact]
    public async Task The_readme_python_reference_gives_the_same_allocation_as_the_code_for_many_seeds_lists_and_shares()
    {
        var random = new Random(2024);  // only to generate test inputs
        var cases = new List<Case>
        {
            new(RandomizationTestData.GoldenSeed, 0.5, RandomizationTestData.GoldenSectors, RandomizationTestData.GoldenStrata),
            new(-42, 1.0 / 3, RandomizationTestData.GoldenSectors, RandomizationTestData.GoldenStrata),
            new(long.MaxValue, 0.5, RandomizationTestData.GoldenSectors, ["alcaldia"]),
            new(long.MinValue, 0.3, RandomizationTestData.GoldenSectors, []),
        };
        while (cases.Count < 150)
        {
            var (sectors, columns) = SectorRandomizerTests.RandomSectors(random);
            var share = random.Next(3) switch { 0 => 0.5, 1 => 1.0 / 3, _ => Math.Round(random.NextDouble() * 0.8 + 0.1, 2) };
            var total = StratifiedRandomizer.TreatedCount(sectors.Count, share);
            if (total > 0 && total < sectors.Count) cases.Add(new Case(random.NextInt64(long.MinValue, long.MaxValue), share, sectors, columns));
        }
        var allocations = cases.Select(c => StratifiedRandomizer.Allocate(c.Sectors, c.Seed, c.Columns, c.Share)).ToList();

        var answers = await RunReferenceAsync(cases.Select((c, i) => new
        {
            seed = c.Seed, share = c.Share, sectors = allocations[i].Sectors.Select(s => new[] { s.Code, s.Stratum }).Reverse(),
        }));

        Assert.Equal(cases.Count, answers.Count);
        for (var i = 0; i < cases.Count; i++)
        {
            Assert.Equal(allocations[i].SectorListHash, answers[i].Hash);
            Assert.Equal(allocations[i].Sectors.ToDictionary(s => s.Code, s => s.Arm), answers[i].Arms);
        }
    }

    static async Task<List<PythonAnswer>> RunReferenceAsync(object cases)
    {
        var readme = await File.ReadAllTextAsync(Path.Combine(TestEnvironment.RepositoryRoot, "README.md"));
        var match = ReferenceBlock().Match(readme);
        Assert.True(match.Success, "README.md has no ```python block between <!-- reference-allocation:start --> and <!-- reference-allocation:end -->");
        var script = Path.Combine(Path.GetTempPath(), $"reference-allocation-{Guid.NewGuid():N}.py");
        await File.WriteAllTextAsync(script, match.Groups["code"].Value + Harness);
        try
        {
            var info = new ProcessStartInfo("python3", [script])
            {
                RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            };
            info.Environment["PYTHONIOENCODING"] = "utf-8";
            using var python = Process.Start(info)!;
            var output = python.StandardOutput.ReadToEndAsync();
            var errors = python.StandardError.ReadToEndAsync();
            await python.StandardInput.WriteAsync(JsonSerializer.Serialize(cases));
            python.StandardInput.Close();
            await python.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
            Assert.True(python.ExitCode == 0, $"python3 exited with {python.ExitCode}: {await errors}");
            return JsonSerializer.Deserialize<List<PythonAnswer>>(await output, JsonSerializerOptions.Web)!;
        }
        finally
        {
            File.Delete(script);
        }
    }
}
