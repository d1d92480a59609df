using Reminders.Contracts;
using Reminders.Platform.Data;
using Reminders.Protocol;
using Reminders.Scheduler.Dispatch;

namespace Reminders.Scheduler.Training;

/// <summary>
/// What a change did, or would do (<see cref="DryRun"/>: nothing was written): the SMS it planned and the pending ones it
/// cancelled, in total and by kind (invitation, day_before, change_notice, cancellation) with how many officers each reaches.
/// </summary>
public sealed record ChangeResult(Guid CohortId, string Change, int NoticesPlanned, int MessagesCancelled)
{
    public bool DryRun { get; init; }
    public IReadOnlyList<SmsTally> Planned { get; init; } = [];
    public IReadOnlyList<SmsTally> Cancelled { get; init; } = [];

    public static ChangeResult Of(Guid cohortId, string change, IReadOnlyCollection<PlannedSms> planned, IReadOnlyCollection<PlannedSms> cancelled, bool dryRun) =>
        new(cohortId, change, planned.Count, cancelled.Count) { DryRun = dryRun, Planned = SmsTally.Of(planned), Cancelled = SmsTally.Of(cancelled) };
}

/// <summary><see cref="Messages"/> SMS of one kind, to <see cref="Officers"/> distinct officers.</summary>
public sealed record SmsTally(string Kind, int Messages, int Officers)
{
    public static IReadOnlyList<SmsTally> Of(IEnumerable<PlannedSms> rows) =>
        [.. rows.GroupBy(r => r.Kind).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new SmsTally(g.Key, g.Count(), g.Select(r => r.OfficerId).Distinct().Count()))];
}

