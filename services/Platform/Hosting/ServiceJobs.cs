using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Quartz;
using Reminders.Platform.Data;

namespace Reminders.Platform.Hosting;

/// <summary>
/// A service's recurring jobs: one Quartz scheduler named after the service, in memory for the one-process default and
/// clustered on PostgreSQL (in the service's own schema) when distributed, so one instance at a time runs each job and
/// another takes over when it dies. Quartz keeps real time even when the services run on a study clock; jobs read the
/// services' clock. Jobs are few and claim their work from the service's tables in batches (one trigger per SMS
/// would not scale).
/// </summary>
public static class ServiceJobs
{
    public static WebApplicationBuilder AddServiceJobs(this WebApplicationBuilder builder, string service, Action<IQuartzBuilder> jobs)
    {
        var database = builder.Configuration.GetSection(DatabaseOptions.Section).Get<DatabaseOptions>() ?? new DatabaseOptions();
        builder.Services.AddQuartz(service, q =>
        {
            q.UseTimeProvider(TimeProvider.System);
            if (database.Provider == SqlDialect.Postgres)
            {
                // A short idle wait: a clustered node otherwise takes ~30 s to pick up a trigger another node left.
                q.ConfigureScheduler(s => { s.InstanceId = "AUTO"; s.IdleWaitTime = TimeSpan.FromSeconds(1); });
                var connection = new NpgsqlConnectionStringBuilder(database.Postgres) { SearchPath = service }.ConnectionString;
                q.UsePersistentStore(store =>
                {
                    store.UsePostgres(connection);
                    store.UseClustering(c => c.CheckinInterval = TimeSpan.FromSeconds(5));
                    store.ProvisionSchema();
                });
            }
            else q.UseInMemoryStore();
            jobs(q);
        });
        builder.Services.AddQuartzHostedService(o => o.WaitForJobsToComplete = true);
        return builder;
    }

    /// <summary>Runs <typeparamref name="TJob"/> every <paramref name="interval"/>; a run missed while down is not made up.</summary>
    public static IQuartzBuilder ScheduleRecurring<TJob>(this IQuartzBuilder q, JobKey key, TimeSpan interval) where TJob : IJob =>
        q.ScheduleJob<TJob>(trigger => trigger.WithIdentity($"{key.Name}-every-interval", key.Group)
                .WithSimpleSchedule(x => x.WithInterval(interval).RepeatForever().WithMisfireInstruction(SimpleTriggerMisfireInstruction.NextWithRemainingCount)),
            job => job.WithIdentity(key));
}
