using Reminders.Contracts;
using Reminders.Platform.Data;
using Reminders.Scheduler.Dispatch;

namespace Reminders.Scheduler.Reminders;

/// <summary>
/// Why an officer may not receive reminders now, whatever their training: their study status, or not being in a
/// treatment sector (an officer the replica does not know is not in one). One place for planning and restoring.
/// </summary>
public static class ReminderBlocks
{
    public sealed record OfficerBlock
    {
        public Guid OfficerId { get; init; }
        public string Role { get; init; } = "";
        public string Status { get; init; } = "";
        public string? Arm { get; init; }
        /// <summary>The skip reason that holds now; null when reminders may go.</summary>
        public string? Reason => DueSmsDispatcher.StatusSkipReason(Status) ?? (Arm == StudyArms.Treatment ? null : SmsSkipReasons.ArmMismatch);
    }

    /// <summary>The officers the replica knows among <paramref name="officerIds"/>, by id.</summary>
    public static async Task<IReadOnlyDictionary<Guid, OfficerBlock>> ForOfficersAsync(UnitOfWork work, IEnumerable<Guid> officerIds, CancellationToken ct)
    {
        var ids = work.Dialect.UuidList(officerIds.Distinct());
        if (ids.Length == 0) return new Dictionary<Guid, OfficerBlock>();
        return (await work.QueryAsync<OfficerBlock>($"""
            SELECT o.officer_id AS OfficerId, o.role AS Role, COALESCE(st.status, 'active') AS Status, a.arm AS Arm
            FROM officers o LEFT JOIN officer_statuses st ON st.officer_id = o.officer_id LEFT JOIN sector_arms a ON a.sector_id = o.sector_id
            WHERE {work.Dialect.InList("o.officer_id", "ids")}
            """, new { ids }, ct)).ToDictionary(o => o.OfficerId);
    }

    /// <summary>The reason that holds now for an officer looked up with <see cref="ForOfficersAsync"/> (unknown: not in a treatment sector).</summary>
    public static string? ReasonFor(this IReadOnlyDictionary<Guid, OfficerBlock> blocks, Guid officerId) =>
        blocks.TryGetValue(officerId, out var officer) ? officer.Reason : SmsSkipReasons.ArmMismatch;
}
