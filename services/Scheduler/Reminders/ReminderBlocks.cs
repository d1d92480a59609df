using System.Data.Common;
using Dapper;
using Reminders.Contracts;
using Reminders.Platform.Data;
using Reminders.Protocol;
using Reminders.Scheduler.Dispatch;

namespace Reminders.Scheduler.Reminders;

/// <summary>
/// Why an officer may not receive reminders now, whatever their training: their study status, an arm of randomization
/// other than treatment (an officer the replica does not know has none), no consent to SMS, or a move to a sector of the
/// other arm when the protocol stops reminders then. One place for planning and restoring.
/// </summary>
public static class ReminderBlocks
{
    public sealed record OfficerBlock
    {
        public Guid OfficerId { get; init; }
        public string Role { get; init; } = "";
        public string Status { get; init; } = "";
        /// <summary>The arm of randomization.</summary>
        public string? Arm { get; init; }
        public bool? Consent { get; init; }
        public string? CurrentSectorArm { get; init; }
        /// <summary>The officer's sector's IANA zone (null: the protocol's).</summary>
        public string? TimeZone { get; init; }
        public bool StopCrossArm { get; init; }

        /// <summary>The skip reason that holds now; null when reminders may go.</summary>
        public string? Reason => DueSmsDispatcher.StatusSkipReason(Status)
            ?? (Arm != StudyArms.Treatment ? SmsSkipReasons.ArmMismatch
                : Consent == false ? SmsSkipReasons.NoConsent
                : StopCrossArm && CurrentSectorArm is { } current && current != Arm ? SmsSkipReasons.TransferredCrossArm
                : null);
    }

    /// <summary>The officers the replica knows among <paramref name="officerIds"/>, by id.</summary>
    public static Task<IReadOnlyDictionary<Guid, OfficerBlock>> ForOfficersAsync(UnitOfWork work, IEnumerable<Guid> officerIds, StudyProtocol protocol,
        CancellationToken ct) =>
        ForOfficersAsync(work.Connection, work.Transaction, work.Dialect, officerIds, protocol, ct);

    /// <summary><see cref="ForOfficersAsync(UnitOfWork, IEnumerable{Guid}, StudyProtocol, CancellationToken)"/> outside a unit of work, for reading.</summary>
    public static async Task<IReadOnlyDictionary<Guid, OfficerBlock>> ForOfficersAsync(DbConnection connection, DbTransaction? transaction, SqlDialect dialect,
        IEnumerable<Guid> officerIds, StudyProtocol protocol, CancellationToken ct)
    {
        var ids = dialect.UuidList(officerIds.Distinct());
        if (ids.Length == 0) return new Dictionary<Guid, OfficerBlock>();
        var stop = protocol.Transfers.CrossArm == CrossArmTransfer.Stop;
        return (await connection.QueryAsync<OfficerBlock>(new CommandDefinition($"""
            SELECT o.officer_id, o.role, COALESCE(st.status, 'active') AS Status, a.arm, c.consent,
                   sa.arm AS CurrentSectorArm, z.time_zone
            FROM officers o LEFT JOIN officer_statuses st ON st.officer_id = o.officer_id LEFT JOIN officer_arms a ON a.officer_id = o.officer_id
            LEFT JOIN officer_consents c ON c.officer_id = o.officer_id LEFT JOIN sector_arms sa ON sa.sector_id = o.sector_id
            LEFT JOIN sectors z ON z.sector_id = o.sector_id
            WHERE {dialect.InList("o.officer_id", "ids")}
            """, new { ids }, transaction, cancellationToken: ct))).ToDictionary(o => o.OfficerId, o => o with { StopCrossArm = stop });
    }

    /// <summary>The reason that holds now for an officer looked up with <see cref="ForOfficersAsync"/> (unknown: no arm of randomization).</summary>
    public static string? ReasonFor(this IReadOnlyDictionary<Guid, OfficerBlock> blocks, Guid officerId) =>
        blocks.TryGetValue(officerId, out var officer) ? officer.Reason : SmsSkipReasons.ArmMismatch;
}
