namespace Reminders.Web.Services;

/// <summary>Training sessions one by one (a trainer's token gets only their own) and one session with its members.</summary>
public sealed partial class SchedulerClient
{
    /// <summary>Sessions whose local date is from <paramref name="from"/> to <paramref name="to"/> (inclusive), in time order.</summary>
    public Task<ApiResult<IReadOnlyList<ScheduledSession>>> SessionsBetweenAsync(DateOnly from, DateOnly to, CancellationToken ct = default) =>
        GetAsync<IReadOnlyList<ScheduledSession>>($"/api/scheduler/sessions?from={from:yyyy-MM-dd}&to={to:yyyy-MM-dd}", ct);

    /// <summary>One session with its members: 403 for a trainer when it is another trainer's.</summary>
    public Task<ApiResult<ScheduledSessionDetail>> SessionWithMembersAsync(Guid sessionId, CancellationToken ct = default) =>
        GetAsync<ScheduledSessionDetail>($"/api/scheduler/sessions/{sessionId}", ct);
}

public sealed record SessionVenue(Guid VenueId, string Name, string? Address);

public sealed record SessionTrainer(Guid TrainerId, string Name);

/// <summary>
/// A session as the Scheduler lists it: <see cref="LocalStartsAt"/>/<see cref="LocalEndsAt"/> on the wall clock of <see cref="TimeZone"/>
/// (IANA); <see cref="Status"/> scheduled, held (its end has passed) or cancelled.
/// </summary>
public record ScheduledSession
{
    public Guid SessionId { get; init; }
    public Guid CohortId { get; init; }
    public int CohortNumber { get; init; }
    public string SectorCode { get; init; } = "";
    public string SectorName { get; init; } = "";
    public string Role { get; init; } = "";
    public int DayNumber { get; init; }
    public string Date { get; init; } = "";
    public DateTimeOffset StartsAt { get; init; }
    public DateTimeOffset EndsAt { get; init; }
    public DateTimeOffset LocalStartsAt { get; init; }
    public DateTimeOffset LocalEndsAt { get; init; }
    public string TimeZone { get; init; } = "";
    public SessionVenue Venue { get; init; } = new(Guid.Empty, "", null);
    public SessionTrainer Trainer { get; init; } = new(Guid.Empty, "");
    public string Status { get; init; } = "";
    public int ExpectedOfficers { get; init; }
    public int ConfirmedByReplyingOk { get; init; }

    public bool Cancelled => Status == "cancelled";
    public bool Ended => Status == "held";
}

/// <summary>A member of the session's cohort: <see cref="NoSmsReason"/> says why they get no SMS (null when they do).</summary>
public sealed record ScheduledSessionMember(Guid OfficerId, bool GetsSms, string? NoSmsReason, bool ConfirmedByReplyingOk);

public sealed record ScheduledSessionDetail : ScheduledSession
{
    public IReadOnlyList<ScheduledSessionMember> Members { get; init; } = [];
}
