using Microsoft.Extensions.Options;
using Reminders.Contracts;

namespace Reminders.Messaging.Audit;

/// <summary>Reads the SMS the Scheduler sent to Messaging over HTTP (JSON lines, streamed), never its tables.</summary>
public sealed class SchedulerClient(HttpClient http, IOptions<AuditOptions> options)
{
    public const string Path = "/api/scheduler/dispatched";

    public Task<List<DispatchedSms>> ReadAsync(CancellationToken ct) =>
        new AuditSource(http, options.Value.Scheduler, "scheduler", "The Scheduler", "The Scheduler's dispatched SMS", "Audit:Scheduler").ReadAsync<DispatchedSms>(Path, ct);
}
