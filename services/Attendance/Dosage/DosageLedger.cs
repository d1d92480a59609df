using System.Data.Common;
using Dapper;
using Npgsql;
using Reminders.Attendance.Recording;
using Reminders.Contracts;
using Reminders.Platform;
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
    /// <param name="parallel">
    /// When given (and no transaction), the independent queries run at once, each on its own connection from this database:
    /// reading every officer is PostgreSQL's work, and one connection would keep it on one core.
    /// </param>
    /// <param name="asOf">
    /// When given, the doses as they stood at that instant: only events that happened by then count (each at its own
    /// time, whenever it was folded), see <see cref="ReadSmsAsOfAsync"/>. Training is read as it stands.
    /// </param>
    public static async Task<IReadOnlyList<DosageRow>> ReadAsync(DbConnection connection, DbTransaction? transaction,
        IReadOnlyCollection<Guid>? officerIds, CancellationToken ct, AttendanceDatabase? parallel = null, DateTimeOffset? asOf = null)
    {
        if (officerIds is { Count: 0 }) return [];
        var dialect = connection is NpgsqlConnection ? SqlDialect.Postgres : SqlDialect.Sqlite;
        var listed = officerIds is { Count: <= MaxListedOfficers };
        var ids = listed ? dialect.UuidList(officerIds!.Distinct()) : null;
        string Filter(string column, string glue = "WHERE") => listed ? $"{glue} {dialect.InList(column, "ids")}" : "";

        // One query at a time on the caller's connection, or each on its own connection when reading in parallel.
        var shared = new SemaphoreSlim(1, 1);
        async Task<T> Run<T>(Func<DbConnection, DbTransaction?, Task<T>> query)
        {
            if (parallel is not null && transaction is null)
            {
                await using var own = await parallel.OpenAsync(ct);
                return await query(own, null);
            }
            await shared.WaitAsync(ct);
            try { return await query(connection, transaction); }
            finally { shared.Release(); }
        }
        Task<List<T>> Query<T>(string sql) => Run(async (c, t) =>
            (await c.QueryAsync<T>(new CommandDefinition(sql, new { ids, asOf }, t, cancellationToken: ct))).AsList());
        // Facts dated after asOf are left out (no filter when reading live).
        string AsOf(string column, string glue = "AND") => asOf is null ? "" : $"{glue} {column} <= @asOf";

        // Each SMS as of the instant, folded from its history first: reminders and logistics below both read it.
        var smsAsOf = asOf is null ? null : await Run((c, t) => ReadSmsAsOfAsync(c, t, Filter("l.officer_id", "AND"), ids, asOf.Value, ct));

        // The arm of randomization, its sector and consent (as they stand: none of them is dated by an event the ledger replays).
        const string studyFacts = """
            a.sector_id AS RandomizedSectorId, a.arm AS RandomizedArm, a.enrolled_after_randomization,
            c.consent, c.changed_at AS ConsentSince
            """;
        const string studyFactJoins = "LEFT JOIN officer_arms a ON a.officer_id = o.officer_id LEFT JOIN officer_consents c ON c.officer_id = o.officer_id";
        var officersQuery = Query<OfficerRow>(asOf is null ? $"""
            SELECT o.officer_id, o.sector_id, o.role, st.status, st.changed_at AS StatusAt, {studyFacts}
            FROM officers o LEFT JOIN officer_statuses st ON st.officer_id = o.officer_id {studyFactJoins} {Filter("o.officer_id")}
            """ : $"""
            SELECT o.officer_id, o.sector_id, o.role,
                   (SELECT h.status FROM officer_status_history h WHERE h.officer_id = o.officer_id AND h.changed_at <= @asOf
                    ORDER BY h.changed_at DESC, h.id DESC LIMIT 1) AS Status,
                   (SELECT MAX(h.changed_at) FROM officer_status_history h WHERE h.officer_id = o.officer_id AND h.changed_at <= @asOf) AS StatusAt,
                   {studyFacts}
            FROM officers o {studyFactJoins} {Filter("o.officer_id")}
            """);
        // Only the sectors these officers are or were in (every sector when reading everyone).
        var armsQuery = Query<ArmRow>($"""
            SELECT sector_id, arm, stratum, randomized_at FROM sector_arms
            {(listed ? $"WHERE sector_id IN (SELECT sector_id FROM officers WHERE {dialect.InList("officer_id", "ids")}) OR sector_id IN (SELECT from_sector_id FROM officer_transfers WHERE {dialect.InList("officer_id", "ids")}) OR sector_id IN (SELECT sector_id FROM officer_arms WHERE {dialect.InList("officer_id", "ids")})" : "")}
            """);
        var transfersQuery = Query<TransferRow>($"""
            SELECT officer_id, from_sector_id, cross_arm, recorded_at
            FROM officer_transfers {Filter("officer_id")} ORDER BY recorded_at, id
            """);
        var firstStatusesQuery = Query<FirstStatusRow>($"""
            SELECT officer_id, status, MIN(changed_at) AS At FROM officer_status_history
            WHERE status IN ('sms_opted_out', 'withdrawn') {Filter("officer_id", "AND")} {AsOf("changed_at")} GROUP BY officer_id, status
            """);
        var closedTrainingQuery = Query<ClosedTrainingRow>($"""
            SELECT officer_id,
                   SUM(CASE WHEN walk_in THEN 0 ELSE minutes_planned END) AS MinutesPlanned, SUM(minutes_attended) AS MinutesAttended,
                   SUM(CASE WHEN walk_in THEN 0 ELSE sessions_planned END) AS SessionsPlanned, SUM(sessions_attended) AS SessionsAttended,
                   MAX(CASE WHEN walk_in THEN 1 ELSE 0 END) AS WalkIn
            FROM cohort_officer_totals {Filter("officer_id")} GROUP BY officer_id
            """);
        // Cohorts not closed yet: planned from their scheduled sessions, nothing attended counted until the close.
        var openSessionsQuery = Query<OpenSessionRow>($"""
            SELECT m.officer_id, s.starts_at, s.ends_at
            FROM cohort_members m JOIN sessions s ON s.cohort_id = m.cohort_id
            WHERE s.status <> 'cancelled' AND NOT EXISTS (SELECT 1 FROM cohort_officer_totals t WHERE t.cohort_id = m.cohort_id)
            {Filter("m.officer_id", "AND")}
            """);
        var remindersQuery = Run((c, t) => ReadRemindersAsync(c, t, asOf is null ? $"""
            SELECT r.officer_id, r.number, r.sms_id, r.due_at, r.skip_reason, r.acknowledged_at,
                   s.accepted, s.accepted_at, s.status, s.delivered_at, s.refusal_reason
            FROM reminder_ledger r LEFT JOIN sms_ledger s ON s.sms_id = r.sms_id
            WHERE r.number IS NOT NULL {Filter("r.officer_id", "AND")}
            """ : $"""
            SELECT r.officer_id, r.number, r.sms_id, r.due_at,
                   CASE WHEN r.skipped_at <= @asOf THEN r.skip_reason END, CASE WHEN r.acknowledged_at <= @asOf THEN r.acknowledged_at END,
                   NULL, NULL, NULL, NULL, NULL
            FROM reminder_ledger r
            WHERE r.number IS NOT NULL {Filter("r.officer_id", "AND")}
            """, ids, asOf, smsAsOf, ct));
        var logisticsQuery = smsAsOf is not null ? Task.FromResult(LogisticsOf(smsAsOf)) : Query<LogisticsRow>($"""
            SELECT officer_id,
                   SUM(CASE WHEN accepted THEN 1 ELSE 0 END) AS Sent,
                   SUM(CASE WHEN status IN ('delivered', 'read') THEN 1 ELSE 0 END) AS Delivered,
                   SUM(CASE WHEN status IN ('failed', 'undelivered', 'canceled') THEN 1 ELSE 0 END) AS Failed
            FROM sms_ledger WHERE purpose = 'logistics' {Filter("officer_id", "AND")} GROUP BY officer_id
            """);
        await Task.WhenAll(officersQuery, armsQuery, transfersQuery, firstStatusesQuery, closedTrainingQuery, openSessionsQuery, remindersQuery, logisticsQuery);
        var officers = officersQuery.Result;
        var arms = armsQuery.Result.ToDictionary(a => a.SectorId);
        var transfers = transfersQuery.Result.ToLookup(t => t.OfficerId);
        var firstStatuses = firstStatusesQuery.Result.ToLookup(s => s.OfficerId);
        var closedTraining = closedTrainingQuery.Result.ToDictionary(t => t.OfficerId);
        var openSessions = openSessionsQuery.Result.ToLookup(s => s.OfficerId);
        var reminders = remindersQuery.Result;
        var logistics = logisticsQuery.Result.ToDictionary(l => l.OfficerId);

        // Officers whose events arrived before their enrollment still have a row (without identity).
        var byId = officers.ToDictionary(o => o.OfficerId);
        var unenrolled = reminders.Keys.Concat(logistics.Keys).Concat(closedTraining.Keys).Where(id => !byId.ContainsKey(id)).ToHashSet();
        var everyone = new List<Guid>(byId.Keys.Concat(unenrolled));
        if (officerIds is not null && !listed)
        {
            var wanted = officerIds.ToHashSet();
            everyone.RemoveAll(id => !wanted.Contains(id));
        }
        everyone.Sort();

        var rows = new List<DosageRow>(everyone.Count);
        foreach (var officerId in everyone)
            rows.Add(Row(officerId, byId.GetValueOrDefault(officerId), arms, transfers[officerId], firstStatuses[officerId],
                closedTraining.GetValueOrDefault(officerId), openSessions[officerId], reminders.GetValueOrDefault(officerId) ?? [],
                logistics.GetValueOrDefault(officerId), asOf));
        return rows;
    }

    static DosageRow Row(Guid officerId, OfficerRow? officer, IReadOnlyDictionary<Guid, ArmRow> arms, IEnumerable<TransferRow> transfers,
        IEnumerable<FirstStatusRow> firstStatuses, ClosedTrainingRow? closed, IEnumerable<OpenSessionRow> open, List<ReminderDose> doses,
        LogisticsRow? logistics, DateTimeOffset? asOf)
    {
        // The sector and arm of randomization, as Enrollment assigned them (OfficerArmsAssigned). An officer known before that
        // event existed: the sector they left by their first transfer after that sector's arms were drawn.
        var sectorId = officer?.RandomizedSectorId ?? officer?.SectorId;
        var currentSectorId = officer?.SectorId;
        var crossArm = false;
        var moved = officer?.RandomizedSectorId is not null;
        var movedLater = false;
        foreach (var t in transfers)
        {
            // A transfer after the instant read: the officer was still in the sector it left.
            if (t.RecordedAt > asOf)
            {
                if (!movedLater) (currentSectorId, movedLater) = (t.FromSectorId, true);
            }
            else crossArm |= t.CrossArm;
            if (!moved && arms.GetValueOrDefault(t.FromSectorId)?.RandomizedAt is { } drawn && t.RecordedAt >= drawn)
                (sectorId, moved) = (t.FromSectorId, true);
        }
        var sectorArm = sectorId is { } s ? arms.GetValueOrDefault(s) : null;
        var armOfRandomization = officer?.RandomizedArm ?? sectorArm?.Arm;

        int openMinutes = 0, openCount = 0;
        foreach (var session in open)
        {
            openMinutes += (int)(session.EndsAt - session.StartsAt).TotalMinutes;
            openCount++;
        }
        var minutesPlanned = (int)(closed?.MinutesPlanned ?? 0) + openMinutes;
        var sessionsPlanned = (int)(closed?.SessionsPlanned ?? 0) + openCount;
        var minutesAttended = (int)(closed?.MinutesAttended ?? 0);
        var sessionsAttended = (int)(closed?.SessionsAttended ?? 0);

        int planned = 0, sent = 0, delivered = 0, failed = 0, undelivered = 0, acknowledged = 0, skipped = 0, pending = 0;
        DateTimeOffset? firstDelivered = null, lastDelivered = null;
        Dictionary<string, int>? skippedByReason = null;
        foreach (var d in doses)
        {
            if (d.Status == ReminderStatuses.Cancelled) continue;
            planned++;
            if (d.SentAt is not null) sent++;
            if (d.AcknowledgedAt is not null) acknowledged++;
            switch (d.Status)
            {
                case ReminderStatuses.Delivered: delivered++; break;
                case ReminderStatuses.Failed: failed++; break;
                case ReminderStatuses.Undelivered: undelivered++; break;
                case ReminderStatuses.Pending or ReminderStatuses.Accepted: pending++; break;
                case ReminderStatuses.Skipped:
                    skipped++;
                    skippedByReason ??= new Dictionary<string, int>(StringComparer.Ordinal);
                    skippedByReason[d.SkipReason ?? ""] = skippedByReason.GetValueOrDefault(d.SkipReason ?? "") + 1;
                    break;
            }
            if (d.DeliveredAt is { } at)
            {
                if (firstDelivered is null || at < firstDelivered) firstDelivered = at;
                if (lastDelivered is null || at > lastDelivered) lastDelivered = at;
            }
        }

        DateTimeOffset? optedOutAt = null, withdrawnAt = null;
        foreach (var f in firstStatuses)
        {
            if (f.Status == OfficerStatuses.SmsOptedOut) optedOutAt = f.At;
            else if (f.Status == OfficerStatuses.Withdrawn) withdrawnAt = f.At;
        }

        return new DosageRow
        {
            OfficerId = officerId,
            SectorId = sectorId,
            CurrentSectorId = currentSectorId,
            Stratum = sectorArm?.Stratum,
            Arm = armOfRandomization,
            EnrolledAfterRandomization = officer?.EnrolledAfterRandomization ?? false,
            Consent = officer?.Consent ?? true,
            ConsentSince = officer?.ConsentSince,
            Role = officer?.Role,
            StudyStatus = officer?.Status ?? OfficerStatuses.Active,
            StudyStatusAt = officer?.StatusAt,
            SmsOptedOutAt = optedOutAt,
            WithdrawnAt = withdrawnAt,
            CrossArmTransfer = crossArm,
            WalkIn = closed?.WalkIn > 0,
            Contamination = Contamination.Of(armOfRandomization, minutesAttended),
            TrainingMinutesPlanned = minutesPlanned,
            TrainingMinutesAttended = minutesAttended,
            TrainingSessionsPlanned = sessionsPlanned,
            TrainingSessionsAttended = sessionsAttended,
            TrainingAttendanceClosed = openCount == 0,
            TrainingCompleted = sessionsPlanned == 0 || openCount > 0 ? null : sessionsAttended >= sessionsPlanned,
            RemindersPlanned = planned,
            RemindersSent = sent,
            RemindersDelivered = delivered,
            RemindersFailed = failed,
            RemindersUndelivered = undelivered,
            RemindersAcknowledged = acknowledged,
            RemindersSkipped = skipped,
            RemindersPending = pending,
            RemindersSkippedByReason = skippedByReason is null ? EmptyReasons
                : skippedByReason.OrderBy(p => p.Key, StringComparer.Ordinal).ToDictionary(p => p.Key, p => p.Value),
            FirstReminderDeliveredAt = firstDelivered,
            LastReminderDeliveredAt = lastDelivered,
            Reminders = doses,
            LogisticsSent = (int)(logistics?.Sent ?? 0),
            LogisticsDelivered = (int)(logistics?.Delivered ?? 0),
            LogisticsFailed = (int)(logistics?.Failed ?? 0),
        };
    }

    /// <summary>
    /// Every officer <see cref="ReadAsync"/> gives a row to when reading everyone: the enrolled, and those whose reminders,
    /// logistics SMS or closed training arrived before their enrollment.
    /// </summary>
    public const string KnownOfficersSql = """
        SELECT officer_id FROM officers
        UNION SELECT officer_id FROM reminder_ledger WHERE number IS NOT NULL
        UNION SELECT officer_id FROM sms_ledger WHERE purpose = 'logistics'
        UNION SELECT officer_id FROM cohort_officer_totals
        """;

    static readonly IReadOnlyDictionary<string, int> EmptyReasons = new Dictionary<string, int>();

    /// <summary>
    /// The per-reminder rows, the one large result (officers × reminders): read with the typed getters both drivers have
    /// (a uuid and a timestamp per column, stored as text on SQLite), grouped by officer and ordered by number.
    /// </summary>
    /// <remarks>With <paramref name="smsAsOf"/>, each reminder's SMS columns come from it rather than from the query.</remarks>
    static async Task<Dictionary<Guid, List<ReminderDose>>> ReadRemindersAsync(DbConnection connection, DbTransaction? transaction, string sql,
        Array? ids, DateTimeOffset? asOf, IReadOnlyDictionary<Guid, SmsAsOf>? smsAsOf, CancellationToken ct)
    {
        var byOfficer = new Dictionary<Guid, List<ReminderDose>>();
        await using (var reader = await connection.ExecuteReaderAsync(new CommandDefinition(sql, new { ids, asOf }, transaction, cancellationToken: ct)))
        {
            while (await reader.ReadAsync(ct))
            {
                var row = new ReminderRow
                {
                    OfficerId = reader.GetGuid(0),
                    Number = reader.GetInt32(1),
                    SmsId = reader.GetGuid(2),
                    DueAt = Time(reader, 3),
                    SkipReason = reader.IsDBNull(4) ? null : reader.GetString(4),
                    AcknowledgedAt = Time(reader, 5),
                    Accepted = reader.IsDBNull(6) ? null : reader.GetBoolean(6),
                    AcceptedAt = Time(reader, 7),
                    Status = reader.IsDBNull(8) ? null : reader.GetString(8),
                    DeliveredAt = Time(reader, 9),
                    RefusalReason = reader.IsDBNull(10) ? null : reader.GetString(10),
                };
                if (smsAsOf is not null)
                    row = smsAsOf.TryGetValue(row.SmsId, out var sms)
                        ? row with { Accepted = sms.Accepted, AcceptedAt = sms.AcceptedAt, Status = sms.Status, DeliveredAt = sms.DeliveredAt, RefusalReason = sms.RefusalReason }
                        : row;
                if (!byOfficer.TryGetValue(row.OfficerId, out var doses)) byOfficer[row.OfficerId] = doses = new List<ReminderDose>(6);
                doses.Add(Dose(row));
            }
        }
        foreach (var doses in byOfficer.Values) doses.Sort((x, y) => x.Number.CompareTo(y.Number));
        return byOfficer;
    }

    static DateTimeOffset? Time(DbDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetFieldValue<DateTimeOffset>(ordinal).ToUniversalTime();

    /// <summary>One SMS as it stood at an instant: what <c>sms_ledger</c> would hold had only the events dated by then been folded.</summary>
    sealed class SmsAsOf
    {
        public Guid OfficerId { get; init; }
        public string Purpose { get; init; } = "";
        public bool Accepted { get; set; }
        public DateTimeOffset? AcceptedAt { get; set; }
        public string? Status { get; set; }
        public int Rank { get; set; }
        public DateTimeOffset? DeliveredAt { get; set; }
        public string? RefusalReason { get; set; }
    }

    /// <summary>
    /// Each SMS of the officers read, folded from its <c>sms_status_history</c> entries dated at or before
    /// <paramref name="asOf"/> (an event's own time: the provider's acceptance, the carrier's receipt), in the order they
    /// were folded and by the same rules as SmsLedger's consumers. A receipt dated before the instant counts however late
    /// it arrived; a send after it does not.
    /// </summary>
    static async Task<IReadOnlyDictionary<Guid, SmsAsOf>> ReadSmsAsOfAsync(DbConnection connection, DbTransaction? transaction, string officerFilter,
        Array? ids, DateTimeOffset asOf, CancellationToken ct)
    {
        var events = await connection.QueryAsync<SmsEventRow>(new CommandDefinition($"""
            SELECT h.sms_id, l.officer_id, l.purpose, h.event, h.status,
                   h.detail, h.occurred_at
            FROM sms_status_history h JOIN sms_ledger l ON l.sms_id = h.sms_id
            WHERE h.occurred_at <= @asOf {officerFilter}
            ORDER BY h.id
            """, new { ids, asOf }, transaction, cancellationToken: ct));
        var bySms = new Dictionary<Guid, SmsAsOf>();
        foreach (var e in events)
        {
            if (!bySms.TryGetValue(e.SmsId, out var sms)) bySms[e.SmsId] = sms = new SmsAsOf { OfficerId = e.OfficerId, Purpose = e.Purpose };
            var rank = SmsStatuses.Rank(e.Status);
            switch (e.Event)
            {
                case "accepted":
                    (sms.Accepted, sms.AcceptedAt) = (true, e.OccurredAt);
                    if (sms.Rank < rank) (sms.Status, sms.Rank) = (e.Status, rank);
                    break;
                case "status":
                    sms.Accepted = true;
                    sms.AcceptedAt ??= e.OccurredAt;
                    if (sms.Rank < rank)
                    {
                        (sms.Status, sms.Rank) = (e.Status, rank);
                        if (e.Status == "delivered") sms.DeliveredAt = e.OccurredAt;
                    }
                    break;
                case "failed":
                    if (sms.Rank < rank) (sms.Status, sms.Rank) = (e.Status, rank);
                    break;
                case "refused":
                    sms.RefusalReason = e.Detail;
                    break;
            }
        }
        return bySms;
    }

    /// <summary>The logistics counts of the ledger's query, over SMS read as of an instant.</summary>
    static List<LogisticsRow> LogisticsOf(IReadOnlyDictionary<Guid, SmsAsOf> sms) =>
        sms.Values.Where(s => s.Purpose == SmsPurposes.Logistics).GroupBy(s => s.OfficerId).Select(g => new LogisticsRow
        {
            OfficerId = g.Key,
            Sent = g.Count(s => s.Accepted),
            Delivered = g.Count(s => s.Status is "delivered" or "read"),
            Failed = g.Count(s => s.Status is "failed" or "undelivered" or "canceled"),
        }).ToList();

    sealed record SmsEventRow
    {
        public Guid SmsId { get; init; }
        public Guid OfficerId { get; init; }
        public string Purpose { get; init; } = "";
        public string Event { get; init; } = "";
        public string? Status { get; init; }
        public string? Detail { get; init; }
        public DateTimeOffset OccurredAt { get; init; }
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
        public Guid? RandomizedSectorId { get; init; }
        public string? RandomizedArm { get; init; }
        public bool? EnrolledAfterRandomization { get; init; }
        public bool? Consent { get; init; }
        public DateTimeOffset? ConsentSince { get; init; }
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
