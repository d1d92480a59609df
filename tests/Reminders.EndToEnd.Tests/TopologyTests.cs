using Reminders.Local.Demo;
using Xunit.Abstractions;

namespace Reminders.EndToEnd.Tests;

/// <summary>Only Enrollment runs at first; the others start after it has published.</summary>
public sealed class EnrollmentFirstFixture : DistributedFixture
{
    protected override IReadOnlyList<string> StartedLater => ["Scheduler", "Messaging", "Attendance"];

    /// <summary>Exactly as compose's init containers: each service's own process declares its topology.</summary>
    protected override bool DeployTopologyPerService => true;
}

/// <summary>On a new broker, no event is lost because its subscriber's queue did not exist yet (the topology is deployed first).</summary>
[Collection(DistributedCollection.Name)]
public sealed class TopologyTests(EnrollmentFirstFixture services, ITestOutputHelper output) : IClassFixture<EnrollmentFirstFixture>, IDisposable
{
    public void Dispose()
    {
        foreach (var (name, process) in services.Services)
            output.WriteLine($"--- {name}\n{string.Join('\n', process.Output.TakeLast(40))}");
    }

    [Fact]
    public async Task Events_enrollment_publishes_before_the_other_services_start_still_reach_them_on_a_new_vhost()
    {
        // Enrollment alone: sectors, roster and randomization, each announced on the bus while nobody consumes.
        await services.Client.LoadSectorsAsync(SkeletonFlow.Sectors);
        await services.Client.ImportRosterAsync(SkeletonFlow.Roster);
        await services.Client.RandomizeAsync(SkeletonFlow.Seed, ["alcaldia"]);
        Assert.Equal(["Enrollment"], services.Services.Keys);

        await services.StartLaterAsync();

        // Every later service learned the officers, arms and phones from those events: a treatment officer's SMS goes out
        // (the Scheduler knows them, Messaging has the phone and arm, the ledger counts it), a control officer's is refused.
        var result = await SkeletonFlow.RunAsync(services.Client, new StringWriter(), TimeSpan.FromSeconds(60), alreadyLoaded: true);
        Assert.Equal(4, result.Delivered.Count);
        Assert.All(result.Delivered, sms => Assert.Equal("treatment", result.Dosage[sms.OfficerId].GetProperty("arm").GetString()));
        Assert.Equal(4, result.ControlAttempts.Count);
        Assert.All(result.ControlAttempts, attempt => Assert.Equal(409, attempt.Status));
    }
}
