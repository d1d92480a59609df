using System.Data.Common;
using Dapper;
using Npgsql;
using Reminders.Contracts;
using Reminders.Platform.Data;

namespace Reminders.Attendance.Dosage;

/// <summary>
/// Reads officers' doses from the ledger tables the consumers fold events into: set-based, a handful of queries for any
/// number of officers, so one officer is a few indexed lookups and 100,000 officers one pass.
/// </summary>
public static class DosageLedger
{
    /// <summary>Above this many officers asked for, every officer is read and the rest dropped (one pass beats a huge IN list).</summary>
    const int MaxListedOfficers = 1000;

    /// <summary>Skip reasons that mean the plan changed: the reminder was never owed and leaves the denominator.</summary>
    public static readonly IReadOnlySet<string> CancellationReasons = new HashSet<string>(StringComparer.Ordinal)
    {
        SmsSkipReasons.PlanChanged, SmsSkipReasons.CohortCancelled, SmsSkipReasons.SessionCancelled,
        SmsSkipReasons.MovedToAnotherCohort, SmsSkipReasons.Transferred,
    };

    /// <summary>Every officer the ledger knows (both arms), or only <paramref name="officerIds"/>; ordered by officer id.</summary>
    public static async Task<IReadOnlyList<DosageRow>> ReadAsync(DbConnection connection, DbTransaction? transaction,
        IReadOnlyCollection<Guid>? officerIds, CancellationToken ct)
    {
        if (officerIds is { Count: 0 }) return [];
        var dialect = connection is NpgsqlConnection ? SqlDialect.Postgres : SqlDialect.Sqlite;
        var listed = officerIds is { Count: <= MaxListedOfficers };
        var ids = listed ? dialect.UuidList(officerIds!.Distinct()) : null;
        string Filter(string column, string glue = "WHERE") => listed ? $"{glue} {dialect.InList(column, "ids")}" : "";

        async Task<List<T>> Query<T>(string sql) =>
            (await connection.QueryAsync<T>(new CommandDefinition(sql, new { ids }, transaction, cancellationToken: ct))).AsList();

        var officers = await Query<OfficerRow>($"""
            SELECT o.officer_id AS OfficerId, o.sector_id AS SectorId, o.role AS Role, st.status AS Status, st.changed_at AS StatusAt
            FROM officers o LEFT JOIN officer_statuses st ON st.officer_id = o.officer_id {Filter("o.officer_id")}
            """);
        var arms = (await Query<ArmRow>("SELECT sector_id AS SectorId, arm AS Arm, stratum AS Stratum, randomized_at AS RandomizedAt FROM sector_arms"))
            .ToDictionary(a => a.SectorId);
        var transfers = (await Query<TransferRow>($"""
            SELECT officer_id AS OfficerId, from_sector_id AS FromSectorId, cross_arm AS CrossArm, recorded_at AS RecordedAt
            FROM officer_transfers {Filter("officer_id")} ORDER BY recorded_at, id
            """)).ToLookup(t => t.OfficerId);
        var firstStatuses = (await Query<FirstStatusRow>($"""
            SELECT officer_id AS OfficerId, status AS Status, MIN(changed_at) AS At FROM officer_status_history
            WHERE status IN ('sms_opted_out', 'withdrawn') {Filter("officer_id", "AND")} GROUP BY officer_id, status
            """)).ToLookup(s => s.OfficerId);
        var closedTraining = (await Query<ClosedTrainingRow>($"""
            SELECT officer_id AS OfficerId,
                   SUM(CASE WHEN walk_in THEN 0 ELSE minutes_planned END) AS MinutesPlanned, SUM(minutes_attended) AS MinutesAttended,
                   SUM(CASE WHEN walk_in THEN 0 ELSE sessions_planned END) AS SessionsPlanned, SUM(sessions_attended) AS SessionsAttended,
                   MAX(CASE WHEN walk_in THEN 1 ELSE 0 END) AS WalkIn
            FROM cohort_officer_totals {Filter("officer_id")} GROUP BY officer_id
            """)).ToDictionary(t => t.OfficerId);
        // Cohorts not closed yet: planned from their scheduled sessions, nothing attended counted until the close.
        var openSessions = (await Query<OpenSessionRow>($"""
            SELECT m.officer_id AS OfficerId, s.starts_at AS StartsAt, s.ends_at AS EndsAt
            FROM cohort_members m JOIN sessions s ON s.cohort_id = m.cohort_id
            WHERE s.status <> 'cancelled' AND NOT EXISTS (SELECT 1 FROM cohort_officer_totals t WHERE t.cohort_id = m.cohort_id)
            {Filter("m.officer_id", "AND")}
            """)).ToLookup(s => s.OfficerId);
        var reminders = (await Query<ReminderRow>($"""
            SELECT r.officer_id AS OfficerId, r.number AS Number, r.sms_id AS SmsId, r.due_at AS DueAt, r.skip_reason AS SkipReason,
                   r.acknowledged_at AS AcknowledgedAt, s.accepted AS Accepted, s.accepted_at AS AcceptedAt, s.status AS Status,
                   s.delivered_at AS DeliveredAt, s.refusal_reason AS RefusalReason
            FROM reminder_ledger r LEFT JOIN sms_ledger s ON s.sms_id = r.sms_id
            WHERE r.number IS NOT NULL {Filter("r.officer_id", "AND")}
            """)).ToLookup(r => r.OfficerId);
        var logistics = (await Query<LogisticsRow>($"""
            SELECT officer_id AS OfficerId,
                   SUM(CASE WHEN accepted THEN 1 ELSE 0 END) AS Sent,
                   SUM(CASE WHEN status IN ('delivered', 'read') THEN 1 ELSE 0 END) AS Delivered,
                   SUM(CASE WHEN status IN ('failed', 'undelivered', 'canceled') THEN 1 ELSE 0 END) AS Failed
            FROM sms_ledger WHERE purpose = 'logistics' {Filter("officer_id", "AND")} GROUP BY officer_id
            """)).ToDictionary(l => l.OfficerId);

        // Officers whose events arrived before their enrollment still have a row (without identity).
        var everyone = officers.Select(o => o.OfficerId)
            .Concat(reminders.Select(g => g.Key)).Concat(logistics.Keys).Concat(closedTraining.Keys)
            .Distinct().ToList();
        if (officerIds is not null && !listed)
        {
            var wanted = officerIds.ToHashSet();
            everyone.RemoveAll(id => !wanted.Contains(id));
        }
        everyone.Sort();

        // Officers' sector of randomization is the one they were in when their sector's arms were drawn.
        DateTimeOffset? randomizedAt = arms.Values.Select(a => a.RandomizedAt).Where(t => t is not null).Min();
        var byId = officers.ToDictionary(o => o.OfficerId);
        return everyone.Select(officerId => Row(officerId, byId.GetValueOrDefault(officerId), arms, randomizedAt, transfers[officerId].ToList(),
            firstStatuses[officerId].ToList(), closedTraining.GetValueOrDefault(officerId), openSessions[officerId].ToList(),
            reminders[officerId].ToList(), logistics.GetValueOrDefault(officerId))).ToList();
    }

