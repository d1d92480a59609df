using Dapper;
using Reminders.Platform.Hosting;

namespace Reminders.Scheduler.Dispatch;

public static class DispatchMetrics
{
    /// <summary>Planned SMS past their due time and not dispatched (outside quiet hours they wait for the window; otherwise it is a backlog).</summary>
    public static readonly DatabaseGauge DueNotDispatched = DatabaseGauge.Single(SchedulerService.Name, "reminders.scheduler.due_not_dispatched", "{sms}",
        "Planned SMS whose due time has passed and that are not dispatched yet.",
        async (connection, now, ct) => await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT count(*) FROM planned_sms WHERE status = 'planned' AND due_at <= @now", new { now }, cancellationToken: ct)));
}
