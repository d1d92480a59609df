using System.Text.Json;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Reminders.Attendance.Tests.Infrastructure;
using Reminders.Contracts;

namespace Reminders.Attendance.Tests;

/// <summary>
/// The officer replica moved from per-service consumers into Platform's shared ones. Its queues and inbox keys are those the
/// per-service consumers had, so an upgraded service neither loses the messages waiting in its queues nor applies twice a
/// message the old consumer already handled.
/// </summary>
public sealed class ReplicaUpgradeTests
{
    static readonly DateTimeOffset Now = AttendanceHost.Local(2026, 12, 10, 13, 0);

    [Fact]
    public async Task The_shared_replica_consumers_listen_on_the_queues_the_per_service_consumers_had()
    {
        await using var host = AttendanceHost.Sqlite(Now);
        var probe = JsonSerializer.SerializeToElement(host.Services.GetRequiredService<IBusControl>().GetProbeResult());
        var queues = Names(probe).Where(n => n.StartsWith("attendance-") && !n.EndsWith("_error") && !n.EndsWith("_skipped")).ToHashSet();
        string[] before =
        [
            "attendance-officer-enrolled", "attendance-sectors-randomized", "attendance-randomization-voided",
            "attendance-officer-status-changed", "attendance-officer-transferred", "attendance-officer-changed",
            "attendance-officer-arms-assigned", "attendance-officer-consent-changed",
        ];
        Assert.All(before, queue => Assert.Contains(queue, queues));
    }

    [Fact]
    public async Task A_message_the_old_consumer_handled_is_not_applied_again_by_the_shared_one()
    {
        await using var host = AttendanceHost.Sqlite(Now);
        Guid handled = NewId.NextGuid(), alreadyEnrolled = Guid.NewGuid(), newlyEnrolled = Guid.NewGuid();
        // What the old Attendance OfficerEnrolledConsumer left in the inbox before the upgrade.
        await using (var work = await host.Database.BeginAsync())
        {
            Assert.True(await work.TryRecordInboxAsync(handled, "OfficerEnrolledConsumer"));
            await work.CommitAsync();
        }

        await host.DeliverAsync(new OfficerEnrolled(alreadyEnrolled, Guid.NewGuid(), "officer", Now.AddDays(-3)), handled);
        await host.DeliverAsync(new OfficerEnrolled(newlyEnrolled, Guid.NewGuid(), "officer", Now.AddDays(-3)));

        Assert.Equal(0L, await host.ScalarAsync<long>("SELECT COUNT(*) FROM officers WHERE officer_id = @id", new { id = alreadyEnrolled }));
        Assert.Equal(1L, await host.ScalarAsync<long>("SELECT COUNT(*) FROM officers WHERE officer_id = @id", new { id = newlyEnrolled }));
    }

    static IEnumerable<string> Names(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => element.EnumerateObject().SelectMany(p =>
            p.NameEquals("name") && p.Value.ValueKind == JsonValueKind.String ? [p.Value.GetString()!] : Names(p.Value)),
        JsonValueKind.Array => element.EnumerateArray().SelectMany(Names),
        _ => [],
    };
}
