using Microsoft.Extensions.Options;
using Reminders.Platform.Data;

namespace Reminders.Messaging.Audit;

/// <summary>
/// Reads the four sources (the provider's log, Messaging's own records, Attendance's dosage ledger, the SMS the Scheduler
/// dispatched) and compares them. They are read in that order, so each later snapshot already holds whatever the earlier
/// one could explain (the Scheduler dispatches before Messaging records).
/// </summary>
public sealed class ConsistencyAudit(
    MessagingDatabase database, ProviderMessages provider, LedgerClient ledger, SchedulerClient scheduler,
    TimeProvider clock, IOptions<AuditOptions> options, ILogger<ConsistencyAudit> logger)
{
    public async Task<AuditReport> RunAsync(DateTimeOffset? from, DateTimeOffset? to, CancellationToken ct)
    {
        var startedAt = clock.GetUtcNow();
        var periodFrom = from ?? options.Value.StudyStart;
        var periodTo = to ?? startedAt;
        // Without an end the provider is asked for everything up to now (its filter counts whole seconds, so "now" would miss the last one).
        IReadOnlyList<ProviderMessage> providerLog = [];
        string? unreadable = null;
        try { providerLog = await provider.ReadAsync(periodFrom, to, ct); }
        catch (ProviderLogUnreadableException ex)
        {
            unreadable = ex.Message;
            logger.LogWarning(ex, "Consistency audit: the provider's message log could not be read");
        }
        var records = await MessagingRecords.ReadAsync(database, ct);
        var rows = await ledger.ReadAsync(ct);
        var dispatched = await scheduler.ReadAsync(ct);
        var input = new AuditInput(providerLog, records, rows, startedAt, clock.GetUtcNow(), periodFrom, periodTo, options.Value.Grace, dispatched);
        var report = unreadable is null ? AuditComparison.Compare(input) : AuditComparison.ProviderUnreadable(input, unreadable);
        logger.LogInformation("Consistency audit: {Provider} provider messages, {Messaging} SMS, {Ledger} ledger rows, {Scheduler} dispatched by the Scheduler; {Differences} differences, {Unsettled} unsettled",
            report.Sources.Provider.Records, report.Sources.Messaging.Records, report.Sources.Ledger.Records, dispatched.Count, report.Differences.Count, report.Unsettled.Total);
        return report;
    }
}
