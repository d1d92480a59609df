using System.Net;
using System.Net.Http.Json;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Reminders.Contracts;
using Reminders.Enrollment.Randomization;
using Reminders.Enrollment.Tests.Infrastructure;

namespace Reminders.Enrollment.Tests;

/// <summary>The randomization record on PostgreSQL (the distributed mode): its own database, schema "enrollment".</summary>
public sealed class RandomizationPostgresTests : IAsyncLifetime
{
    EnrollmentApp app = null!;

    public async Task InitializeAsync() => app = await EnrollmentApp.StartAsync(postgres: true);
    public async Task DisposeAsync() => await app.DisposeAsync();

    [Fact]
    public async Task The_golden_allocation_is_committed_once_and_survives_a_restart()
    {
        await RandomizationTestData.InsertSectorsAsync(app, RandomizationTestData.GoldenSectors);

        var response = await app.RandomizeAsync(RandomizationTestData.GoldenSeed, RandomizationTestData.GoldenStrata);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var committed = await response.ReadResultAsync();
        Assert.Equal(HttpStatusCode.Conflict, (await app.RandomizeAsync(6)).StatusCode);

        app = await app.RestartAsync();

        var csv = await app.Client(EnrollmentApp.ResearcherKey).GetByteArrayAsync($"/api/enrollment/randomizations/{committed.Id}/allocation.csv");
        Assert.Equal(await File.ReadAllBytesAsync(RandomizationTestData.GoldenCsvPath), csv);
        var current = await app.Client().GetFromJsonAsync<RandomizationRecord>("/api/enrollment/randomizations/current");
        Assert.Equal((committed.Id!.Value, RandomizationTestData.GoldenSectorListHash, 0.5), (current!.Id, current.SectorListHash, current.TreatedShare));
        Assert.Equal(HttpStatusCode.Conflict, (await app.RandomizeAsync(7, RandomizationTestData.GoldenStrata)).StatusCode);
        Assert.Equal(1, await app.CountAsync("SELECT COUNT(*) FROM randomizations"));
    }

    [Fact]
    public async Task Of_concurrent_commits_exactly_one_succeeds_and_one_allocation_is_published()
    {
        await RandomizationTestData.InsertSectorsAsync(app, RandomizationTestData.GoldenSectors);

        var responses = await Task.WhenAll(Enumerable.Range(1, 4).Select(seed =>
            Task.Run(() => app.RandomizeAsync(seed, RandomizationTestData.GoldenStrata))));

        Assert.Equal([HttpStatusCode.Created, HttpStatusCode.Conflict, HttpStatusCode.Conflict, HttpStatusCode.Conflict], responses.Select(r => r.StatusCode).Order());
        Assert.Equal(1, await app.CountAsync("SELECT COUNT(*) FROM randomizations"));
        Assert.Equal(60, await app.CountAsync("SELECT COUNT(*) FROM allocation"));
        await Eventually.UntilAsync(app, () => app.Bus.Published<SectorsRandomized>().Count >= 1, "SectorsRandomized is published");
        // The bus sees the event before the relay deletes its outbox row: wait for the delete rather than race it.
        await RandomizationTestData.UntilCountAsync(app, "SELECT COUNT(*) FROM outbox_messages", 0, "the outbox is relayed");
        var published = Assert.Single(app.Bus.Published<SectorsRandomized>());
        var arms = await RandomizationTestData.ArmsAsync(app);
        var codes = (await responses.Single(r => r.StatusCode == HttpStatusCode.Created).ReadResultAsync()).Assignments.ToDictionary(a => a.SectorId, a => a.SectorCode);
        Assert.All(published.Assignments, a => Assert.Equal(a.Arm, arms[codes[a.SectorId]]));
    }

    [Fact]
    public async Task A_void_allows_a_new_commit_and_after_an_accepted_sms_no_void_is_possible()
    {
        await RandomizationTestData.InsertZonedSectorsAsync(app, 6);
        var first = await (await app.RandomizeAsync(1, ["zone"])).ReadResultAsync();

        Assert.Equal(HttpStatusCode.OK, (await app.VoidAsync(first.Id!.Value)).StatusCode);
        var second = await app.RandomizeAsync(2, ["zone"]);
        Assert.Equal(HttpStatusCode.Created, second.StatusCode);
        var secondId = (await second.ReadResultAsync()).Id!.Value;

        await app.Services.GetRequiredService<IBus>().Publish(new SmsAccepted(Guid.NewGuid(), Guid.NewGuid(), SmsPurposes.Manual, "SM1", 1, DateTimeOffset.UtcNow));
        await RandomizationTestData.UntilCountAsync(app, "SELECT COUNT(*) FROM study_activity", 1, "the SMS is recorded as study activity");

        Assert.Equal(HttpStatusCode.Conflict, (await app.VoidAsync(secondId)).StatusCode);
        var all = await app.Client().GetFromJsonAsync<List<RandomizationRecord>>("/api/enrollment/randomizations");
        Assert.Equal(["voided", "committed"], all!.Select(r => r.Status));
    }

    [Fact]
    public async Task Dry_runs_and_a_pre_registered_seed_are_recorded_and_checked_on_postgres()
    {
        await RandomizationTestData.InsertZonedSectorsAsync(app, 6);
        var dryRun = await (await app.RandomizeAsync(9, ["zone"], dryRun: true)).ReadResultAsync();
        var registered = await app.Client().PostAsJsonAsync("/api/enrollment/randomizations/seed-commitments", new { seedSha256 = SeedCommitments.Sha256Of(7) });
        Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
        var replacement = await app.Client().PostAsJsonAsync("/api/enrollment/randomizations/seed-commitments", new { seedSha256 = SeedCommitments.Sha256Of(9) });
        Assert.Equal(HttpStatusCode.Created, replacement.StatusCode);

        Assert.Equal(HttpStatusCode.Conflict, (await app.RandomizeAsync(7, ["zone"])).StatusCode);
        Assert.Equal(0, await app.CountAsync("SELECT COUNT(*) FROM randomizations"));
        var committed = await (await app.RandomizeAsync(9, ["zone"])).ReadResultAsync();

        var record = (await app.Client().GetFromJsonAsync<RandomizationRecord>("/api/enrollment/randomizations/current"))!;
        Assert.Equal((true, "used", dryRun.AllocationHash, committed.Id), (record.PreRegistered, record.SeedCommitment!.Status, record.AllocationHash, record.SeedCommitment.RandomizationId));
        Assert.Equal([dryRun.DryRunId!.Value], record.DryRuns!.Select(d => d.Id));
        Assert.Equal(1, await app.CountAsync("SELECT COUNT(*) FROM seed_commitments WHERE status = 'replaced'"));
    }
}
