using Microsoft.Extensions.DependencyInjection;
using Reminders.Attendance;
using Reminders.Enrollment;
using Reminders.Messaging;
using Reminders.Platform.Data;
using Reminders.Scheduler;

namespace Reminders.EndToEnd.Tests;

/// <summary>
/// The one-process host holds the four services' databases in one container: each service's typed handle must be the
/// very instance Platform's generic pieces (outbox relay, migrator, gauges, replica consumers) get by the service's key:
/// one connection pool, and one outbox signal, so a commit through either wakes the relay.
/// </summary>
public sealed class ServiceDatabaseHandleTests(LocalHostFixture host) : IClassFixture<LocalHostFixture>
{
    [Fact]
    public void Each_service_typed_database_is_the_instance_keyed_by_its_name()
    {
        var services = host.App.Services;
        (ServiceDatabase Typed, string Service)[] databases =
        [
            (services.GetRequiredService<EnrollmentDatabase>(), EnrollmentService.Name),
            (services.GetRequiredService<SchedulerDatabase>(), SchedulerService.Name),
            (services.GetRequiredService<MessagingDatabase>(), MessagingService.Name),
            (services.GetRequiredService<AttendanceDatabase>(), AttendanceService.Name),
        ];

        foreach (var (typed, service) in databases)
        {
            Assert.Same(services.GetRequiredKeyedService<ServiceDatabase>(service), typed);
            Assert.Same(typed, services.GetRequiredKeyedService<ServiceDatabase>(service));
            Assert.Equal(service, typed.Service);
        }
        Assert.Equal(4, databases.Select(d => d.Typed).Distinct().Count());
    }
}
