namespace Reminders.Contracts;

/// <summary>
/// One SMS the Scheduler sent to Messaging (a planned row it dispatched, or a manager's one-off message), as
/// <c>GET /api/scheduler/dispatched</c> serves it (one JSON line each) and Messaging's consistency audit reads it: no body.
/// </summary>
public sealed record DispatchedSms
{
    public Guid SmsId { get; init; }
    public Guid OfficerId { get; init; }
    public string Purpose { get; init; } = "";
    /// <summary>invitation, day_before, change_notice, cancellation, reminder, or manual.</summary>
    public string Kind { get; init; } = "";
    public DateTimeOffset DispatchedAt { get; init; }
    /// <summary>The last time it was sent again under the same id, if it was.</summary>
    public DateTimeOffset? LastRedispatchedAt { get; init; }
}
