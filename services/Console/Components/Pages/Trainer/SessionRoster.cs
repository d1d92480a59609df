using Reminders.Web.Components.Shared;
using Reminders.Web.Services;

namespace Reminders.Web.Components.Pages.Trainer;

/// <summary>One person on a session's list: their name and badge (Enrollment), whether they get SMS, and whether they walked in.</summary>
public sealed record RosterLine(Guid OfficerId, OfficerCard? Officer, ScheduledSessionMember? Member)
{
    public bool WalkIn => Member is null;
    public string Name => Officer?.Name ?? OfficerId.ToString()[..8];
    public string Badge => Officer?.Badge ?? "";
    /// <summary>The Scheduler's rule for a member (what would skip their reminders now); Enrollment's for a walk-in.</summary>
    public bool NoSms => Member is { } member ? !member.GetsSms : Officer?.NoSms == true;
    public string? NoSmsReason => Member is { } member ? member.NoSmsReason : Officer?.NoSmsReason;
    public bool FromControlArm => Officer?.FromControlArm == true;
}

/// <summary>A session with its people, in the order a trainer reads a list: the cohort by name, then walk-ins by name.</summary>
public sealed record SessionRoster(ScheduledSessionDetail Session, IReadOnlyList<RosterLine> Lines)
{
    /// <summary>
    /// The session first (a trainer's token is refused another trainer's, and nothing else is read then), then the names of its
    /// members and of the people <paramref name="others"/> gives (walk-ins). Names Enrollment cannot give are shown by id rather than hiding the person.
    /// </summary>
    public static async Task<(SessionRoster? Roster, ApiProblem? Problem)> LoadAsync(SchedulerClient scheduler, EnrollmentClient enrollment, Guid sessionId,
        Func<ScheduledSessionDetail, Task<IEnumerable<Guid>>>? others = null, CancellationToken ct = default)
    {
        var session = await scheduler.SessionWithMembersAsync(sessionId, ct);
        if (!session.Ok) return (null, session.Problem);
        var detail = session.Value!;
        var extra = others is null ? [] : await others(detail);
        var members = detail.Members.ToDictionary(m => m.OfficerId);
        var everyone = detail.Members.Select(m => m.OfficerId).Concat(extra).Distinct().ToList();
        var names = everyone.Count == 0 ? null : await enrollment.LookupOfficersAsync(everyone, ct);
        if (names is { Ok: false }) return (null, names.Problem);
        var officers = names?.Value?.Officers.ToDictionary(o => o.Id) ?? [];
        var lines = everyone.Select(id => new RosterLine(id, officers.GetValueOrDefault(id), members.GetValueOrDefault(id)))
            .OrderBy(l => l.WalkIn).ThenBy(l => l.Name, DisplayText.Order)
            .ThenBy(l => l.Badge, StringComparer.Ordinal).ToList();
        return (new SessionRoster(detail, lines), null);
    }
}
