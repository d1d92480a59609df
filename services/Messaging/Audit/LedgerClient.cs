using Microsoft.Extensions.Options;
using Reminders.Contracts;

namespace Reminders.Messaging.Audit;

/// <summary>A source the audit could not read; the endpoint answers 502 naming it.</summary>
public sealed class AuditSourceException(string source, string message, Exception? inner = null) : Exception(message, inner)
{
    public string SourceName { get; } = source;
}

/// <summary>Reads the ledger's SMS rows from Attendance over HTTP (JSON lines, streamed), never its tables.</summary>
public sealed class LedgerClient(HttpClient http, IOptions<AuditOptions> options)
{
    public const string Path = "/api/attendance/dosage/sms";

    public Task<List<LedgerSms>> ReadAsync(CancellationToken ct) =>
        new AuditSource(http, options.Value.Attendance, "ledger", "Attendance", "Attendance's ledger", "Audit:Attendance").ReadAsync<LedgerSms>(Path, ct);
}
