using Microsoft.Extensions.Options;
using Reminders.Contracts;
using Reminders.Platform.Data;
using Reminders.Protocol;
using Reminders.Scheduler.Reminders;

namespace Reminders.Scheduler.Dispatch;

public sealed class DispatchOptions
{
    public const string Section = "Scheduler:Dispatch";
    /// <summary>How often the dispatcher looks for due rows.</summary>
    public int IntervalMilliseconds { get; set; } = 1000;
    /// <summary>Rows claimed per transaction.</summary>
    public int BatchSize { get; set; } = 500;
    /// <summary>A row sent later than this after its due time is marked late.</summary>
    public int LateAfterMinutes { get; set; } = 15;
    /// <summary>Nothing is dispatched this close to the end of the sending window, so Messaging never gets it after the window closed.</summary>
    public int WindowEndMarginMinutes { get; set; } = 5;
    /// <summary>A dispatched SMS Messaging has not answered after this long (study clock) is looked up there, and sent again under the same id if Messaging never received it.</summary>
    public int RedispatchAfterMinutes { get; set; } = 10;
    /// <summary>How often (real time) the re-dispatch job looks for such SMS.</summary>
    public int RedispatchIntervalSeconds { get; set; } = 60;

    public TimeSpan WindowEndMargin => TimeSpan.FromMinutes(WindowEndMarginMinutes);
}

public sealed record DispatchRound(int Dispatched, int Skipped);

