using System.Data.Common;

namespace Reminders.Attendance.Dosage;

/// <summary>
/// Reads officers' doses from the ledger tables the consumers fold events into: set-based, a handful of queries for any
/// number of officers, so one officer is a few indexed lookups and 100,000 officers one pass.
/// </summary>
public static class DosageLedger
{
    /// <summary>Every officer the ledger knows (both arms), or only <paramref name="officerIds"/>; ordered by officer id.</summary>
    public static Task<IReadOnlyList<DosageRow>> ReadAsync(DbConnection connection, DbTransaction? transaction,
        IReadOnlyCollection<Guid>? officerIds, CancellationToken ct) =>
        throw new NotImplementedException("Being written (issue 6, ledger lane).");
}