    static DosageRow Row(Guid officerId, OfficerRow? officer, IReadOnlyDictionary<Guid, ArmRow> arms, DateTimeOffset? randomizedAt,
        List<TransferRow> transfers, List<FirstStatusRow> firstStatuses, ClosedTrainingRow? closed, List<OpenSessionRow> open,
        List<ReminderRow> reminderRows, LogisticsRow? logistics)
    {
        var sectorId = transfers.FirstOrDefault(t => randomizedAt is not null && t.RecordedAt >= randomizedAt)?.FromSectorId ?? officer?.SectorId;
        var arm = sectorId is { } s ? arms.GetValueOrDefault(s) : null;

        var minutesPlanned = (int)(closed?.MinutesPlanned ?? 0) + open.Sum(o => (int)(o.EndsAt - o.StartsAt).TotalMinutes);
        var sessionsPlanned = (int)(closed?.SessionsPlanned ?? 0) + open.Count;
        var minutesAttended = (int)(closed?.MinutesAttended ?? 0);
        var sessionsAttended = (int)(closed?.SessionsAttended ?? 0);

        var doses = reminderRows.OrderBy(r => r.Number).Select(Dose).ToList();
        var owed = doses.Where(d => d.Status != ReminderStatuses.Cancelled).ToList();
        var delivered = owed.Where(d => d.DeliveredAt is not null).Select(d => d.DeliveredAt!.Value).Order().ToList();
        var skipped = owed.Where(d => d.Status == ReminderStatuses.Skipped).ToList();

        return new DosageRow
        {
            OfficerId = officerId,
            SectorId = sectorId,
            CurrentSectorId = officer?.SectorId,
            Stratum = arm?.Stratum,
            Arm = arm?.Arm,
            Role = officer?.Role,
            StudyStatus = officer?.Status ?? OfficerStatuses.Active,
            StudyStatusAt = officer?.StatusAt,
            SmsOptedOutAt = firstStatuses.FirstOrDefault(f => f.Status == OfficerStatuses.SmsOptedOut)?.At,
            WithdrawnAt = firstStatuses.FirstOrDefault(f => f.Status == OfficerStatuses.Withdrawn)?.At,
            CrossArmTransfer = transfers.Any(t => t.CrossArm),
            WalkIn = closed?.WalkIn > 0,
            Contamination = arm?.Arm == StudyArms.Control && minutesAttended > 0,
            TrainingMinutesPlanned = minutesPlanned,
            TrainingMinutesAttended = minutesAttended,
            TrainingSessionsPlanned = sessionsPlanned,
            TrainingSessionsAttended = sessionsAttended,
            TrainingAttendanceClosed = open.Count == 0,
            TrainingCompleted = sessionsPlanned == 0 || open.Count > 0 ? null : sessionsAttended >= sessionsPlanned,
            RemindersPlanned = owed.Count,
            RemindersSent = owed.Count(d => d.SentAt is not null),
            RemindersDelivered = owed.Count(d => d.Status == ReminderStatuses.Delivered),
            RemindersFailed = owed.Count(d => d.Status == ReminderStatuses.Failed),
            RemindersUndelivered = owed.Count(d => d.Status == ReminderStatuses.Undelivered),
            RemindersAcknowledged = owed.Count(d => d.AcknowledgedAt is not null),
            RemindersSkipped = skipped.Count,
            RemindersPending = owed.Count(d => d.Status is ReminderStatuses.Pending or ReminderStatuses.Accepted),
            RemindersSkippedByReason = skipped.GroupBy(d => d.SkipReason ?? "").OrderBy(g => g.Key, StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => g.Count()),
            FirstReminderDeliveredAt = delivered.Count > 0 ? delivered[0] : null,
            LastReminderDeliveredAt = delivered.Count > 0 ? delivered[^1] : null,
            Reminders = doses,
            LogisticsSent = (int)(logistics?.Sent ?? 0),
            LogisticsDelivered = (int)(logistics?.Delivered ?? 0),
            LogisticsFailed = (int)(logistics?.Failed ?? 0),
        };
    }

