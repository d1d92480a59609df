using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Reminders.Enrollment.Randomization;
using Reminders.Enrollment.Tests.Infrastructure;
using Reminders.Platform.Data;
using Reminders.Testing;

namespace Reminders.Enrollment.Tests;

/// <summary>Sectors with strata and officers written straight into Enrollment's tables, and the randomization API's calls.</summary>
public static class RandomizationTestData
{
    public const long GoldenSeed = 20240901;
    public static readonly string[] GoldenStrata = ["alcaldia", "size"];
    /// <summary>SHA-256 of the golden 60-sector list (codes and strata): pinned so the list itself cannot drift.</summary>
    public const string GoldenSectorListHash = "5a869aea8aac45df38ca7384e1127ef999caac7677aaf2cc113278e912122e39";

    /// <summary>60 sectors in six alcaldías of 13, 12, 11, 9, 8 and 7, each split large/small: 12 strata, 7 of them odd.</summary>
    public static IReadOnlyList<SectorForRandomization> GoldenSectors { get; } =
    [
        .. new[] { ("CUH", "Cuauhtémoc", 13), ("IZP", "Iztapalapa", 12), ("GAM", "Gustavo A. Madero", 11), ("COY", "Coyoacán", 9), ("TLP", "Tlalpan", 8), ("BJU", "Benito Juárez", 7) }
            .SelectMany(a => Enumerable.Range(1, a.Item3).Select(i => new SectorForRandomization($"{a.Item1}-{i:00}",
                new Dictionary<string, string> { ["alcaldia"] = a.Item2, ["size"] = i % 2 == 1 ? "large" : "small" }))),
    ];

    public static string GoldenCsvPath => Path.Combine(TestEnvironment.RepositoryRoot, "tests", "Reminders.Enrollment.Tests", "Golden", "allocation-60.csv");

    static int phones;

    public static async Task<Dictionary<string, Guid>> InsertSectorsAsync(EnrollmentApp app, IEnumerable<SectorForRandomization> sectors)
    {
        var rows = sectors.Select(s => new { id = Guid.CreateVersion7(), s.Code, name = $"Sector {s.Code}", strata = JsonSerializer.Serialize(s.Strata), now = DateTimeOffset.UtcNow }).ToList();
        await using var connection = await Database(app).OpenAsync();
        await connection.ExecuteAsync("INSERT INTO sectors (id, code, name, strata, created_at, updated_at) VALUES (@id, @Code, @name, @strata, @now, @now)", rows);
        return rows.ToDictionary(r => r.Code, r => r.id);
    }

    public static async Task InsertOfficersAsync(EnrollmentApp app, Guid sectorId, int officers, int commanders, string status = "active")
    {
        var rows = Enumerable.Range(0, officers + commanders).Select(i =>
        {
            var n = Interlocked.Increment(ref phones);
            return new
            {
                id = Guid.CreateVersion7(), badge = $"R-{Guid.NewGuid():N}", name = $"Officer {n}", role = i < officers ? "officer" : "commander",
                sectorId, phone = $"+5255{n:00000000}", status, now = DateTimeOffset.UtcNow,
            };
        });
        await using var connection = await Database(app).OpenAsync();
        await connection.ExecuteAsync("""
            INSERT INTO officers (id, badge, name, role, sector_id, phone_e164, consent, status, created_at, updated_at)
            VALUES (@id, @badge, @name, @role, @sectorId, @phone, @consent, @status, @now, @now)
            """, rows.Select(r => new { r.id, r.badge, r.name, r.role, r.sectorId, r.phone, consent = true, r.status, r.now }));
    }

    /// <summary>Sectors S01..Snn in two zones (odd codes in A, even in B), no officers.</summary>
    public static Task<Dictionary<string, Guid>> InsertZonedSectorsAsync(EnrollmentApp app, int count) =>
        InsertSectorsAsync(app, Enumerable.Range(1, count).Select(i =>
            new SectorForRandomization($"S{i:00}", new Dictionary<string, string> { ["zone"] = i % 2 == 1 ? "A" : "B" })));

    /// <summary>Each sector's current arm (null: not randomized), by code.</summary>
    public static async Task<SortedDictionary<string, string?>> ArmsAsync(EnrollmentApp app)
    {
        await using var connection = await Database(app).OpenAsync();
        var rows = await connection.QueryAsync<SectorArmRow>("SELECT code AS Code, arm AS Arm FROM sectors");
        return new SortedDictionary<string, string?>(rows.ToDictionary(r => r.Code, r => r.Arm), StringComparer.Ordinal);
    }

    sealed record SectorArmRow
    {
        public string Code { get; init; } = "";
        public string? Arm { get; init; }
    }

    /// <summary>Polls a count until it is <paramref name="expected"/> (what a consumer wrote), or fails after 10 s.</summary>
    public static Task UntilCountAsync(EnrollmentApp app, string sql, long expected, string what) =>
        Eventually.UntilAsync(async () => await app.CountAsync(sql) == expected, what);

    public static EnrollmentDatabase Database(EnrollmentApp app) => app.Services.GetRequiredService<EnrollmentDatabase>();

    public static Task<HttpResponseMessage> RandomizeAsync(this EnrollmentApp app, long seed, string[]? strata = null, double? treatedShare = null,
        bool dryRun = false, string? key = EnrollmentApp.ManagerKey) =>
        app.Client(key).PostAsJsonAsync("/api/enrollment/randomizations", new { seed, strata = strata ?? [], treatedShare, dryRun });

    public static Task<HttpResponseMessage> VoidAsync(this EnrollmentApp app, Guid id, string? reason = "Wrong sector list loaded", string? key = EnrollmentApp.ManagerKey) =>
        app.Client(key).PostAsJsonAsync($"/api/enrollment/randomizations/{id}/void", new { reason });

    public static async Task<RandomizationApi.RandomizationResult> ReadResultAsync(this HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<RandomizationApi.RandomizationResult>())!;
}
