using Reminders.Contracts;
using Reminders.Platform.Data;

namespace Reminders.Enrollment.Officers;

/// <summary>Where a status change came from.</summary>
public static class StatusSources
{
    public const string Import = "import";
    public const string Manager = "manager";
    public const string Keyword = "keyword";
    /// <summary>The SMS provider's verdict on a number (invalid, not a mobile, opted out at the carrier).</summary>
    public const string Provider = "provider";
}

/// <summary>
/// The one way an officer's study status changes: the row, its history (who, when, why, from where) and the
/// event that tells the Scheduler and Messaging, in the caller's transaction.
/// </summary>
public static class OfficerStatusChanges
{
    /// <summary>Applies the change; false when the officer already has that status (nothing written).</summary>
    public static async Task<bool> ChangeAsync(UnitOfWork work, Guid officerId, string currentStatus, string status, string source,
        string changedBy, string? reason, DateTimeOffset now, CancellationToken ct)
    {
        if (currentStatus == status) return false;
        await work.ExecuteAsync("UPDATE officers SET status = @status, status_changed_at = @now, updated_at = @now WHERE id = @officerId",
            new { officerId, status, now }, ct);
        await work.ExecuteAsync("""
            INSERT INTO officer_status_history (officer_id, status, previous_status, source, changed_by, reason, changed_at)
            VALUES (@officerId, @status, @currentStatus, @source, @changedBy, @reason, @now)
            """, new { officerId, status, currentStatus, source, changedBy, reason, now }, ct);
        work.Publish(new OfficerStatusChanged(officerId, status, currentStatus, source, now));
        return true;
    }
}
