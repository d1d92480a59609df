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

/// <summary>Looks up at Messaging the SMS dispatched and not answered in time, and sends again those it never received (<see cref="SmsRedispatcher"/>).</summary>
[DisallowConcurrentExecution]
public sealed class RedispatchSmsJob(SmsRedispatcher redispatcher) : IJob
{
    public static readonly JobKey Key = new("redispatch-unanswered-sms", SchedulerService.Name);

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default) =>
        await redispatcher.RunAsync(cancellationToken);
}
