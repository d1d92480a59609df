using MassTransit;
using Npgsql;
using Quartz;
using Reminders.Platform.Data;
using Reminders.Platform.Bus;
using Reminders.Platform.Hosting;
using Reminders.Platform.Protocol;
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

    public static WebApplicationBuilder AddScheduler(this WebApplicationBuilder builder)
    {
        builder.AddServiceDatabase(Name, typeof(SchedulerService).Assembly);
        builder.Services.AddStudyProtocol();
        builder.Services.AddSingleton<LogisticsSms>();
        builder.Services.AddSingleton<TrainingPlanner>();
        builder.Services.AddSingleton<CohortChanges>();
        builder.Services.AddSingleton<ReminderPlans>();
        builder.AddSmsDispatch();
        return builder;
    }

    /// <summary>
    /// The dispatcher runs as one recurring Quartz job: in memory for the one-process default, clustered on PostgreSQL
    /// (in this service's schema) when distributed, so one instance at a time runs it and another takes over when it dies.
    /// Quartz keeps real time even when the services run on an accelerated clock; the job reads the services' clock.
    /// </summary>
    static void AddSmsDispatch(this WebApplicationBuilder builder)
    {
        builder.Services.Configure<DispatchOptions>(builder.Configuration.GetSection(DispatchOptions.Section));
        builder.Services.AddSingleton<DueSmsDispatcher>();
        var interval = TimeSpan.FromMilliseconds(Math.Max(100, builder.Configuration.GetValue($"{DispatchOptions.Section}:IntervalMilliseconds", 1000)));
        var database = builder.Configuration.GetSection(DatabaseOptions.Section).Get<DatabaseOptions>() ?? new DatabaseOptions();
        builder.Services.AddQuartz(Name, q =>
        {
            q.UseTimeProvider(TimeProvider.System);
            if (database.Provider == SqlDialect.Postgres)
            {
                q.ConfigureScheduler(s => { s.InstanceId = "AUTO"; s.IdleWaitTime = TimeSpan.FromSeconds(1); });
                var connection = new NpgsqlConnectionStringBuilder(database.Postgres) { SearchPath = Name }.ConnectionString;
                q.UsePersistentStore(store =>
                {
                    store.UsePostgres(connection);
                    store.UseClustering(c => c.CheckinInterval = TimeSpan.FromSeconds(5));
                    store.ProvisionSchema();
                });
            }
            else q.UseInMemoryStore();
            q.ScheduleJob<DispatchDueSmsJob>(trigger => trigger.WithIdentity("dispatch-due-sms-every-interval", Name).WithSimpleSchedule(x => x.WithInterval(interval).RepeatForever().WithMisfireInstruction(SimpleTriggerMisfireInstruction.NextWithRemainingCount)),
                job => job.WithIdentity(DispatchDueSmsJob.Key));
        });
        builder.Services.AddQuartzHostedService(o => o.WaitForJobsToComplete = true);
    }

    public static void AddSchedulerConsumers(this IBusRegistrationConfigurator bus)
    {
        bus.AddServiceConsumer<SectorRegisteredConsumer>(Name);
        bus.AddServiceConsumer<CohortAttendanceClosedConsumer>(Name);
        bus.AddServiceConsumer<OfficerEnrolledConsumer>(Name);
        bus.AddServiceConsumer<SectorsRandomizedConsumer>(Name);
        bus.AddServiceConsumer<RandomizationVoidedConsumer>(Name);
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
        app.MapPlanFeeds();
        return app;
    }
}