/// <summary>
/// Claims due planned SMS in batches and turns each into one <see cref="SendSms"/> with the row's id, in the same
/// transaction that marks it dispatched. Rows another instance holds are passed over (SKIP LOCKED), so two dispatchers
/// never send the same row. Nothing is dropped silently: a row that can no longer be sent is skipped with its reason;
/// outside quiet hours due rows wait for the window to open.
/// </summary>
public sealed class DueSmsDispatcher(
    SchedulerDatabase database, StudyProtocol protocol, TimeProvider clock,
    IOptions<DispatchOptions> options, ILogger<DueSmsDispatcher> logger)
{
    public async Task<DispatchRound> DispatchDueAsync(CancellationToken ct)
    {
        var (dispatched, skipped) = (0, 0);
        while (!ct.IsCancellationRequested)
        {
            var (batchDispatched, batchSkipped, claimed) = await DispatchBatchAsync(ct);
            (dispatched, skipped) = (dispatched + batchDispatched, skipped + batchSkipped);
            // A full batch that changed nothing is a quiet-hours wait: stop until the next round.
            if (claimed < options.Value.BatchSize || batchDispatched + batchSkipped == 0) break;
        }
        if (dispatched + skipped > 0) logger.LogInformation("Dispatched {Dispatched} SMS, skipped {Skipped}", dispatched, skipped);
        return new DispatchRound(dispatched, skipped);
    }

    async Task<(int Dispatched, int Skipped, int Claimed)> DispatchBatchAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var window = protocol.QuietHours;
        // Quiet hours on the wall clock of each officer's sector.
        var insideByZone = new Dictionary<string, bool>();
        bool InsideWindow(string? zoneId)
        {
            var zone = protocol.ZoneOf(zoneId);
            if (!insideByZone.TryGetValue(zone.Id, out var inside))
                insideByZone[zone.Id] = inside = MaySendNow(window, now, zone, options.Value.WindowEndMargin);
            return inside;
        }
        var lateAfter = TimeSpan.FromMinutes(options.Value.LateAfterMinutes);
        await using var work = await database.BeginAsync(ct);
        var due = await work.QueryAsync<DueRow>($"""
            {DueRowSelect}
            WHERE p.status = 'planned' AND p.due_at <= @now
            ORDER BY p.due_at LIMIT @batchSize {work.Dialect.SkipLocked(of: "p")}
            """, new { now, batchSize = options.Value.BatchSize }, ct);

        var (dispatched, late, skipped) = (new List<Guid>(), new List<Guid>(), new List<(Guid SmsId, string Reason)>());
        foreach (var row in due)
        {
            var reason = SkipReason(row, now);
            if (reason is not null)
            {
                skipped.Add((row.SmsId, reason));
                if (row.Kind == PlannedSmsKinds.Reminder) work.Publish(new ReminderSkipped(row.SmsId, row.OfficerId, row.ReminderNumber!.Value, reason, now));
                continue;
            }
            if (!InsideWindow(row.TimeZone)) continue;
            // Messaging holds one that meets quiet hours (a retry, a backlog) only while its late window is open.
            work.Send(QueueNames.SendSms, new SendSms(row.SmsId, row.OfficerId, row.Purpose, row.Body, now, row.TimeZone, SendBy(row)));
            (now - row.DueAt > lateAfter ? late : dispatched).Add(row.SmsId);
        }
        // Skips are few and each has its reason; the dispatched rows are marked in one statement per lateness, not one per row.
        await work.ExecuteAsync("""
            UPDATE planned_sms SET status = 'skipped', reason = @Reason, closed_at = @now WHERE sms_id = @SmsId AND status = 'planned'
            """, skipped.Select(s => new { s.SmsId, s.Reason, now }), ct);
        foreach (var (ids, isLate) in new[] { (dispatched, false), (late, true) }.Where(d => d.Item1.Count > 0))
            await work.ExecuteAsync($"""
                UPDATE planned_sms SET status = 'dispatched', dispatched_at = @now, late = @isLate
                WHERE {work.Dialect.InList("sms_id", "ids")} AND status = 'planned'
                """, new { ids = work.Dialect.UuidList(ids), now, isLate }, ct);
        await work.CommitAsync(ct);
        return (dispatched.Count + late.Count, skipped.Count, due.Count);
    }

    /// <summary>A planned row with what deciding to send it needs: the officer's study facts and sector zone (replicas of Enrollment's).</summary>
    internal const string DueRowSelect = """
        SELECT p.sms_id, p.officer_id, p.purpose, p.kind, p.reminder_number, p.body, p.due_at,
               p.window_ends_at, p.cutoff_at, COALESCE(st.status, 'active') AS OfficerStatus, a.arm,
               c.consent, z.time_zone
        FROM planned_sms p
        LEFT JOIN officers o ON o.officer_id = p.officer_id
        LEFT JOIN sectors z ON z.sector_id = o.sector_id
        LEFT JOIN officer_arms a ON a.officer_id = p.officer_id
        LEFT JOIN officer_consents c ON c.officer_id = p.officer_id
        LEFT JOIN officer_statuses st ON st.officer_id = p.officer_id
        """;

    /// <summary>Inside the sending window on <paramref name="zone"/>'s wall clock and not within <paramref name="margin"/> of its end.</summary>
    public static bool MaySendNow(SendingWindow window, DateTimeOffset now, TimeZoneInfo zone, TimeSpan margin) =>
        window.IsInside(now, zone) && window.WindowEnd(now, zone) - now > margin;

    /// <summary>Why a due row can no longer be sent, checked in the order a researcher would ask; null when it may go.</summary>
    internal static string? SkipReason(DueRow row, DateTimeOffset now)
    {
        // The same officer rule as planning (a cross-arm transfer is settled when it arrives, not here).
        if (new ReminderBlocks.OfficerBlock { Status = row.OfficerStatus, Arm = row.Arm, Consent = row.Consent }.Reason is { } blocked) return blocked;
        if (row.CutoffAt is { } cutoff && now >= cutoff) return SmsSkipReasons.AfterCutoff;
        if (row.WindowEndsAt is { } windowEnd && now >= windowEnd) return SmsSkipReasons.MissedWindow;
        return null;
    }

    /// <summary>The end of the row's late window: the earlier of its window end and the cut-off (null: neither).</summary>
    static DateTimeOffset? SendBy(DueRow row) => (row.WindowEndsAt, row.CutoffAt) switch
    {
        ({ } end, { } cutoff) => end < cutoff ? end : cutoff,
        (var end, var cutoff) => end ?? cutoff,
    };

    /// <summary>The skip reason for an officer in study status <paramref name="status"/>; null when active.</summary>
    public static string? StatusSkipReason(string status) => status switch
    {
        OfficerStatuses.SmsOptedOut => SmsSkipReasons.OptedOut,
        OfficerStatuses.Withdrawn => SmsSkipReasons.Withdrawn,
        OfficerStatuses.WrongNumber => SmsSkipReasons.WrongNumber,
        OfficerStatuses.Inactive => SmsSkipReasons.Inactive,
        _ => null,
    };

    internal sealed record DueRow
    {
        public Guid SmsId { get; init; }
        public Guid OfficerId { get; init; }
        public string Purpose { get; init; } = "";
        public string Kind { get; init; } = "";
        public int? ReminderNumber { get; init; }
        public string Body { get; init; } = "";
        public DateTimeOffset DueAt { get; init; }
        public DateTimeOffset? WindowEndsAt { get; init; }
        public DateTimeOffset? CutoffAt { get; init; }
        public string OfficerStatus { get; init; } = "";
        public string? Arm { get; init; }
        /// <summary>Null: no consent row, consent given.</summary>
        public bool? Consent { get; init; }
        public string? TimeZone { get; init; }
    }
}
