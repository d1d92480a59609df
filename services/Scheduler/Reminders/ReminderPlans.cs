using Reminders.Contracts;
using Reminders.Platform.Data;
using Reminders.Platform.Protocol;
using Reminders.Scheduler.Dispatch;

namespace Reminders.Scheduler.Reminders;

/// <summary>
/// Plans the reminders of a closed cohort's members: one row per officer × reminder of the protocol in force, with its
/// due time, late window, cut-off and protocol version. Officers who may not receive them (not eligible, opted out,
/// withdrawn, not in a treatment sector) get their rows too, skipped with the reason, so what each officer was owed
/// stays visible. An officer already planned (by an earlier closing) is not planned twice.
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
        var officers = (await work.QueryAsync<OfficerRow>($"""
            SELECT o.officer_id AS OfficerId, o.role AS Role, COALESCE(st.status, 'active') AS Status, a.arm AS Arm, c.consent AS Consent,
                   sa.arm AS CurrentSectorArm, z.time_zone AS TimeZone
            FROM officers o LEFT JOIN sectors z ON z.sector_id = o.sector_id LEFT JOIN officer_statuses st ON st.officer_id = o.officer_id LEFT JOIN officer_arms a ON a.officer_id = o.officer_id
            LEFT JOIN officer_consents c ON c.officer_id = o.officer_id LEFT JOIN sector_arms sa ON sa.sector_id = o.sector_id
            WHERE {work.Dialect.InList("o.officer_id", "ids")}
            """, new { ids }, ct)).ToDictionary(o => o.OfficerId);
        var alreadyPlanned = (await work.QueryAsync<Guid>($"""
            SELECT DISTINCT officer_id FROM planned_sms WHERE kind = 'reminder' AND {work.Dialect.InList("officer_id", "ids")}
            """, new { ids }, ct)).ToHashSet();

        var now = clock.GetUtcNow();
        var rows = new List<PlannedSms>();
        foreach (var (officerId, eligible) in eligibleByOfficer.OrderBy(p => p.Key))
        {
            if (alreadyPlanned.Contains(officerId)) continue;
            var officer = officers.GetValueOrDefault(officerId);
            var officerReason = !eligible ? SmsSkipReasons.NotEligible
                : officer is null ? SmsSkipReasons.ArmMismatch
                : DueSmsDispatcher.StatusSkipReason(officer.Status)
                  ?? (officer.Arm != StudyArms.Treatment ? SmsSkipReasons.ArmMismatch
                      : officer.Consent == false ? SmsSkipReasons.NoConsent
                      : officer.CurrentSectorArm is { } current && current != officer.Arm && protocol.Transfers.CrossArm == CrossArmTransfer.Stop ? SmsSkipReasons.TransferredCrossArm
                      : null);
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

    sealed record OfficerRow
    {
        public Guid OfficerId { get; init; }
        public string Role { get; init; } = "";
        public string Status { get; init; } = "";
        public string? Arm { get; init; }
        public bool? Consent { get; init; }
        public string? CurrentSectorArm { get; init; }
        public string? TimeZone { get; init; }
    }
}
