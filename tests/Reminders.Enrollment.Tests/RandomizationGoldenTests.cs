using System.Net;
using System.Net.Http.Json;
using Reminders.Enrollment.Randomization;
using Reminders.Enrollment.Tests.Infrastructure;

namespace Reminders.Enrollment.Tests;

/// <summary>
/// A fixed 60-sector list in 12 strata and a fixed seed give exactly the committed allocation
/// (Golden/allocation-60.csv, made once by the README's Python reference). If this fails, the algorithm changed:
/// that needs a new algorithm version, never an edit of the golden file.
/// </summary>
public sealed class RandomizationGoldenTests
{
    static byte[] Golden => File.ReadAllBytes(RandomizationTestData.GoldenCsvPath);

    [Fact]
    public void The_golden_sector_list_and_seed_give_exactly_the_committed_allocation()
    {
        var allocation = StratifiedRandomizer.Allocate(RandomizationTestData.GoldenSectors, RandomizationTestData.GoldenSeed, RandomizationTestData.GoldenStrata, 0.5);

        var csv = RandomizationBalance.AllocationCsv(allocation.Sectors.Select(s => (s.Code, s.Stratum, s.Arm)));

        Assert.Equal(System.Text.Encoding.UTF8.GetString(Golden), csv);
        Assert.Equal(RandomizationTestData.GoldenSectorListHash, allocation.SectorListHash);
        Assert.Equal(30, allocation.TreatedCount);
    }

    [Fact]
    public async Task The_api_commits_the_golden_allocation_and_serves_it_byte_for_byte()
    {
        await using var app = await EnrollmentApp.StartAsync();
        await RandomizationTestData.InsertSectorsAsync(app, RandomizationTestData.GoldenSectors);

        var response = await app.RandomizeAsync(RandomizationTestData.GoldenSeed, RandomizationTestData.GoldenStrata);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var result = await response.ReadResultAsync();
        Assert.Equal(RandomizationTestData.GoldenSectorListHash, result.SectorListHash);
        var csv = await app.Client(EnrollmentApp.ResearcherKey).GetByteArrayAsync($"/api/enrollment/randomizations/{result.Id}/allocation.csv");
        Assert.Equal(Golden, csv);
        var record = await app.Client().GetFromJsonAsync<RandomizationRecord>("/api/enrollment/randomizations/current");
        Assert.Equal((result.Id, RandomizationTestData.GoldenSeed, "stratified-sha256-v1", 60, 30, 0.5),
            (record!.Id, record.Seed, record.AlgorithmVersion, record.SectorCount, record.TreatedCount, record.TreatedShare));
        Assert.Equal(RandomizationTestData.GoldenStrata, record.Strata);
    }
}
