using MassTransit;
using Reminders.Platform.Bus;
using Reminders.Platform.Replica;
using Reminders.Platform.Hosting;
using Reminders.Protocol;
using Reminders.Scheduler.Dispatch;
using Reminders.Scheduler.ManualMessages;
using Reminders.Scheduler.Reminders;
using Reminders.Scheduler.Officers;
using Reminders.Scheduler.Training;

namespace Reminders.Scheduler;

/// <summary>Trainings, reminder plans and the SendSms commands that carry them out.</summary>
public static class SchedulerService
{
    public const string Name = "scheduler";

    /// <summary>This service as the owner of its copy of the officers' study facts.</summary>
    public sealed class Replica : IReplicaOwner
    {
        public static string ServiceName => Name;
    }

    public static WebApplicationBuilder AddScheduler(this WebApplicationBuilder builder)
    {
        builder.AddServiceDatabase(Name, typeof(SchedulerService).Assembly, options => new SchedulerDatabase(options));
        builder.Services.AddStudyProtocol();
        builder.Services.AddSingleton<LogisticsSms>();
        builder.Services.AddSingleton<TrainingPlanner>();
        builder.Services.AddSingleton<CohortChanges>();
        builder.Services.AddSingleton<RoleChanges>();
        builder.Services.AddSingleton<ReminderPlans>();
        builder.Services.AddSingleton<CalendarFeed>();
        builder.AddSmsDispatch();
        return builder;
    }

    /// <summary>
    /// The dispatcher: one recurring job claiming due planned SMS in batches (<see cref="ServiceJobs"/>), and one asking
    /// Messaging about those dispatched and not answered in time (over HTTP, <see cref="MessagingStates"/>).
    /// </summary>
    static void AddSmsDispatch(this WebApplicationBuilder builder)
    {
        builder.Services.Configure<DispatchOptions>(builder.Configuration.GetSection(DispatchOptions.Section));
        builder.Services.Configure<MessagingApiOptions>(builder.Configuration.GetSection(MessagingApiOptions.Section));
        builder.Services.AddSingleton<DueSmsDispatcher>();
        builder.Services.AddSingleton(DispatchMetrics.DueNotDispatched);
        builder.Services.AddHttpClient<MessagingStates>(http => http.Timeout = TimeSpan.FromSeconds(30));
        builder.Services.AddTransient<SmsRedispatcher>();
        var interval = TimeSpan.FromMilliseconds(Math.Max(50, builder.Configuration.GetValue($"{DispatchOptions.Section}:IntervalMilliseconds", 1000)));
        var redispatchInterval = TimeSpan.FromSeconds(Math.Max(1, builder.Configuration.GetValue($"{DispatchOptions.Section}:RedispatchIntervalSeconds", 60)));
        builder.AddServiceJobs(Name, q => q
            .ScheduleRecurring<DispatchDueSmsJob>(DispatchDueSmsJob.Key, interval)
            .ScheduleRecurring<RedispatchSmsJob>(RedispatchSmsJob.Key, redispatchInterval));
    }

    public static void AddSchedulerConsumers(this IBusRegistrationConfigurator bus)
    {
        bus.AddServiceConsumer<SectorRegisteredConsumer>(Name);
        bus.AddServiceConsumer<CohortAttendanceClosedConsumer>(Name);
        bus.AddServiceConsumer<LogisticsSmsAcknowledgedConsumer>(Name);
        bus.AddServiceConsumer<SmsRefusedConsumer>(Name);
        // The officer replica (Platform's); status, transfer and role changes have effects of their own here.
        bus.AddOfficerEnrolledConsumer<Replica>();
        bus.AddRandomizationConsumers<Replica>();
        bus.AddServiceConsumer<OfficerConsentChangedConsumer>(Name);
        bus.AddServiceConsumer<OfficerStatusChangedConsumer>(Name);
        bus.AddServiceConsumer<OfficerTransferredConsumer>(Name);
        bus.AddServiceConsumer<OfficerChangedConsumer>(Name);
    }

    public static IEndpointRouteBuilder MapSchedulerApi(this IEndpointRouteBuilder app)
    {
        app.MapManualMessagesApi();
        app.MapTrainingResourcesApi();
        app.MapProtocolApi();
        app.MapPlansApi();
        app.MapCohortsApi();
        app.MapDispatchApi();
        app.MapOfficerSmsApi();
        app.MapDispatchedSmsApi();
        app.MapPlanFeeds();
        app.MapFeedLinksApi();
        app.MapSessionsApi();
        app.MapErrorQueuesApi(Name);
        return app;
    }
}
