using Quartz;

namespace Reminders.Scheduler.Dispatch;

/// <summary>One recurring job for every planned SMS: it claims due rows in batches (one trigger per SMS would not scale).</summary>
[DisallowConcurrentExecution]
public sealed class DispatchDueSmsJob(DueSmsDispatcher dispatcher) : IJob
{
    public static readonly JobKey Key = new("dispatch-due-sms", SchedulerService.Name);

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default) =>
        await dispatcher.DispatchDueAsync(cancellationToken);
}