    /// <summary>What the SMS shows wins (it was sent); else Messaging's refusal, else the Scheduler's skip or cancellation.</summary>
    static ReminderDose Dose(ReminderRow r)
    {
        var (status, reason) = r.Status switch
        {
            "delivered" or "read" => (ReminderStatuses.Delivered, null),
            "undelivered" => (ReminderStatuses.Undelivered, null),
            "failed" or "canceled" => (ReminderStatuses.Failed, null),
            _ when r.Accepted == true => (ReminderStatuses.Accepted, null),
            _ when r.RefusalReason is not null => (ReminderStatuses.Skipped, r.RefusalReason),
            _ when r.SkipReason is not null => (CancellationReasons.Contains(r.SkipReason) ? ReminderStatuses.Cancelled : ReminderStatuses.Skipped, r.SkipReason),
            _ => (ReminderStatuses.Pending, (string?)null),
        };
        return new ReminderDose
        {
            Number = r.Number,
            SmsId = r.SmsId,
            Status = status,
            SkipReason = reason,
            DueAt = r.DueAt,
            SentAt = r.Accepted == true ? r.AcceptedAt : null,
            DeliveredAt = status == ReminderStatuses.Delivered ? r.DeliveredAt : null,
            AcknowledgedAt = r.AcknowledgedAt,
        };
    }

    sealed record OfficerRow
    {
        public Guid OfficerId { get; init; }
        public Guid SectorId { get; init; }
        public string Role { get; init; } = "";
        public string? Status { get; init; }
        public DateTimeOffset? StatusAt { get; init; }
    }

    sealed record ArmRow
    {
        public Guid SectorId { get; init; }
        public string Arm { get; init; } = "";
        public string? Stratum { get; init; }
        public DateTimeOffset? RandomizedAt { get; init; }
    }

    sealed record TransferRow
    {
        public Guid OfficerId { get; init; }
        public Guid FromSectorId { get; init; }
        public bool CrossArm { get; init; }
        public DateTimeOffset RecordedAt { get; init; }
    }

    sealed record FirstStatusRow
    {
        public Guid OfficerId { get; init; }
        public string Status { get; init; } = "";
        public DateTimeOffset At { get; init; }
    }

    sealed record ClosedTrainingRow
    {
        public Guid OfficerId { get; init; }
        public long MinutesPlanned { get; init; }
        public long MinutesAttended { get; init; }
        public long SessionsPlanned { get; init; }
        public long SessionsAttended { get; init; }
        public long WalkIn { get; init; }
    }

    sealed record OpenSessionRow
    {
        public Guid OfficerId { get; init; }
        public DateTimeOffset StartsAt { get; init; }
        public DateTimeOffset EndsAt { get; init; }
    }

    sealed record ReminderRow
    {
        public Guid OfficerId { get; init; }
        public int Number { get; init; }
        public Guid SmsId { get; init; }
        public DateTimeOffset? DueAt { get; init; }
        public string? SkipReason { get; init; }
        public DateTimeOffset? AcknowledgedAt { get; init; }
        public bool? Accepted { get; init; }
        public DateTimeOffset? AcceptedAt { get; init; }
        public string? Status { get; init; }
        public DateTimeOffset? DeliveredAt { get; init; }
        public string? RefusalReason { get; init; }
    }

    sealed record LogisticsRow
    {
        public Guid OfficerId { get; init; }
        public long Sent { get; init; }
        public long Delivered { get; init; }
        public long Failed { get; init; }
    }
}

/// <summary>The values of <see cref="ReminderDose.Status"/>.</summary>
public static class ReminderStatuses
{
    public const string Pending = "pending";
    public const string Skipped = "skipped";
    public const string Cancelled = "cancelled";
    public const string Accepted = "accepted";
    public const string Delivered = "delivered";
    public const string Undelivered = "undelivered";
    public const string Failed = "failed";
}
