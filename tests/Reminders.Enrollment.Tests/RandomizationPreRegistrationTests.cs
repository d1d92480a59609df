using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Reminders.Enrollment.Randomization;
using Reminders.Enrollment.Tests.Infrastructure;

namespace Reminders.Enrollment.Tests;

/// <summary>Seed shopping made visible: every dry run is recorded, and a seed's SHA-256 may be registered before the draw.</summary>
public sealed class RandomizationPreRegistrationTests : IAsyncLifetime
{
    EnrollmentApp app = null!;

    public async Task InitializeAsync()
    {
        app = await EnrollmentApp.StartAsync();
        await RandomizationTestData.InsertZonedSectorsAsync(app, 8);
    }

    public async Task DisposeAsync() => await app.DisposeAsync();

    const string Randomizations = "/api/enrollment/randomizations";

    /// <summary>What a manager hashes before the draw: the seed's decimal text in UTF-8 (<c>printf %s 123456789 | sha256sum</c>).</summary>
    static string Sha256(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    /// <summary>The allocation hash as the README defines it: SHA-256 over "code\tstratum\tarm\n" lines sorted by their UTF-8 bytes.</summary>
    static string AllocationHash(IEnumerable<AllocatedSector> sectors) =>
        Sha256(string.Concat(sectors.Select(s => $"{s.SectorCode}\t{s.Stratum}\t{s.Arm}\n").Order(StringComparer.Ordinal)));

    Task<HttpResponseMessage> RegisterAsync(string? seedSha256, string? key = EnrollmentApp.ManagerKey) =>
        app.Client(key).PostAsJsonAsync($"{Randomizations}/seed-commitments", new { seedSha256 });

    async Task<SeedCommitment> RegisterSeedAsync(long seed)
    {
        var response = await RegisterAsync(Sha256(seed.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<SeedCommitment>())!;
    }

    async Task<RandomizationApi.RandomizationResult> RandomizeAsync(long seed, bool dryRun, HttpStatusCode expected)
    {
        var response = await app.RandomizeAsync(seed, ["zone"], dryRun: dryRun);
        Assert.True(response.StatusCode == expected, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return await response.ReadResultAsync();
    }

    static async Task<JsonElement> ProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        Assert.True(response.StatusCode == status, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    [Fact]
    public async Task Every_dry_run_is_recorded_with_who_when_seed_and_allocation_hash_and_shown_in_the_record_it_preceded()
    {
        var first = await RandomizeAsync(5, dryRun: true, HttpStatusCode.OK);
        var second = await RandomizeAsync(6, dryRun: true, HttpStatusCode.OK);

        Assert.NotNull(first.DryRunId);
        Assert.Equal(AllocationHash(first.Assignments), first.AllocationHash);
        Assert.Equal(AllocationHash(second.Assignments), second.AllocationHash);
        Assert.NotEqual(first.AllocationHash, second.AllocationHash);
        var dryRuns = (await app.Client(EnrollmentApp.ResearcherKey).GetFromJsonAsync<List<DryRunRecord>>($"{Randomizations}/dry-runs"))!;
        Assert.Equal(
            [(first.DryRunId!.Value, 5L, first.AllocationHash!, "ana-manager", (Guid?)null), (second.DryRunId!.Value, 6L, second.AllocationHash!, "ana-manager", null)],
            dryRuns.Select(d => (d.Id, d.Seed, d.AllocationHash, d.RequestedBy, d.RandomizationId)));
        Assert.All(dryRuns, d => Assert.Equal(("zone", 0.5, first.SectorListHash, 8, 4), (string.Join(";", d.Strata), d.TreatedShare, d.SectorListHash, d.SectorCount, d.TreatedCount)));
        Assert.True(dryRuns[0].CreatedAt <= dryRuns[1].CreatedAt && dryRuns[1].CreatedAt <= DateTimeOffset.UtcNow);
        Assert.Equal(0, await app.CountAsync("SELECT COUNT(*) FROM randomizations"));

        var committed = await RandomizeAsync(6, dryRun: false, HttpStatusCode.Created);

        var record = (await app.Client(EnrollmentApp.ResearcherKey).GetFromJsonAsync<RandomizationRecord>($"{Randomizations}/{committed.Id}"))!;
        Assert.Equal(second.AllocationHash, record.AllocationHash);
        Assert.Equal([(5L, first.AllocationHash!), (6L, second.AllocationHash!)], record.DryRuns!.Select(d => (d.Seed, d.AllocationHash)));
        Assert.False(record.PreRegistered);
        Assert.Null(record.SeedCommitment);
        Assert.Equal(record.DryRuns!.Select(d => d.Id), (await app.Client().GetFromJsonAsync<RandomizationRecord>($"{Randomizations}/current"))!.DryRuns!.Select(d => d.Id));

        // A dry run after a void belongs to the next draw; the voided record keeps its own.
        Assert.Equal(HttpStatusCode.OK, (await app.VoidAsync(committed.Id!.Value)).StatusCode);
        var third = await RandomizeAsync(7, dryRun: true, HttpStatusCode.OK);
        var next = await RandomizeAsync(7, dryRun: false, HttpStatusCode.Created);
        var all = await app.Client().GetFromJsonAsync<List<RandomizationRecord>>(Randomizations);
        Assert.Equal([[5L, 6L], [7L]], all!.Select(r => r.DryRuns!.Select(d => d.Seed).ToArray()));
        Assert.Equal(next.Id, (await app.Client().GetFromJsonAsync<List<DryRunRecord>>($"{Randomizations}/dry-runs"))!.Single(d => d.Id == third.DryRunId).RandomizationId);
    }

    [Fact]
    public async Task A_commit_with_a_seed_other_than_the_registered_one_is_refused_and_writes_nothing()
    {
        var commitment = await RegisterSeedAsync(123456789);

        var problem = await ProblemAsync(await app.RandomizeAsync(987654321, ["zone"]), HttpStatusCode.Conflict);

        Assert.Equal("seed", problem.GetProperty("field").GetString());
        Assert.Contains(commitment.RegisteredAt.ToString("yyyy-MM-dd"), problem.GetProperty("detail").GetString());
        Assert.Equal(0, await app.CountAsync("SELECT COUNT(*) FROM randomizations"));
        Assert.Equal(0, await app.CountAsync("SELECT COUNT(*) FROM outbox_messages"));
        Assert.All((await RandomizationTestData.ArmsAsync(app)).Values, Assert.Null);
        Assert.Equal("pending", (await app.Client().GetFromJsonAsync<List<SeedCommitment>>($"{Randomizations}/seed-commitments"))!.Single().Status);
    }

    [Fact]
    public async Task A_commit_with_the_registered_seed_is_recorded_as_pre_registered_with_the_commitment_time()
    {
        var commitment = await RegisterSeedAsync(123456789);
        Assert.Equal((Sha256("123456789"), "ana-manager", "pending"), (commitment.SeedSha256, commitment.RegisteredBy, commitment.Status));
        var dryRun = await RandomizeAsync(123456789, dryRun: true, HttpStatusCode.OK);  // allowed with the committed seed

        var committed = await RandomizeAsync(123456789, dryRun: false, HttpStatusCode.Created);

        Assert.True(committed.PreRegistered);
        var record = (await app.Client(EnrollmentApp.ResearcherKey).GetFromJsonAsync<RandomizationRecord>($"{Randomizations}/current"))!;
        Assert.True(record.PreRegistered);
        Assert.Equal((commitment.Id, commitment.SeedSha256, commitment.RegisteredAt, "used", committed.Id),
            (record.SeedCommitment!.Id, record.SeedCommitment.SeedSha256, record.SeedCommitment.RegisteredAt, record.SeedCommitment.Status, record.SeedCommitment.RandomizationId));
        Assert.True(record.SeedCommitment.RegisteredAt <= record.CreatedAt);
        Assert.Equal([dryRun.AllocationHash], record.DryRuns!.Select(d => d.AllocationHash));
        Assert.Equal(dryRun.AllocationHash, record.AllocationHash);
        // A used commitment cannot change: registering another while the draw stands is refused.
        Assert.Equal("seedSha256", (await ProblemAsync(await RegisterAsync(Sha256("42")), HttpStatusCode.Conflict)).GetProperty("field").GetString());
        Assert.Equal("used", (await app.Client().GetFromJsonAsync<List<SeedCommitment>>($"{Randomizations}/seed-commitments"))!.Single().Status);
    }

    [Fact]
    public async Task A_new_commitment_before_the_draw_replaces_the_old_one_which_stays_in_the_history()
    {
        var old = await RegisterSeedAsync(111);
        var current = await RegisterSeedAsync(222);

        await ProblemAsync(await app.RandomizeAsync(111, ["zone"]), HttpStatusCode.Conflict);
        var committed = await RandomizeAsync(222, dryRun: false, HttpStatusCode.Created);

        var history = (await app.Client(EnrollmentApp.ResearcherKey).GetFromJsonAsync<List<SeedCommitment>>($"{Randomizations}/seed-commitments"))!;
        Assert.Equal([(old.Id, "replaced", (Guid?)null), (current.Id, "used", committed.Id)], history.Select(c => (c.Id, c.Status, c.RandomizationId)));
        Assert.NotNull(history[0].ReplacedAt);
    }

    [Theory]
    [InlineData("""{"seedSha256":"xyz"}""")]
    [InlineData("""{"seedSha256":"15e2b0d3c33891ebb0f1ef609ec419420c20e320ce94c65fbc8c3312448eb22"}""")]
    [InlineData("""{"seedSha256":"15e2b0d3c33891ebb0f1ef609ec419420c20e320ce94c65fbc8c3312448eb2255"}""")]
    [InlineData("""{"seedSha256":"g5e2b0d3c33891ebb0f1ef609ec419420c20e320ce94c65fbc8c3312448eb225"}""")]
    [InlineData("""{"seedSha256":""}""")]
    [InlineData("""{}""")]
    [InlineData("""{"seedSha256":"123456789"}""")]
    public async Task A_seed_hash_that_is_not_64_hex_digits_is_400_naming_the_field(string body)
    {
        var response = await app.Client().PostAsync($"{Randomizations}/seed-commitments", new StringContent(body, Encoding.UTF8, "application/json"));

        var problem = await ProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal("seedSha256", problem.GetProperty("field").GetString());
        Assert.Contains("UTF-8", problem.GetProperty("detail").GetString());
        Assert.Equal(0, await app.CountAsync("SELECT COUNT(*) FROM seed_commitments"));
    }

    [Fact]
    public async Task Upper_case_hex_is_accepted_and_recorded_in_lower_case()
    {
        var response = await RegisterAsync(Sha256("123456789").ToUpperInvariant());

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(Sha256("123456789"), (await response.Content.ReadFromJsonAsync<SeedCommitment>())!.SeedSha256);
        Assert.True((await RandomizeAsync(123456789, dryRun: false, HttpStatusCode.Created)).PreRegistered);
    }

    [Fact]
    public async Task Only_managers_register_a_seed_managers_and_researchers_read_the_dry_runs_and_commitments()
    {
        Assert.Equal(HttpStatusCode.Forbidden, (await RegisterAsync(Sha256("1"), EnrollmentApp.ResearcherKey)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await RegisterAsync(Sha256("1"), EnrollmentApp.TrainerKey)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await RegisterAsync(Sha256("1"), key: null)).StatusCode);
        foreach (var path in new[] { "/dry-runs", "/seed-commitments" })
        {
            Assert.Equal(HttpStatusCode.OK, (await app.Client(EnrollmentApp.ResearcherKey).GetAsync(Randomizations + path)).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await app.Client(EnrollmentApp.TrainerKey).GetAsync(Randomizations + path)).StatusCode);
        }
        Assert.Equal(0, await app.CountAsync("SELECT COUNT(*) FROM seed_commitments"));
    }
}