/// <summary>
/// A manager's changes to a recorded plan: move, re-staff or cancel a cohort or one session, move an officer to
/// another cohort of their sector. Each change is checked against the calendar and bookings, written with who, when
/// and why, told to Attendance, and re-plans the logistics SMS in the same transaction: pending messages that the
/// change made wrong are cancelled, officers already told get a change or cancellation notice, officers not yet told
/// get the invitation with the new details. Anything that has started is not moved or cancelled.
/// </summary>
public sealed class CohortChanges(
    SchedulerDatabase database, StudyProtocol protocol, WorkingDayCalendar calendar,
    LogisticsSms logistics, TimeProvider clock)
{
    public async Task<ChangeResult> MoveCohortAsync(Guid cohortId, DateOnly start, TimeOnly? startTime, string reason, string by, CancellationToken ct,
        bool dryRun = false)
    {
        var now = clock.GetUtcNow();
        await using var work = await BeginAsync(ct);
        var (cohort, sessions) = await LoadOpenCohortAsync(work, cohortId, now, ct);
        if (!calendar.IsWorkingDay(start)) throw new PlanningRefused("start", $"{start:yyyy-MM-dd} is not a working day.", 400);
        var days = calendar.ConsecutiveWorkingDays(start, sessions.Count);
        var zone = Zone(sessions[0]);
        var time = startTime ?? LocalTime(sessions[0].StartsAt, zone);
        var length = protocol.Training.For(cohort.Role).SessionLength;
        if (time.Add(length) <= time) throw new PlanningRefused("startTime", "The sessions would end after midnight.", 400);
        var moved = sessions.Select((s, i) => s with
        {
            LocalDate = days[i].ToString("yyyy-MM-dd"),
            StartsAt = QuietHours.AtLocal(days[i], time, zone),
            EndsAt = QuietHours.AtLocal(days[i], time.Add(length), zone),
        }).ToList();
        if (moved[0].StartsAt <= now) throw new PlanningRefused("start", "A cohort can only be moved to a time still to come.", 409);
        await EnsureFreeAsync(work, moved, cohort.VenueId, cohort.TrainerId, ct);

        await UpdateSessionsAsync(work, cohort, moved, now, ct);
        await RecordAsync(work, cohort.CohortId, "cohort", cohort.CohortId, "moved", Dates(sessions), Dates(moved), reason, by, now, ct);
        var (noticed, cancelled) = await ReplanFirstSessionNoticesAsync(work, cohort, moved, [.. moved.Select(s => s.SessionId)], SmsSkipReasons.PlanChanged, by, now, ct);
        return await FinishAsync(work, ChangeResult.Of(cohortId, "moved", noticed, cancelled, dryRun), ct);
    }

    public async Task<ChangeResult> MoveSessionAsync(Guid sessionId, DateOnly date, TimeOnly? startTime, string reason, string by, CancellationToken ct,
        bool dryRun = false)
    {
        var now = clock.GetUtcNow();
        await using var work = await BeginAsync(ct);
        var cohortId = await CohortOfSessionAsync(work, sessionId, ct);
        var (cohort, all) = await LoadCohortAsync(work, cohortId, ct);
        var sessions = all.Where(s => s.Status != "cancelled").ToList();
        var index = sessions.FindIndex(s => s.SessionId == sessionId);
        if (index < 0) throw new PlanningRefused("sessionId", "The session is cancelled.", 409);
        var session = sessions[index];
        if (session.StartsAt <= now) throw new PlanningRefused("sessionId", "The session has already started.", 409);
        var zone = Zone(session);
        var time = startTime ?? LocalTime(session.StartsAt, zone);
        var length = session.EndsAt - session.StartsAt;
        if (time.Add(length) <= time) throw new PlanningRefused("startTime", "The session would end after midnight.", 400);
        if (!calendar.IsWorkingDay(date)) throw new PlanningRefused("date", $"{date:yyyy-MM-dd} is not a working day.", 400);
        if (index > 0 && date <= Date(sessions[index - 1]))
            throw new PlanningRefused("date", $"Day {session.DayNumber} must stay after day {sessions[index - 1].DayNumber} ({sessions[index - 1].LocalDate}).", 409);
        if (index < sessions.Count - 1 && date >= Date(sessions[index + 1]))
            throw new PlanningRefused("date", $"Day {session.DayNumber} must stay before day {sessions[index + 1].DayNumber} ({sessions[index + 1].LocalDate}).", 409);
        var moved = session with
        {
            LocalDate = date.ToString("yyyy-MM-dd"),
            StartsAt = QuietHours.AtLocal(date, time, zone),
            EndsAt = QuietHours.AtLocal(date, time, zone) + length,
        };
        if (moved.StartsAt <= now) throw new PlanningRefused("date", "A session can only be moved to a time still to come.", 409);
        await EnsureFreeAsync(work, [moved], session.VenueId, session.TrainerId, ct);

        await UpdateSessionsAsync(work, cohort, [moved], now, ct);
        await RecordAsync(work, cohort.CohortId, "session", sessionId, "moved", $"{session.LocalDate} {LocalTime(session.StartsAt, zone):HH\\:mm}",
            $"{moved.LocalDate} {time:HH\\:mm}", reason, by, now, ct);
        var (noticed, cancelled) = index == 0
            ? await ReplanFirstSessionNoticesAsync(work, cohort, [moved, .. sessions.Skip(1)], [sessionId], SmsSkipReasons.PlanChanged, by, now, ct)
            : await NoticeToldMembersAsync(work, cohort, moved, SmsSkipReasons.PlanChanged, now, ct,
                (officerId, slot) => logistics.ChangeNotice(officerId, cohort.CohortId, cohort.Role, slot, sessions.Count, by, now));
        return await FinishAsync(work, ChangeResult.Of(cohortId, "session_moved", noticed, cancelled, dryRun), ct);
    }

    /// <summary>New venue and/or trainer for every session still to come; a new venue is told to the officers.</summary>
    public async Task<ChangeResult> RestaffCohortAsync(Guid cohortId, Guid? venueId, Guid? trainerId, string reason, string by, CancellationToken ct,
        bool dryRun = false)
    {
        if (venueId is null && trainerId is null) throw new PlanningRefused("venueId", "Give a venueId, a trainerId or both.", 400);
        var now = clock.GetUtcNow();
        await using var work = await BeginAsync(ct);
        var (cohort, all) = await LoadCohortAsync(work, cohortId, ct);
        if (cohort.Status == "cancelled") throw new PlanningRefused("cohortId", "The cohort is cancelled.", 409);
        var upcoming = all.Where(s => s.Status != "cancelled" && s.StartsAt > now).ToList();
        if (upcoming.Count == 0) throw new PlanningRefused("cohortId", "The cohort has no session still to come.", 409);
        string? venueName = null;
        if (venueId is { } v)
        {
            var venue = await work.QuerySingleOrDefaultAsync<VenueRow>("SELECT name, capacity FROM venues WHERE venue_id = @v", new { v }, ct)
                ?? throw new PlanningRefused("venueId", "No such venue.", 400);
            var members = (await MembersAsync(work, cohortId, ct)).Count;
            if (venue.Capacity < members) throw new PlanningRefused("venueId", $"{venue.Name} holds {venue.Capacity}; the cohort has {members} members.", 409);
            venueName = venue.Name;
        }
        if (trainerId is { } t && await work.QuerySingleOrDefaultAsync<long?>("SELECT 1 FROM trainers WHERE trainer_id = @t", new { t }, ct) is null)
            throw new PlanningRefused("trainerId", "No such trainer.", 400);
        var restaffed = upcoming.Select(s => s with
        {
            VenueId = venueId ?? s.VenueId,
            TrainerId = trainerId ?? s.TrainerId,
            Venue = venueName ?? s.Venue,
        }).ToList();
        await EnsureFreeAsync(work, restaffed, venueId, trainerId, ct);

        await work.ExecuteAsync("UPDATE sessions SET venue_id = @VenueId, trainer_id = @TrainerId WHERE session_id = @SessionId", restaffed, ct);
        await RaiseSequenceAsync(work, restaffed, now, ct);
        await work.ExecuteAsync("UPDATE cohorts SET venue_id = @venue, trainer_id = @trainer WHERE cohort_id = @cohortId",
            new { venue = venueId ?? cohort.VenueId, trainer = trainerId ?? cohort.TrainerId, cohortId }, ct);
        PublishScheduled(work, cohort, restaffed, now);
        if (venueId is not null && venueId != cohort.VenueId)
            await RecordAsync(work, cohortId, "cohort", cohortId, "venue_changed", upcoming[0].Venue, venueName, reason, by, now, ct);
        if (trainerId is not null && trainerId != cohort.TrainerId)
            await RecordAsync(work, cohortId, "cohort", cohortId, "trainer_changed", cohort.TrainerId.ToString(), trainerId.ToString(), reason, by, now, ct);

        (IReadOnlyList<PlannedSms> noticed, IReadOnlyList<PlannedSms> cancelled) = ([], []);
        if (venueName is not null && venueName != upcoming[0].Venue)
        {
            var active = all.Where(s => s.Status != "cancelled").ToList();
            var merged = active.Select(s => restaffed.FirstOrDefault(r => r.SessionId == s.SessionId) ?? s).ToList();
            (noticed, cancelled) = merged[0].StartsAt > now
                ? await ReplanFirstSessionNoticesAsync(work, cohort, merged, [.. restaffed.Select(s => s.SessionId)], SmsSkipReasons.PlanChanged, by, now, ct)
                : await NoticeToldMembersAsync(work, cohort, restaffed[0], SmsSkipReasons.PlanChanged, now, ct,
                    (officerId, slot) => logistics.ChangeNotice(officerId, cohortId, cohort.Role, slot, active.Count, by, now));
        }
        return await FinishAsync(work, ChangeResult.Of(cohortId, "restaffed", noticed, cancelled, dryRun), ct);
    }

    public async Task<ChangeResult> CancelCohortAsync(Guid cohortId, string reason, string by, CancellationToken ct, bool dryRun = false)
    {
        var now = clock.GetUtcNow();
        await using var work = await BeginAsync(ct);
        var (cohort, sessions) = await LoadOpenCohortAsync(work, cohortId, now, ct);
        await work.ExecuteAsync("UPDATE sessions SET status = 'cancelled' WHERE session_id = @SessionId", sessions, ct);
        await RaiseSequenceAsync(work, sessions, now, ct);
        await work.ExecuteAsync("UPDATE cohorts SET status = 'cancelled' WHERE cohort_id = @cohortId", new { cohortId }, ct);
        foreach (var s in sessions) work.Publish(new TrainingSessionCancelled(s.SessionId, cohortId, reason, now));
        await RecordAsync(work, cohortId, "cohort", cohortId, "cancelled", Dates(sessions), null, reason, by, now, ct);
        var (noticed, cancelled) = await NoticeToldMembersAsync(work, cohort, sessions[0], SmsSkipReasons.CohortCancelled, now, ct,
            (officerId, slot) => logistics.Cancellation(officerId, cohortId, cohort.Role, slot, sessions.Count, by, now), wholeCohort: true);
        return await FinishAsync(work, ChangeResult.Of(cohortId, "cancelled", noticed, cancelled, dryRun), ct);
    }

    public async Task<ChangeResult> CancelSessionAsync(Guid sessionId, string reason, string by, CancellationToken ct, bool dryRun = false)
    {
        var now = clock.GetUtcNow();
        await using var work = await BeginAsync(ct);
        var cohortId = await CohortOfSessionAsync(work, sessionId, ct);
        var (cohort, all) = await LoadCohortAsync(work, cohortId, ct);
        var sessions = all.Where(s => s.Status != "cancelled").ToList();
        var session = sessions.FirstOrDefault(s => s.SessionId == sessionId) ?? throw new PlanningRefused("sessionId", "The session is already cancelled.", 409);
        if (session.StartsAt <= now) throw new PlanningRefused("sessionId", "The session has already started.", 409);
        await work.ExecuteAsync("UPDATE sessions SET status = 'cancelled' WHERE session_id = @sessionId", new { sessionId }, ct);
        await RaiseSequenceAsync(work, [session], now, ct);
        var remaining = sessions.Where(s => s.SessionId != sessionId).ToList();
        if (remaining.Count == 0) await work.ExecuteAsync("UPDATE cohorts SET status = 'cancelled' WHERE cohort_id = @cohortId", new { cohortId }, ct);
        work.Publish(new TrainingSessionCancelled(sessionId, cohortId, reason, now));
        await RecordAsync(work, cohortId, "session", sessionId, "cancelled", $"{session.LocalDate} {LocalTime(session.StartsAt, Zone(session)):HH\\:mm}", null, reason, by, now, ct);
        var (noticed, cancelled) = await NoticeToldMembersAsync(work, cohort, session, SmsSkipReasons.SessionCancelled, now, ct,
            (officerId, slot) => logistics.Cancellation(officerId, cohortId, cohort.Role, slot, sessions.Count, by, now), wholeCohort: remaining.Count == 0);
        // The first session gone: officers not yet told are invited to the new first one.
        if (remaining.Count > 0 && sessions[0].SessionId == sessionId)
        {
            // Only invitations and day-before reminders are re-planned: the cancellation notices just planned must stand.
            var (n, c) = await ReplanFirstSessionNoticesAsync(work, cohort, remaining, [], SmsSkipReasons.SessionCancelled, by, now, ct, toldGetNotice: false);
            (noticed, cancelled) = ([.. noticed, .. n], [.. cancelled, .. c]);
        }
        return await FinishAsync(work, ChangeResult.Of(cohortId, "session_cancelled", noticed, cancelled, dryRun), ct);
    }

    /// <summary>Puts an officer into another cohort of their sector and role (or into a first one), before either has started.</summary>
    public async Task<ChangeResult> MoveOfficerAsync(Guid officerId, Guid toCohortId, string reason, string by, CancellationToken ct, bool dryRun = false)
    {
        await using var work = await BeginAsync(ct);
        var result = await MoveOfficerInAsync(work, officerId, toCohortId, reason, by, clock.GetUtcNow(), ct);
        return await FinishAsync(work, result with { DryRun = dryRun }, ct);
    }

    /// <summary>
    /// <see cref="MoveOfficerAsync"/> inside the caller's transaction, which holds <see cref="PlanLock"/>. Every check is made
    /// before anything is written, so a <see cref="PlanningRefused"/> leaves the transaction as it was.
    /// </summary>
    internal async Task<ChangeResult> MoveOfficerInAsync(UnitOfWork work, Guid officerId, Guid toCohortId, string reason, string by, DateTimeOffset now,
        CancellationToken ct)
    {
        var officer = await work.QuerySingleOrDefaultAsync<OfficerRow>("""
            SELECT o.sector_id, o.role, COALESCE(st.status, 'active') AS Status, a.arm
            FROM officers o LEFT JOIN officer_statuses st ON st.officer_id = o.officer_id LEFT JOIN officer_arms a ON a.officer_id = o.officer_id
            WHERE o.officer_id = @officerId
            """, new { officerId }, ct) ?? throw new PlanningRefused("officerId", $"There is no officer {officerId}.", 404);
        // Opted out of SMS or a wrong number still trains; only leaving the study (or the roster) does not.
        if (officer.Status is OfficerStatuses.Withdrawn or OfficerStatuses.Inactive) throw new PlanningRefused("officerId", $"The officer is {officer.Status}.", 409);
        if (officer.Arm != StudyArms.Treatment)
            throw new PlanningRefused("officerId", $"The officer was randomized to {officer.Arm ?? "no arm"}: only officers randomized to treatment are trained.", 409);
        var (target, targetSessions) = await LoadOpenCohortAsync(work, toCohortId, now, ct, field: "cohortId");
        if (target.SectorId != officer.SectorId || target.Role != officer.Role)
            throw new PlanningRefused("cohortId", $"The cohort is for {target.SectorCode} {target.Role}s; the officer is a {officer.Role} of another sector or role.", 409);
        var current = await work.QuerySingleOrDefaultAsync<Guid?>("""
            SELECT m.cohort_id FROM cohort_members m JOIN cohorts c ON c.cohort_id = m.cohort_id
            WHERE m.officer_id = @officerId AND m.removed_at IS NULL AND c.status <> 'cancelled'
            """, new { officerId }, ct);
        if (current == toCohortId) throw new PlanningRefused("cohortId", "The officer is already in this cohort.", 409);
        var capacity = await work.ExecuteScalarAsync<long>("SELECT capacity FROM venues WHERE venue_id = @VenueId", new { targetSessions[0].VenueId }, ct);
        var targetMembers = await MembersAsync(work, toCohortId, ct);
        if (targetMembers.Count >= capacity) throw new PlanningRefused("cohortId", $"The cohort's venue holds {capacity} and is full.", 409);

        IReadOnlyList<PlannedSms> cancelled = [];
        var told = false;
        if (current is { } fromCohortId)
        {
            var (source, _) = await LoadOpenCohortAsync(work, fromCohortId, now, ct, field: "officerId");
            told = (await ToldAsync(work, fromCohortId, ct)).Contains(officerId);
            cancelled = await work.CancelPendingForCohortAsync(fromCohortId, SmsSkipReasons.MovedToAnotherCohort, now, ct, p => p.OfficerId == officerId);
            await work.ExecuteAsync("UPDATE cohort_members SET removed_at = @now WHERE cohort_id = @fromCohortId AND officer_id = @officerId",
                new { now, fromCohortId, officerId }, ct);
            work.Publish(new CohortMembersChanged(fromCohortId, source.SectorId, source.Role, await MembersAsync(work, fromCohortId, ct), now));
            await RecordAsync(work, fromCohortId, "officer", officerId, "left_cohort", Label(source), Label(target), reason, by, now, ct);
        }
        await work.ExecuteAsync("""
            INSERT INTO cohort_members (cohort_id, officer_id, added_at) VALUES (@toCohortId, @officerId, @now)
            ON CONFLICT (cohort_id, officer_id) DO UPDATE SET added_at = excluded.added_at, removed_at = NULL
            """, new { toCohortId, officerId, now }, ct);
        work.Publish(new CohortMembersChanged(toCohortId, target.SectorId, target.Role, [.. targetMembers, officerId], now));
        await RecordAsync(work, toCohortId, "officer", officerId, "joined_cohort", null, Label(target), reason, by, now, ct);

        var first = Slot(targetSessions[0]);
        var notice = told
            ? logistics.ChangeNotice(officerId, toCohortId, target.Role, first, targetSessions.Count, by, now)
            : logistics.Invitation(officerId, toCohortId, target.Role, first, targetSessions.Count, by, now);
        var messages = new[] { notice, logistics.DayBefore(officerId, toCohortId, target.Role, first, targetSessions.Count, by, now) }.OfType<PlannedSms>().ToList();
        await work.AddPlannedSmsAsync(messages, ct);
        return ChangeResult.Of(toCohortId, "officer_moved", messages, cancelled, dryRun: false);
    }

    // ---- shared steps ----

    /// <summary>The same lock as planning: bookings are checked and taken by one writer at a time.</summary>
    internal const string PlanLock = "training-plan";

    /// <summary>Commits the change, or, for a dry run, leaves the transaction to roll back: the same checks and counts, nothing written or sent.</summary>
    static async Task<ChangeResult> FinishAsync(UnitOfWork work, ChangeResult result, CancellationToken ct)
    {
        if (!result.DryRun) await work.CommitAsync(ct);
        return result;
    }

    async Task<UnitOfWork> BeginAsync(CancellationToken ct)
    {
        var work = await database.BeginAsync(ct);
        await work.LockAsync(PlanLock, ct);
        return work;
    }

    static async Task<Guid> CohortOfSessionAsync(UnitOfWork work, Guid sessionId, CancellationToken ct) =>
        await work.QuerySingleOrDefaultAsync<Guid?>("SELECT cohort_id FROM sessions WHERE session_id = @sessionId", new { sessionId }, ct)
            ?? throw new PlanningRefused("sessionId", $"There is no session {sessionId}.", 404);

    static async Task<(CohortRow, List<SessionRow>)> LoadCohortAsync(UnitOfWork work, Guid cohortId, CancellationToken ct, string field = "cohortId")
    {
        var cohort = await work.QuerySingleOrDefaultAsync<CohortRow>("""
            SELECT c.cohort_id, c.sector_id, COALESCE(s.code, '') AS SectorCode, c.role, c.number,
                   c.venue_id, c.trainer_id, c.status
            FROM cohorts c LEFT JOIN sectors s ON s.sector_id = c.sector_id WHERE c.cohort_id = @cohortId
            """, new { cohortId }, ct) ?? throw new PlanningRefused(field, $"There is no cohort {cohortId}.", 404);
        var sessions = await work.QueryAsync<SessionRow>("""
            SELECT s.session_id, s.day_number, s.local_date, s.starts_at, s.ends_at,
                   s.venue_id, s.trainer_id, s.status, v.name AS Venue, z.time_zone
            FROM sessions s JOIN venues v ON v.venue_id = s.venue_id JOIN cohorts c ON c.cohort_id = s.cohort_id
            LEFT JOIN sectors z ON z.sector_id = c.sector_id
            WHERE s.cohort_id = @cohortId ORDER BY s.day_number
            """, new { cohortId }, ct);
        return (cohort, sessions.ToList());
    }

    /// <summary>A cohort that may still change as a whole: not cancelled, and no session begun.</summary>
    static async Task<(CohortRow, List<SessionRow>)> LoadOpenCohortAsync(UnitOfWork work, Guid cohortId, DateTimeOffset now, CancellationToken ct, string field = "cohortId")
    {
        var (cohort, all) = await LoadCohortAsync(work, cohortId, ct, field);
        if (cohort.Status == "cancelled") throw new PlanningRefused(field, "The cohort is cancelled.", 409);
        var sessions = all.Where(s => s.Status != "cancelled").ToList();
        if (sessions.Count == 0) throw new PlanningRefused(field, "The cohort has no sessions left.", 409);
        if (sessions[0].StartsAt <= now)
            throw new PlanningRefused(field, "The cohort's training has already started; change its remaining sessions one at a time.", 409);
        return (cohort, sessions);
    }

    /// <summary>Refuses a change that would put a venue or trainer in two sessions on one day.</summary>
    static async Task EnsureFreeAsync(UnitOfWork work, IReadOnlyList<SessionRow> wanted, Guid? venueId, Guid? trainerId, CancellationToken ct)
    {
        var ids = wanted.Select(s => s.SessionId).ToList();
        foreach (var s in wanted)
        {
            var clash = await work.QuerySingleOrDefaultAsync<string?>($"""
                SELECT CASE WHEN venue_id = @VenueId THEN 'venue' ELSE 'trainer' END FROM sessions
                WHERE local_date = @LocalDate AND status <> 'cancelled' AND NOT ({work.Dialect.InList("session_id", "ids")})
                  AND ((@checkVenue AND venue_id = @VenueId) OR (@checkTrainer AND trainer_id = @TrainerId))
                LIMIT 1
                """, new { s.LocalDate, s.VenueId, s.TrainerId, ids = work.Dialect.UuidList(ids), checkVenue = venueId is not null, checkTrainer = trainerId is not null }, ct);
            if (clash is not null)
                throw new PlanningRefused(clash == "venue" ? "venueId" : "trainerId", $"The {clash} already has a session on {s.LocalDate}.", 409);
        }
    }

    async Task UpdateSessionsAsync(UnitOfWork work, CohortRow cohort, IReadOnlyList<SessionRow> moved, DateTimeOffset now, CancellationToken ct)
    {
        await work.ExecuteAsync("UPDATE sessions SET local_date = @LocalDate, starts_at = @StartsAt, ends_at = @EndsAt WHERE session_id = @SessionId", moved, ct);
        await RaiseSequenceAsync(work, moved, now, ct);
        PublishScheduled(work, cohort, moved, now);
    }

    /// <summary>A new version of each session for calendar apps (iCalendar SEQUENCE), whatever changed in it.</summary>
    static Task RaiseSequenceAsync(UnitOfWork work, IEnumerable<SessionRow> changed, DateTimeOffset now, CancellationToken ct) =>
        work.ExecuteAsync($"UPDATE sessions SET sequence = sequence + 1, changed_at = @now WHERE {work.Dialect.InList("session_id", "ids")}",
            new { now, ids = work.Dialect.UuidList(changed.Select(s => s.SessionId)) }, ct);

    void PublishScheduled(UnitOfWork work, CohortRow cohort, IReadOnlyList<SessionRow> sessions, DateTimeOffset now)
    {
        foreach (var s in sessions)
            work.Publish(new TrainingSessionScheduled(s.SessionId, cohort.CohortId, cohort.SectorId, cohort.Role, (int)s.DayNumber, Date(s),
                s.StartsAt, s.EndsAt, s.Venue, s.TrainerId, protocol.Version, now, s.TimeZone));
    }

    /// <summary>
    /// The first session changed: pending invitations and day-before reminders are cancelled; officers already invited
    /// get a change notice (unless <paramref name="toldGetNotice"/> is false, when another notice tells them), the others
    /// the invitation with the new details; everyone gets a new day-before reminder when there is still time for one.
    /// </summary>
    async Task<(IReadOnlyList<PlannedSms> Planned, IReadOnlyList<PlannedSms> Cancelled)> ReplanFirstSessionNoticesAsync(UnitOfWork work, CohortRow cohort, IReadOnlyList<SessionRow> sessions,
        IReadOnlyCollection<Guid> changedSessionIds, string reason, string by, DateTimeOffset now, CancellationToken ct, bool toldGetNotice = true)
    {
        var members = await MembersAsync(work, cohort.CohortId, ct);
        var told = await ToldAsync(work, cohort.CohortId, ct);
        // Invitations and day-before reminders name the first session; notices pending about a changed session are stale too.
        var cancelled = await work.CancelPendingForCohortAsync(cohort.CohortId, reason, now, ct, p =>
            p.Kind is PlannedSmsKinds.Invitation or PlannedSmsKinds.DayBefore || p.SessionId is { } id && changedSessionIds.Contains(id));
        var first = Slot(sessions[0]);
        var messages = members.SelectMany(officerId => new[]
        {
            told.Contains(officerId)
                ? toldGetNotice ? logistics.ChangeNotice(officerId, cohort.CohortId, cohort.Role, first, sessions.Count, by, now) : null
                : logistics.Invitation(officerId, cohort.CohortId, cohort.Role, first, sessions.Count, by, now),
            logistics.DayBefore(officerId, cohort.CohortId, cohort.Role, first, sessions.Count, by, now),
        }).OfType<PlannedSms>().ToList();
        await work.AddPlannedSmsAsync(messages, ct);
        return (messages, cancelled);
    }

    /// <summary>
    /// Cancels what is pending about <paramref name="session"/> (the whole cohort's pending messages when
    /// <paramref name="wholeCohort"/>), and sends <paramref name="notice"/> to the members who were already invited.
    /// </summary>
    async Task<(IReadOnlyList<PlannedSms> Planned, IReadOnlyList<PlannedSms> Cancelled)> NoticeToldMembersAsync(UnitOfWork work, CohortRow cohort, SessionRow session, string reason,
        DateTimeOffset now, CancellationToken ct, Func<Guid, SessionSlot, PlannedSms> notice, bool wholeCohort = false)
    {
        var told = await ToldAsync(work, cohort.CohortId, ct);
        var members = await MembersAsync(work, cohort.CohortId, ct);
        var cancelled = await work.CancelPendingForCohortAsync(cohort.CohortId, reason, now, ct,
            wholeCohort ? null : p => p.SessionId == session.SessionId);
        var messages = members.Where(told.Contains).Select(officerId => notice(officerId, Slot(session))).ToList();
        await work.AddPlannedSmsAsync(messages, ct);
        return (messages, cancelled);
    }

    static async Task<IReadOnlyList<Guid>> MembersAsync(UnitOfWork work, Guid cohortId, CancellationToken ct) =>
        await work.QueryAsync<Guid>("SELECT officer_id FROM cohort_members WHERE cohort_id = @cohortId AND removed_at IS NULL ORDER BY officer_id", new { cohortId }, ct);

    /// <summary>Members whose invitation (or a later notice) to this cohort has gone out.</summary>
    static async Task<HashSet<Guid>> ToldAsync(UnitOfWork work, Guid cohortId, CancellationToken ct) =>
        [.. await work.QueryAsync<Guid>("""
            SELECT DISTINCT officer_id FROM planned_sms WHERE cohort_id = @cohortId AND status = 'dispatched' AND kind IN ('invitation', 'change_notice')
            """, new { cohortId }, ct)];

    internal static Task RecordAsync(UnitOfWork work, Guid cohortId, string entity, Guid entityId, string change, string? oldValue, string? newValue,
        string reason, string by, DateTimeOffset now, CancellationToken ct) =>
        work.ExecuteAsync("""
            INSERT INTO plan_changes (cohort_id, entity, entity_id, change, old_value, new_value, reason, changed_by, changed_at)
            VALUES (@cohortId, @entity, @entityId, @change, @oldValue, @newValue, @reason, @by, @now)
            """, new { cohortId, entity, entityId, change, oldValue, newValue, reason, by, now }, ct);

    SessionSlot Slot(SessionRow s) => new(s.SessionId, Date(s), s.StartsAt, s.Venue, Zone(s));

    /// <summary>The wall clock of the cohort's sector.</summary>
    TimeZoneInfo Zone(SessionRow s) => protocol.ZoneOf(s.TimeZone);
    static DateOnly Date(SessionRow s) => DateOnly.ParseExact(s.LocalDate, "yyyy-MM-dd");
    static TimeOnly LocalTime(DateTimeOffset instant, TimeZoneInfo zone) => TimeOnly.FromDateTime(TimeZoneInfo.ConvertTime(instant, zone).DateTime);
    static string Dates(IEnumerable<SessionRow> sessions) => string.Join(", ", sessions.Select(s => s.LocalDate));
    static string Label(CohortRow c) => $"{c.SectorCode} {c.Role} #{c.Number}";

    sealed record CohortRow
    {
        public Guid CohortId { get; init; }
        public Guid SectorId { get; init; }
        public string SectorCode { get; init; } = "";
        public string Role { get; init; } = "";
        public long Number { get; init; }
        public Guid VenueId { get; init; }
        public Guid TrainerId { get; init; }
        public string Status { get; init; } = "";
    }

    sealed record SessionRow
    {
        public Guid SessionId { get; init; }
        public long DayNumber { get; init; }
        public string LocalDate { get; init; } = "";
        public DateTimeOffset StartsAt { get; init; }
        public DateTimeOffset EndsAt { get; init; }
        public Guid VenueId { get; init; }
        public Guid TrainerId { get; init; }
        public string Status { get; init; } = "";
        public string Venue { get; init; } = "";
        public string? TimeZone { get; init; }
    }

    sealed record VenueRow
    {
        public string Name { get; init; } = "";
        public long Capacity { get; init; }
    }

    sealed record OfficerRow
    {
        public Guid SectorId { get; init; }
        public string Role { get; init; } = "";
        public string Status { get; init; } = "";
        public string? Arm { get; init; }
    }
}
