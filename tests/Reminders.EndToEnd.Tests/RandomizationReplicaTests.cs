using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Reminders.Contracts;

namespace Reminders.EndToEnd.Tests;

/// <summary>
/// The arm replicas of the Scheduler, Messaging and Attendance follow Enrollment's randomization record whatever order its
/// events arrive in: a void removes that randomization's arms only, a later randomization replaces them, a late event of a
/// voided or older randomization changes nothing.
/// </summary>
public sealed class RandomizationReplicaTests(LocalHostFixture host) : IClassFixture<LocalHostFixture>
{
    static readonly string[] Replicas = ["scheduler", "messaging", "attendance"];

    /// <summary>Publishes with a known message id and waits until every replica's consumer recorded it in its inbox.</summary>
    async Task DeliverAsync<T>(T message) where T : class
    {
        var messageId = Guid.NewGuid();
        await host.App.Services.GetRequiredService<IBus>().Publish(message, context => context.MessageId = messageId);
        for (var i = 0; ; i++)
        {
            var handled = 0L;
            foreach (var service in Replicas)
                handled += (await host.QueryAsync<long>(service, "SELECT COUNT(*) FROM inbox_messages WHERE message_id = @id", new { id = messageId.ToString() })).Single();
            if (handled == Replicas.Length) return;
            if (i > 400) throw new TimeoutException($"{typeof(T).Name} handled by {handled} of {Replicas.Length} replicas");
            await Task.Delay(25);
        }
    }

    async Task<List<string>> ArmsAsync(Guid[] sectors)
    {
        var arms = new List<string>();
        foreach (var service in Replicas)
            foreach (var sector in sectors)
            {
                var arm = (await host.QueryAsync<string>(service, "SELECT arm FROM sector_arms WHERE sector_id = @id", new { id = sector.ToString() })).SingleOrDefault();
                arms.Add($"{service}:{arm ?? "none"}");
            }
        return arms;
    }

    static List<string> Expected(params string[] armPerSector) =>
        Replicas.SelectMany(service => armPerSector.Select(arm => $"{service}:{arm}")).ToList();

    SectorsRandomized Randomized(Guid id, Guid[] sectors, string firstArm) =>
        new(id, 1, sectors.Select((s, i) => new SectorArm(s, i == 0 ? firstArm : StudyArms.Control)).ToList(), host.Now());

    [Fact]
    public async Task A_void_clears_the_arms_and_a_later_randomization_replaces_them()
    {
        Guid[] sectors = [Guid.NewGuid(), Guid.NewGuid()];
        var first = Guid.CreateVersion7();
        var second = Guid.CreateVersion7(host.Now().AddSeconds(1));

        await DeliverAsync(Randomized(first, sectors, StudyArms.Treatment));
        Assert.Equal(Expected(StudyArms.Treatment, StudyArms.Control), await ArmsAsync(sectors));

        await DeliverAsync(new RandomizationVoided(first, sectors, host.Now()));
        Assert.Equal(Expected("none", "none"), await ArmsAsync(sectors));

        await DeliverAsync(Randomized(second, sectors, StudyArms.Control));
        Assert.Equal(Expected(StudyArms.Control, StudyArms.Control), await ArmsAsync(sectors));
    }

    [Fact]
    public async Task Late_events_of_a_voided_or_older_randomization_change_nothing()
    {
        Guid[] sectors = [Guid.NewGuid(), Guid.NewGuid()];
        var first = Guid.CreateVersion7();
        var second = Guid.CreateVersion7(host.Now().AddSeconds(1));

        // The newer randomization arrives first, then the older one's allocation and its void.
        await DeliverAsync(Randomized(second, sectors, StudyArms.Control));
        await DeliverAsync(Randomized(first, sectors, StudyArms.Treatment));
        Assert.Equal(Expected(StudyArms.Control, StudyArms.Control), await ArmsAsync(sectors));
        await DeliverAsync(new RandomizationVoided(first, sectors, host.Now()));
        Assert.Equal(Expected(StudyArms.Control, StudyArms.Control), await ArmsAsync(sectors));

        // A void that arrives before its randomization: that randomization's arms never appear.
        var voidedEarly = Guid.CreateVersion7(host.Now().AddSeconds(2));
        Guid[] others = [Guid.NewGuid()];
        await DeliverAsync(new RandomizationVoided(voidedEarly, others, host.Now()));
        await DeliverAsync(Randomized(voidedEarly, others, StudyArms.Treatment));
        Assert.Equal(Expected("none"), await ArmsAsync(others));
    }
}
