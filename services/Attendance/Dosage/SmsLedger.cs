using System.Data;
using System.Text.RegularExpressions;
using Dapper;
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
static partial class SmsLedger
{
    const string EnsureRow = """
        INSERT INTO sms_ledger (sms_id, officer_id, purpose, updated_at) VALUES (@e_sms_id, @e_officer_id, @e_purpose, @e_now)
        ON CONFLICT (sms_id) DO NOTHING
        """;

    const string AppendHistory = """
        INSERT INTO sms_status_history (sms_id, event, status, error_code, detail, occurred_at)
        VALUES (@e_sms_id, @h_event, @h_status, @h_error_code, @h_detail, @h_occurred_at)
        """;

    /// <summary>Folds one event, once however often the bus delivers it.</summary>
    public static Task FoldOnceAsync(AttendanceDatabase database, ConsumeContext context, string consumer, SmsLedgerFold fold) =>
        database.ConsumeOnceAsync(context, consumer, (work, ct) => ApplyAsync(work, [fold], ct));

    /// <summary>
    /// Applies the folds in their order, in the caller's transaction and in one round trip: for each, the row, the event's
    /// own statement and its history entry. Each fold's parameters carry its index, so no two collide; the statements
    /// themselves are the same texts whatever the batch, which PostgreSQL keeps prepared.
    /// </summary>
    public static Task ApplyAsync(UnitOfWork work, IReadOnlyList<SmsLedgerFold> folds, CancellationToken ct)
    {
        if (folds.Count == 0) return Task.CompletedTask;
        var parameters = new DynamicParameters();
        var statements = folds.Select((fold, i) =>
        {
            AddIndexed(parameters, i, fold.Param);
            AddIndexed(parameters, i, new
            {
                e_sms_id = fold.SmsId, e_officer_id = fold.OfficerId, e_purpose = fold.Purpose, e_now = DateTimeOffset.UtcNow,
                h_event = fold.History.Event, h_status = fold.History.Status, h_error_code = fold.History.ErrorCode,
                h_detail = fold.History.Detail, h_occurred_at = fold.History.OccurredAt,
            });
            return Indexed($"{EnsureRow};\n{fold.Sql};\n{AppendHistory};", i);
        });
        var sql = string.Join('\n', statements);
        return work.Connection.ExecuteAsync(new CommandDefinition(sql, parameters, work.Transaction,
            flags: folds.Count == 1 ? CommandFlags.Buffered : CommandFlags.NoCache, cancellationToken: ct));
    }

    static string Indexed(string sql, int index) => ParameterName().Replace(sql, match => $"{match.Value}_{index}");

    static void AddIndexed(DynamicParameters parameters, int index, object values)
    {
        foreach (var property in values.GetType().GetProperties())
            parameters.Add($"{property.Name}_{index}", property.GetValue(values), DbTypeOf(property.PropertyType));
    }

    /// <summary>The type a null needs to be sent with; null for uuids and timestamps, which the type handlers write.</summary>
    static DbType? DbTypeOf(Type type) => (Nullable.GetUnderlyingType(type) ?? type) switch
    {
        var t when t == typeof(string) => DbType.String,
        var t when t == typeof(int) => DbType.Int32,
        var t when t == typeof(long) => DbType.Int64,
        var t when t == typeof(bool) => DbType.Boolean,
        _ => null,
    };

    [GeneratedRegex(@"@\w+")]
    private static partial Regex ParameterName();
}
