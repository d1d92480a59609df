using Reminders.Contracts;
using Reminders.Platform.Data;
using Reminders.Protocol;
using Reminders.Scheduler.Dispatch;

namespace Reminders.Scheduler.Reminders;

/// <summary>What <see cref="ReminderRestorer.RestoreAsync"/> did with the skipped reminders it looked at.</summary>
/// <param name="Planned">Planned again at their original due time, still ahead.</param>
/// <param name="DueNow">Due time passed but late window open: planned again, so the dispatcher sends them at once (marked late).</param>
/// <param name="MissedWindow">Late window over: skipped missed_window.</param>
/// <param name="StillSkipped">Left skipped for a reason that holds now (the officer's status or arm, or due after the cut-off).</param>
public sealed record RestoredReminders(int Planned, int DueNow, int MissedWindow, int StillSkipped);

/// <summary>
/// Lifts skip reasons from officers' reminders (not eligible after a re-close; opted out or a wrong number once active
/// again): each reminder skipped for one of those reasons is planned again at its original due time if that is still
/// ahead, sent late if its late window is still open, or else skipped missed_window; none is left cancelled. A reason
/// that holds now (status, arm, cut-off) keeps it skipped, with that reason. Runs in the caller's unit of work, after
/// the replicas it reads (status, arm) reflect the change, and tells the dosage ledger of each row that changed.
/// </summary>
public static class ReminderRestorer
{
    public static async Task<RestoredReminders> RestoreAsync(UnitOfWork work, IReadOnlyCollection<Guid> officerIds, IReadOnlySet<string> reasonsToLift,
        StudyProtocol protocol, DateTimeOffset now, CancellationToken ct, Guid? cohortId = null)
    {
        if (officerIds.Count == 0 || reasonsToLift.Count == 0) return new(0, 0, 0, 0);
        var rows = await work.QueryAsync<PlannedSms>($"""
            SELECT {PlannedSmsStore.Columns} FROM planned_sms
            WHERE kind = 'reminder' AND status = 'skipped' AND {work.Dialect.InList("officer_id", "ids")} AND {work.Dialect.InList("reason", "reasons")}
              {(cohortId is null ? "" : "AND cohort_id = @cohortId")}
            ORDER BY officer_id, reminder_number
            """, new { ids = work.Dialect.UuidList(officerIds.Distinct()), reasons = reasonsToLift.ToArray(), cohortId }, ct);
        if (rows.Count == 0) return new(0, 0, 0, 0);
        var blocks = await ReminderBlocks.ForOfficersAsync(work, rows.Select(r => r.OfficerId), protocol, ct);

        var (planned, dueNow, missed, still) = (0, 0, 0, 0);
        var (replanned, reskipped) = (new List<object>(), new List<object>());
        foreach (var row in rows)
        {
            var reason = blocks.ReasonFor(row.OfficerId) ?? (row.CutoffAt is { } cutoff && row.DueAt >= cutoff ? SmsSkipReasons.AfterCutoff : null);
            if (reason is null && row.DueAt > now) planned++;
            else if (reason is null && now < (row.WindowEndsAt ?? DateTimeOffset.MaxValue) && now < (row.CutoffAt ?? DateTimeOffset.MaxValue)) dueNow++;
            else if (reason is null) (reason, missed) = (SmsSkipReasons.MissedWindow, missed + 1);
            else still++;

            if (reason is null)
            {
                replanned.Add(new { row.SmsId, lifted = row.Reason, now });
                work.Publish(new ReminderRestored(row.SmsId, row.OfficerId, row.ReminderNumber!.Value, row.DueAt, row.Reason!, now));
            }
            else if (reason != row.Reason)
            {
                reskipped.Add(new { row.SmsId, lifted = row.Reason, reason, now });
                work.Publish(new ReminderSkipped(row.SmsId, row.OfficerId, row.ReminderNumber!.Value, reason, now));
            }
        }
        await work.ExecuteAsync("""
            UPDATE planned_sms SET status = 'planned', reason = NULL, closed_at = NULL, restored_at = @now, lifted_reason = @lifted
            WHERE sms_id = @SmsId AND status = 'skipped' AND reason = @lifted
            """, replanned, ct);
        await work.ExecuteAsync("""
            UPDATE planned_sms SET reason = @reason, closed_at = @now WHERE sms_id = @SmsId AND status = 'skipped' AND reason = @lifted
            """, reskipped, ct);
        return new(planned, dueNow, missed, still);
    }
}
