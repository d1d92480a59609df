namespace Reminders.Messaging.Audit;

/// <summary>Configuration section <c>Audit</c>: how the consistency audit reaches Attendance's ledger and the Scheduler's dispatched SMS, and how long it lets SMS settle.</summary>
public sealed class AuditOptions
{
    public const string Section = "Audit";

    /// <summary>Where Attendance serves <c>GET /api/attendance/dosage/sms</c>, and a researcher or manager key for it (configuration only, never the repo).</summary>
    public AuditSourceOptions Attendance { get; set; } = new();

    /// <summary>Where the Scheduler serves <c>GET /api/scheduler/dispatched</c>, and a researcher or manager key for it (configuration only, never the repo).</summary>
    public AuditSourceOptions Scheduler { get; set; } = new();

    /// <summary>An SMS whose last change is younger than this (on the study clock) is counted as unsettled, not as a difference.</summary>
    public int GraceMinutes { get; set; } = 10;

    /// <summary>The start of the study period asked of the provider when the request names none; unset means the account's whole log.</summary>
    public DateTimeOffset? StudyStart { get; set; }

    /// <summary>Provider page size for the list API (Twilio allows up to 1,000).</summary>
    public int ProviderPageSize { get; set; } = 1000;

    public int ProviderRequestTimeoutSeconds { get; set; } = 60;

    public TimeSpan Grace => TimeSpan.FromMinutes(GraceMinutes);
}

/// <summary>Another service's base URL and the key the audit calls it with.</summary>
public sealed class AuditSourceOptions
{
    public string? BaseUrl { get; set; }
    public string? ApiKey { get; set; }
}
