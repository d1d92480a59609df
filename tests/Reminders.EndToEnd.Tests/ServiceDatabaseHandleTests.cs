using System.Collections.Concurrent;
using System.Diagnostics;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Reminders.Attendance;
using Reminders.Contracts;
using Reminders.Enrollment;
using Reminders.Messaging;
using Reminders.Platform.Data;
using Reminders.Scheduler;

namespace Reminders.EndToEnd.Tests;

/// <summary>
/// The one-process host holds the four services' databases in one container: each service's typed handle must be the
/// very instance Platform's generic pieces (outbox relay, migrator, gauges, replica consumers) get by the service's key.
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

    [Fact]
    public async Task A_commit_through_a_typed_database_wakes_its_outbox_relay_at_once()
    {
        var relayed = new PublishedMessages();
        using var observer = host.App.Services.GetRequiredService<IBus>().ConnectPublishObserver(relayed);
        var database = host.App.Services.GetRequiredService<SchedulerDatabase>();

        var latencies = new List<TimeSpan>();
        for (var i = 0; i < 10; i++)
        {
            await using var work = await database.BeginAsync();
            var published = relayed.Expect(work.Publish(new OfficerEnrolled(Guid.CreateVersion7(), Guid.CreateVersion7(), "officer", host.Now())));
            await work.CommitAsync();
            var clock = Stopwatch.StartNew();
            await published.WaitAsync(TimeSpan.FromSeconds(10));
            latencies.Add(clock.Elapsed);
        }

        // Left to its 1 s sweep, the relay would publish each of these back-to-back commits about a second late.
        var median = latencies.Order().ElementAt(latencies.Count / 2);
        Assert.True(median < TimeSpan.FromMilliseconds(250),
            $"commit → publish took {string.Join(", ", latencies.Select(l => $"{l.TotalMilliseconds:F0} ms"))}");
    }

    sealed class PublishedMessages : IPublishObserver
    {
        readonly ConcurrentDictionary<Guid, TaskCompletionSource> expected = new();

        public Task Expect(Guid messageId) =>
            expected.GetOrAdd(messageId, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

        public Task PostPublish<T>(PublishContext<T> context) where T : class
        {
            if (context.MessageId is { } id && expected.TryGetValue(id, out var published)) published.TrySetResult();
            return Task.CompletedTask;
        }

        public Task PrePublish<T>(PublishContext<T> context) where T : class => Task.CompletedTask;

        public Task PublishFault<T>(PublishContext<T> context, Exception exception) where T : class => Task.CompletedTask;
    }
}
