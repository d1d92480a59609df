namespace Reminders.Web.Services.Training;

// What the console reads of the Scheduler's and Attendance's training routes (System.Text.Json web defaults).

public sealed record Venue(Guid VenueId, string Name, int Capacity, string? Address);

public sealed record Trainer(Guid TrainerId, string Name);

/// <summary>A calendar subscription link, shown once: <see cref="Url"/> for Google, <see cref="WebcalUrl"/> for Outlook and Apple.</summary>
public sealed record FeedLink(string Token, string Path, string Url, string WebcalUrl, DateTimeOffset CreatedAt, bool Replaced);

/// <summary>Whether a link is in force (never the token).</summary>
public sealed record FeedLinkStatus(bool Active, DateTimeOffset? CreatedAt, string? CreatedBy);

public sealed record PlannedSession(Guid SessionId, int DayNumber, string Date, DateTimeOffset StartsAt, DateTimeOffset EndsAt);

public sealed record PlannedCohort(Guid CohortId, string SectorCode, string Role, int Number, string Venue, string Trainer, int Members,
    IReadOnlyList<PlannedSession> Sessions);

public sealed record UnplacedSector(Guid SectorId, string SectorCode, string Role, int Trainees, string Reason, string? Code = null);

public sealed record PlanResult(bool DryRun, string ProtocolVersion, int Cohorts, int Sessions, int Officers, int Invitations, int DayBeforeReminders,
    IReadOnlyList<PlannedCohort> Plan, IReadOnlyList<UnplacedSector> Unplaced);

public sealed record SessionVenue(Guid VenueId, string Name, string? Address);

public sealed record SessionTrainer(Guid TrainerId, string Name);

/// <summary>A session of the calendar: <see cref="LocalStartsAt"/> on the wall clock of <see cref="TimeZone"/> (the sector's).</summary>
public sealed record CalendarSession
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
    public SessionVenue Venue { get; init; } = null!;
    public SessionTrainer Trainer { get; init; } = null!;
    public string Status { get; init; } = "";
    public int ExpectedOfficers { get; init; }
    public int ConfirmedByReplyingOk { get; init; }
}

public sealed record CohortSummary(Guid CohortId, string SectorCode, string Role, long Number, string Status, string Venue, string Trainer,
    string? FirstDate, string? LastDate, long Members, long ConfirmedByReplyingOk);

public sealed record CohortSession(Guid SessionId, long DayNumber, string Date, DateTimeOffset StartsAt, DateTimeOffset EndsAt, string Venue, string Trainer,
    string Status);

public sealed record CohortSmsCount(string Kind, string Status, string? Reason, long Count);

public sealed record CohortChange(string Entity, Guid EntityId, string Change, string? OldValue, string? NewValue, string? Reason, string ChangedBy,
    DateTimeOffset ChangedAt);

public sealed record MemberConfirmation(Guid OfficerId, bool Confirmed, DateTimeOffset? ConfirmedAt);

public sealed record CohortDetail(CohortSummary Cohort, IReadOnlyList<CohortSession> Sessions, IReadOnlyList<Guid> Members, IReadOnlyList<CohortSmsCount> Sms,
    IReadOnlyList<CohortChange> Changes, IReadOnlyList<MemberConfirmation> Confirmations);

/// <summary><see cref="Messages"/> SMS of one kind to <see cref="Officers"/> officers.</summary>
public sealed record SmsTally(string Kind, int Messages, int Officers);

/// <summary>What a change did, or would do when <see cref="DryRun"/>: SMS planned and pending SMS cancelled, by kind.</summary>
public sealed record ChangeResult(Guid CohortId, string Change, int NoticesPlanned, int MessagesCancelled, bool DryRun,
    IReadOnlyList<SmsTally>? Planned, IReadOnlyList<SmsTally>? Cancelled);
public sealed record SectorZone(Guid Id, string Code, string Name, string? Arm, string? TimeZone);

public sealed record ProtocolTemplate(string Path, string Encoding, int Segments, int Length, string WorstCaseText);

public sealed record ProtocolRoleTraining(string Role, int Days, int HoursPerDay, string Start, int PlannedMinutes, int MinSessionsForReminders);

public sealed record ProtocolSummary(string Version, string TimeZone, string QuietHoursStart, string QuietHoursEnd, IReadOnlyList<ProtocolRoleTraining> Training,
    IReadOnlyList<ProtocolTemplate> Templates);

/// <summary>One officer's outcome if the cohort closed now.</summary>
public sealed record OfficerOutcome(Guid OfficerId, int MinutesAttended, int MinutesPlanned, int SessionsAttended, int Sessions, bool WalkIn, bool Eligible,
    string? Reason);

public sealed record ClosingOutcome(Guid CohortId, DateTimeOffset? ClosedAt, int Members, int Eligible, int NotEligible, int WalkIns,
    IReadOnlyList<OfficerOutcome> Officers);

public sealed record Reopened(Guid CohortId, DateTimeOffset ReopenedAt, string ReopenedBy, string Reason, DateTimeOffset ClosedAt);

public sealed record ClosureEntry(string Action, string By, DateTimeOffset At, string? Reason, int? MembersEligible, int? MembersNotEligible);
