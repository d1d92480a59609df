using System.Text.Json;
using Dapper;
using Reminders.Platform.Data;

namespace Reminders.Messaging.Audit;

/// <summary>
/// One consistency audit that ran to the end: when (study clock), who asked (the principal's name), the period asked
/// of the provider, the verdict and the differences by kind. An audit whose source could not be read (502) is not a run.
/// </summary>
public sealed record AuditRun
{
    public long Id { get; init; }
    public DateTimeOffset RanAt { get; init; }
    public string RanBy { get; init; } = "";
    public DateTimeOffset? PeriodFrom { get; init; }
    public DateTimeOffset PeriodTo { get; init; }
    public bool Clean { get; init; }
    public long Differences { get; init; }
    public IReadOnlyDictionary<string, long> DifferencesByKind { get; init; } = new Dictionary<string, long>();
    /// <summary>SMS not final yet, or too young to judge: counted, not differences.</summary>
    public long Unsettled { get; init; }
}

/// <summary>The record of audit runs (table <c>audit_runs</c>).</summary>
public static class AuditRuns
{
    public static async Task RecordAsync(MessagingDatabase database, AuditReport report, string ranBy, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        const string sql = """
            INSERT INTO audit_runs (ran_at, ran_by, period_from, period_to, clean, differences, differences_by_kind, unsettled)
            VALUES (@RanAt, @ranBy, @PeriodFrom, @PeriodTo, @Clean, @differences, @byKind, @unsettled)
            """;
        await connection.ExecuteAsync(new CommandDefinition(sql, new
        {
            report.RanAt, ranBy, report.PeriodFrom, report.PeriodTo, report.Clean, differences = (long)report.Differences.Count,
            byKind = JsonSerializer.Serialize(report.DifferencesByKind), unsettled = report.Unsettled.Total,
        }, cancellationToken: ct));
    }

    /// <summary>The latest <paramref name="limit"/> runs, newest first.</summary>
    public static async Task<IReadOnlyList<AuditRun>> LatestAsync(MessagingDatabase database, int limit, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        var rows = await connection.QueryAsync<Row>(new CommandDefinition("""
            SELECT id, ran_at, ran_by, period_from, period_to, clean,
                   differences, differences_by_kind, unsettled
            FROM audit_runs ORDER BY id DESC LIMIT @limit
            """, new { limit }, cancellationToken: ct));
        return rows.Select(r => new AuditRun
        {
            Id = r.Id, RanAt = r.RanAt, RanBy = r.RanBy, PeriodFrom = r.PeriodFrom, PeriodTo = r.PeriodTo, Clean = r.Clean, Differences = r.Differences,
            DifferencesByKind = JsonSerializer.Deserialize<Dictionary<string, long>>(r.DifferencesByKind) ?? [], Unsettled = r.Unsettled,
        }).ToList();
    }

    sealed record Row
    {
        public long Id { get; init; }
        public DateTimeOffset RanAt { get; init; }
        public string RanBy { get; init; } = "";
        public DateTimeOffset? PeriodFrom { get; init; }
        public DateTimeOffset PeriodTo { get; init; }
        public bool Clean { get; init; }
        public long Differences { get; init; }
        public string DifferencesByKind { get; init; } = "{}";
        public long Unsettled { get; init; }
    }
}
