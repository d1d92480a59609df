using Reminders.Contracts;
using Reminders.Platform.Data;
using Reminders.Protocol;
using Reminders.Scheduler.Dispatch;

namespace Reminders.Scheduler.Reminders;

/// <summary>
/// Plans the reminders of a closed cohort's members: one row per officer × reminder of the protocol in force, with its
/// due time, late window, cut-off and protocol version. Officers who may not receive them (not eligible, opted out,
/// withdrawn, not in a treatment sector) get their rows too, skipped with the reason, so what each officer was owed
/// stays visible. An officer already planned (by an earlier closing) is not planned twice; when the same cohort closes
/// again (reopened and corrected), its officers now eligible get their reminders back (<see cref="ReminderRestorer"/>)
/// and those no longer eligible have their pending ones skipped not_eligible.
/// </summary>
public sealed class ReminderPlans(StudyProtocol protocol, TimeProvider clock, ILogger<ReminderPlans> logger)
{
    public const string PlannedBy = "attendance-closed";

    public async Task<int> PlanAsync(UnitOfWork work, Guid cohortId, IReadOnlyDictionary<Guid, bool> eligibleByOfficer, CancellationToken ct)
    {
        if (protocol.Reminders is not { } rules)
        {
            logger.LogWarning("Protocol {Version} has no reminders section: no reminders planned for cohort {CohortId}", protocol.Version, cohortId);
            return 0;
        }
        var lastDay = await work.QuerySingleOrDefaultAsync<string?>(
            "SELECT MAX(local_date) FROM sessions WHERE cohort_id = @cohortId AND status <> 'cancelled'", new { cohortId }, ct);
        // Attendance only closes cohorts it learned from this service, so the sessions are here.
        if (lastDay is null) throw new InvalidOperationException($"Cohort {cohortId} closed but has no sessions here.");
        // Due on the wall clock of each officer's own sector (a city-wide study spans zones).
        var lastTrainingDay = DateOnly.ParseExact(lastDay, "yyyy-MM-dd");
        var timingsByZone = new Dictionary<string, IReadOnlyList<ReminderTiming>>();
        IReadOnlyList<ReminderTiming> TimingsFor(string? zoneId)
        {
            var zone = protocol.ZoneOf(zoneId);
            if (!timingsByZone.TryGetValue(zone.Id, out var timings))
                timingsByZone[zone.Id] = timings = ReminderPlanner.Plan(rules, protocol.QuietHours, zone, lastTrainingDay);
            return timings;
        }

        var ids = work.Dialect.UuidList(eligibleByOfficer.Keys);
        var officers = await ReminderBlocks.ForOfficersAsync(work, eligibleByOfficer.Keys, protocol, ct);
        var alreadyPlanned = (await work.QueryAsync<Guid>($"""
            SELECT DISTINCT officer_id FROM planned_sms WHERE kind = 'reminder' AND {work.Dialect.InList("officer_id", "ids")}
            """, new { ids }, ct)).ToHashSet();

        var now = clock.GetUtcNow();
        await ReviseAsync(work, cohortId, eligibleByOfficer.Where(p => alreadyPlanned.Contains(p.Key)).ToList(), now, ct);
        var rows = new List<PlannedSms>();
        foreach (var (officerId, eligible) in eligibleByOfficer.OrderBy(p => p.Key))
        {
            if (alreadyPlanned.Contains(officerId)) continue;
            var officer = officers.GetValueOrDefault(officerId);
            var officerReason = !eligible ? SmsSkipReasons.NotEligible : officers.ReasonFor(officerId);
            foreach (var (timing, step) in TimingsFor(officer?.TimeZone).Zip(rules.Schedule))
            {
                var reason = officerReason
                    ?? (timing.AfterCutoff ? SmsSkipReasons.AfterCutoff : null)
                    ?? (timing.WindowEndsAt <= now ? SmsSkipReasons.MissedWindow : null);
                rows.Add(new PlannedSms
                {
                    OfficerId = officerId,
                    Purpose = SmsPurposes.Reminder,
                    Kind = PlannedSmsKinds.Reminder,
                    CohortId = cohortId,
                    ReminderNumber = timing.Number,
                    Body = step.Template.For(officer?.Role ?? StudyRoles.Officer).Render(),
                    DueAt = timing.DueAt,
                    WindowEndsAt = timing.WindowEndsAt,
                    CutoffAt = timing.CutoffAt,
                    ProtocolVersion = protocol.Version,
                    Status = reason is null ? PlannedSmsStatuses.Planned : PlannedSmsStatuses.Skipped,
                    Reason = reason,
                    PlannedBy = PlannedBy,
                    PlannedAt = now,
                });
            }
        }
        if (rows.Count == 0) return 0;
        await work.AddPlannedSmsAsync(rows, ct);
        work.Publish(new RemindersPlanned(cohortId, protocol.Version,
            rows.Select(r => new PlannedReminder(r.SmsId, r.OfficerId, r.ReminderNumber!.Value, r.DueAt, r.Status, r.Reason)).ToList(), now));
        return rows.Count;
    }

    /// <summary>
    /// The cohort closed again: its officers planned before who are eligible now get back the reminders skipped as not
    /// eligible; those no longer eligible have their reminders still waiting skipped not_eligible (the sent stay sent).
    /// </summary>
    async Task ReviseAsync(UnitOfWork work, Guid cohortId, IReadOnlyList<KeyValuePair<Guid, bool>> planned, DateTimeOffset now, CancellationToken ct)
    {
        if (planned.Count == 0) return;
        await ReminderRestorer.RestoreAsync(work, planned.Where(p => p.Value).Select(p => p.Key).ToList(), NotEligible, protocol, now, ct, cohortId);
        var noLonger = planned.Where(p => !p.Value).Select(p => p.Key).ToList();
        if (noLonger.Count == 0) return;
        var pending = await work.QueryAsync<PlannedSms>($"""
            SELECT {PlannedSmsStore.Columns} FROM planned_sms
            WHERE cohort_id = @cohortId AND kind = 'reminder' AND status = 'planned' AND {work.Dialect.InList("officer_id", "ids")}
            """, new { cohortId, ids = work.Dialect.UuidList(noLonger) }, ct);
        await work.CloseAsync(pending.Select(p => p.SmsId), PlannedSmsStatuses.Skipped, SmsSkipReasons.NotEligible, now, ct);
        work.PublishSkippedReminders(pending, SmsSkipReasons.NotEligible, now);
    }

    static readonly IReadOnlySet<string> NotEligible = new HashSet<string> { SmsSkipReasons.NotEligible };
}
