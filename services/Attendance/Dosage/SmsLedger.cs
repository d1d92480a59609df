using MassTransit;
using Reminders.Platform.Data;

namespace Reminders.Attendance.Dosage;

/// <summary>One SMS event as the support view lists it: what happened, the status it reported, when.</summary>
sealed record SmsHistoryEntry(string Event, string? Status, int? ErrorCode, string? Detail, DateTimeOffset OccurredAt);

/// <summary>What one SMS event changes in the ledger: its fold statement with its parameters, and the history entry it adds.</summary>
sealed record SmsLedgerFold(Guid SmsId, Guid OfficerId, string Purpose, SmsHistoryEntry History, string Sql, object Param);

/// <summary>
/// Folds Messaging's SMS events into the ledger. They may arrive in any order (a status before the
/// acceptance, "sent" after "delivered"): each event only adds what it knows, and the status only moves forward.
/// Every event is also kept as it came, in <c>sms_status_history</c>.
/// </summary>
static class SmsLedger
{
    // PostgreSQL locks the conflicting row even though the update's condition is false, as the insert locks a new one;
    // SQLite's one writer needs no row lock, and writes nothing.
    const string EnsureAndLockRow = """
        INSERT INTO sms_ledger (sms_id, officer_id, purpose, updated_at) VALUES (@sms_id, @officer_id, @purpose, @now)
        ON CONFLICT (sms_id) DO UPDATE SET officer_id = excluded.officer_id WHERE 1 = 0
        """;

    const string AppendHistory = """
        INSERT INTO sms_status_history (sms_id, event, status, error_code, detail, occurred_at)
        VALUES (@e_sms_id, @h_event, @h_status, @h_error_code, @h_detail, @h_occurred_at)
        """;

    /// <summary>Folds one event, once however often the bus delivers it.</summary>
    public static Task FoldOnceAsync(AttendanceDatabase database, ConsumeContext context, string consumer, SmsLedgerFold fold) =>
        database.ConsumeOnceAsync(context, consumer, (work, ct) => ApplyAsync(work, [fold], ct));

    /// <summary>
    /// Applies the folds in their order, in the caller's transaction and one round trip: first every SMS's row, created or
    /// locked in the order of its id (two batches that share SMS never wait on each other in a circle), then each fold's own
    /// statement and its history entry.
    /// </summary>
    public static Task ApplyAsync(UnitOfWork work, IReadOnlyList<SmsLedgerFold> folds, CancellationToken ct) =>
        work.ExecuteAllAsync([
            .. folds.DistinctBy(f => f.SmsId).OrderBy(f => f.SmsId).Select(f =>
                (EnsureAndLockRow, (object)new { sms_id = f.SmsId, officer_id = f.OfficerId, purpose = f.Purpose, now = DateTimeOffset.UtcNow })),
            .. folds.SelectMany(fold => new (string, object)[]
            {
                (fold.Sql, fold.Param),
                (AppendHistory, new
                {
                    e_sms_id = fold.SmsId, h_event = fold.History.Event, h_status = fold.History.Status, h_error_code = fold.History.ErrorCode,
                    h_detail = fold.History.Detail, h_occurred_at = fold.History.OccurredAt,
                }),
            }),
        ], ct);
}
