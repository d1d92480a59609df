using Reminders.Platform.Data;

namespace Reminders.Enrollment.Officers;

/// <summary>The officer's SMS status and whether the provider itself blocks their number, read under a row lock.</summary>
public sealed record OfficerSmsState
{
    public string Status { get; init; } = "";
    public bool BlockedAtProvider { get; init; }
}

/// <summary>
/// What the SMS provider does to an officer's number, as Enrollment learns it: blocked by a STOP-family reply or a
/// 21610, unblocked only by START, UNSTOP or YES. The later fact wins, by the instant it happened, whatever order the
/// events arrive in.
/// </summary>
public static class ProviderBlocks
{
    /// <summary>The officer's state, locked for the caller's transaction; null for an officer Enrollment does not know.</summary>
    public static Task<OfficerSmsState?> ReadForUpdateAsync(UnitOfWork work, Guid officerId, CancellationToken ct) =>
        work.QuerySingleOrDefaultAsync<OfficerSmsState>($"""
            SELECT status, sms_blocked_at_provider AS BlockedAtProvider FROM officers WHERE id = @officerId {work.Dialect.ForUpdate()}
            """, new { officerId }, ct);

    /// <summary>Records the provider's block or unblock at <paramref name="at"/> unless a later fact is already recorded; returns whether it is blocked now.</summary>
    public static async Task<bool> RecordAsync(UnitOfWork work, Guid officerId, bool blocked, DateTimeOffset at, CancellationToken ct)
    {
        await work.ExecuteAsync("""
            UPDATE officers SET sms_blocked_at_provider = @blocked, provider_block_changed_at = @at
            WHERE id = @officerId AND (provider_block_changed_at IS NULL OR provider_block_changed_at <= @at)
            """, new { officerId, blocked, at }, ct);
        return await work.QuerySingleAsync<bool>("SELECT sms_blocked_at_provider FROM officers WHERE id = @officerId", new { officerId }, ct);
    }
}
