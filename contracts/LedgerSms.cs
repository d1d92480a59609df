namespace Reminders.Contracts;

/// <summary>
/// One SMS row of Attendance's dosage ledger, as <c>GET /api/attendance/dosage/sms</c> serves it (one JSON line each) and
/// Messaging's consistency audit reads it: pseudonymous, no phone, no body.
/// </summary>
public sealed record LedgerSms
{
    public Guid SmsId { get; init; }
    public Guid OfficerId { get; init; }
    public string Purpose { get; init; } = "";
    public bool Accepted { get; init; }
    public string? ProviderSid { get; init; }
    public string? Status { get; init; }
    public int? ErrorCode { get; init; }
    public string? RefusalReason { get; init; }
    public DateTimeOffset? AcceptedAt { get; init; }
    public DateTimeOffset? DeliveredAt { get; init; }
}
