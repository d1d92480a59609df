using Reminders.Contracts;
using Reminders.Platform.Data;

namespace Reminders.Scheduler.Dispatch;

public static class PlannedSmsStatuses
{
    public const string Planned = "planned";
    public const string Dispatched = "dispatched";
    /// <summary>A plan change made it wrong before it was sent: never owed.</summary>
    public const string Cancelled = "cancelled";
    /// <summary>Owed but could not be sent; the reason says why.</summary>
    public const string Skipped = "skipped";
}

public static class PlannedSmsKinds
{
    public const string Invitation = "invitation";
    public const string DayBefore = "day_before";
    public const string ChangeNotice = "change_notice";
    public const string Cancellation = "cancellation";
    public const string Reminder = "reminder";
}

/// <summary>One SMS to send at <see cref="DueAt"/>; <see cref="SmsId"/> becomes the SendSms id.</summary>
public sealed record PlannedSms
{
    public Guid SmsId { get; init; } = Guid.CreateVersion7();
    public Guid OfficerId { get; init; }
    public string Purpose { get; init; } = "";
    public string Kind { get; init; } = "";
    public Guid? CohortId { get; init; }
    public Guid? SessionId { get; init; }
    public int? ReminderNumber { get; init; }
    public string Body { get; init; } = "";
    public DateTimeOffset DueAt { get; init; }
    public DateTimeOffset? WindowEndsAt { get; init; }
    public DateTimeOffset? CutoffAt { get; init; }
    public string ProtocolVersion { get; init; } = "";
    public string Status { get; init; } = PlannedSmsStatuses.Planned;
    public string? Reason { get; init; }
    public string PlannedBy { get; init; } = "";
    public DateTimeOffset PlannedAt { get; init; }
    public DateTimeOffset? DispatchedAt { get; init; }
    public bool Late { get; init; }
    /// <summary>What Messaging answered for it once dispatched (accepted, failed, refused...); null until the re-dispatch job has seen an answer.</summary>
    public string? AnsweredState { get; init; }
    /// <summary>Times it was sent again under the same id because Messaging never received it.</summary>
    public int RedispatchCount { get; init; }
}

/// <summary>Writes and closes planned SMS rows inside the caller's unit of work.</summary>
public static class PlannedSmsStore
{
    public static Task<int> AddPlannedSmsAsync(this UnitOfWork work, IEnumerable<PlannedSms> rows, CancellationToken ct) =>
        work.ExecuteAsync("""
            INSERT INTO planned_sms (sms_id, officer_id, purpose, kind, cohort_id, session_id, reminder_number, body, due_at, window_ends_at, cutoff_at,
                protocol_version, status, reason, planned_by, planned_at, closed_at)
            VALUES (@SmsId, @OfficerId, @Purpose, @Kind, @CohortId, @SessionId, @ReminderNumber, @Body, @DueAt, @WindowEndsAt, @CutoffAt,
                @ProtocolVersion, @Status, @Reason, @PlannedBy, @PlannedAt, CASE WHEN @Status = 'planned' THEN NULL ELSE @PlannedAt END)
            """, rows, ct);

    /// <summary>
    /// Closes the cohort's rows still waiting to be sent (those <paramref name="which"/> picks, or all) as cancelled with
    /// <paramref name="reason"/>. Returns the rows closed.
    /// </summary>
    public static async Task<IReadOnlyList<PlannedSms>> CancelPendingForCohortAsync(this UnitOfWork work, Guid cohortId, string reason, DateTimeOffset now,
        CancellationToken ct, Func<PlannedSms, bool>? which = null)
    {
        var pending = await work.QueryAsync<PlannedSms>($"SELECT {Columns} FROM planned_sms WHERE cohort_id = @cohortId AND status = 'planned'", new { cohortId }, ct);
        var closing = pending.Where(which ?? (_ => true)).ToList();
        await CloseAsync(work, closing.Select(p => p.SmsId), PlannedSmsStatuses.Cancelled, reason, now, ct);
        return closing;
    }

    /// <summary>
    /// Closes every row still waiting for the officer (of any cohort or purpose) as <paramref name="status"/>; the
    /// reminders among them are published as skipped, so the dosage ledger knows at once.
    /// </summary>
    public static async Task<IReadOnlyList<PlannedSms>> ClosePendingForOfficerAsync(this UnitOfWork work, Guid officerId, string status, string reason,
        DateTimeOffset now, CancellationToken ct)
    {
        var pending = await work.QueryAsync<PlannedSms>($"SELECT {Columns} FROM planned_sms WHERE officer_id = @officerId AND status = 'planned'", new { officerId }, ct);
        await CloseAsync(work, pending.Select(p => p.SmsId), status, reason, now, ct);
        work.PublishSkippedReminders(pending, reason, now);
        return pending;
    }

    public static void PublishSkippedReminders(this UnitOfWork work, IEnumerable<PlannedSms> closed, string reason, DateTimeOffset now)
    {
        foreach (var row in closed.Where(r => r.Kind == PlannedSmsKinds.Reminder))
            work.Publish(new ReminderSkipped(row.SmsId, row.OfficerId, row.ReminderNumber!.Value, reason, now));
    }

    public static Task<int> CloseAsync(this UnitOfWork work, IEnumerable<Guid> smsIds, string status, string reason, DateTimeOffset now, CancellationToken ct) =>
        work.ExecuteAsync("UPDATE planned_sms SET status = @status, reason = @reason, closed_at = @now WHERE sms_id = @smsId AND status = 'planned'",
            smsIds.Select(smsId => new { smsId, status, reason, now }), ct);

    public const string Columns = """
        sms_id, officer_id, purpose, kind, cohort_id, session_id,
        reminder_number, body, due_at, window_ends_at, cutoff_at,
        protocol_version, status, reason, planned_by, planned_at,
        dispatched_at, late, answered_state, redispatch_count
        """;
}
