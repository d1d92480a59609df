using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Reminders.Contracts;
using Reminders.Enrollment.Officers;
using Reminders.Enrollment.Tests.Infrastructure;
using Reminders.Platform.Data;

namespace Reminders.Enrollment.Tests;

/// <summary>
/// A study that had officers before arms of randomization and consent travelled: Enrollment tells the other services
/// once, at start-up, every officer's arm of randomization and the consent of those whose roster says no.
/// </summary>
public sealed class ReplicaBackfillTests : IAsyncLifetime
{
    EnrollmentApp app = null!;

    public async Task InitializeAsync()
    {
        app = await EnrollmentApp.StartWithSectorsAsync();
        await app.ImportAsync(Rosters.Good);
        await app.RandomizeAllAsync();
    }

    public async Task DisposeAsync() => await app.DisposeAsync();

    ReplicaBackfill Backfill => app.Services.GetRequiredService<ReplicaBackfill>();

    [Fact]
    public async Task A_new_study_needs_no_backfill()
    {
        Assert.False(await Backfill.RunAsync(CancellationToken.None));
        Assert.Equal(0, await app.CountAsync("SELECT COUNT(*) FROM replica_backfills"));
    }

    [Fact]
    public async Task An_upgraded_study_announces_every_arm_and_each_consent_no_once()
    {
        // As the migration leaves a study that already had officers.
        await using (var connection = await app.Services.GetRequiredService<EnrollmentDatabase>().OpenAsync())
            await connection.ExecuteAsync("INSERT INTO replica_backfills (name, requested_at) VALUES (@name, @now)",
                new { name = ReplicaBackfill.Name, now = DateTimeOffset.UtcNow });
        // The randomization's own events may still be on their way out: counted before, or they would pass for the backfill's.
        await Eventually.OutboxDrainedAsync(app);
        var before = (app.Bus.Published<OfficerArmsAssigned>().Count, app.Bus.Published<OfficerConsentChanged>().Count);

        Assert.True(await Backfill.RunAsync(CancellationToken.None));
        Assert.False(await Backfill.RunAsync(CancellationToken.None));

        var officers = await app.OfficersAsync();
        await Eventually.UntilAsync(app, () => app.Bus.Published<OfficerArmsAssigned>().Count == before.Item1 + 1
            && app.Bus.Published<OfficerConsentChanged>().Count == before.Item2 + 1, "the backfill's events");
        var arms = app.Bus.Published<OfficerArmsAssigned>().Last().Officers;
        Assert.Equal(officers.Select(o => (o.Id, o.RandomizedArm)).Order(), arms.Select(a => (a.OfficerId, (string?)a.Arm)).Order());
        var consent = app.Bus.Published<OfficerConsentChanged>().Last();
        Assert.Equal((officers.Single(o => o.Badge == "B-003").Id, false), (consent.OfficerId, consent.Consent));
    }
}
