namespace Reminders.Platform;

/// <summary>
/// The order of Twilio's message statuses (every value of its <c>message_enum_status</c>). A message's current status only
/// moves forward: a late "sent" after "delivered" is kept in the history but does not change it. Terminal statuses share the
/// top rank. A status Twilio may add later ranks 0: it replaces no status at all (kept as text, never a null), and any known
/// status replaces it.
/// </summary>
public static class SmsStatuses
{
    /// <summary>Every status Twilio documents for a message, in order (ties share a rank).</summary>
    public static readonly IReadOnlyList<string> Documented =
    [
        "accepted", "scheduled", "queued", "sending", "receiving", "sent", "received",
        "delivered", "undelivered", "failed", "canceled", "read", "partially_delivered",
    ];

    // Numbers are stored (Attendance's status_rank): new statuses join an existing rank, never renumber them.
    public static int Rank(string? status) => status switch
    {
        null or "" => 0,
        "accepted" or "scheduled" => 1,
        "queued" => 2,
        // An inbound message's steps; an outbound one never shows them, but a provider that says so is still at least this far.
        "sending" or "receiving" => 3,
        "sent" or "received" => 4,
        "delivered" or "undelivered" or "failed" or "canceled" or "read" or "partially_delivered" => 5,
        _ => 0,
    };

    /// <summary><see cref="Rank"/> as a SQL expression over <paramref name="column"/>, for updates that only move a status forward.</summary>
    public static string RankSql(string column) => $"""
        CASE WHEN {column} IN ('accepted', 'scheduled') THEN 1 WHEN {column} = 'queued' THEN 2 WHEN {column} IN ('sending', 'receiving') THEN 3
             WHEN {column} IN ('sent', 'received') THEN 4
             WHEN {column} IN ('delivered', 'undelivered', 'failed', 'canceled', 'read', 'partially_delivered') THEN 5 ELSE 0 END
        """;

    /// <summary>
    /// <see cref="MovesForward"/> as a SQL condition: the status in <paramref name="column"/> moves to the one in
    /// <paramref name="next"/> (a parameter) whose rank is in <paramref name="rank"/>.
    /// </summary>
    public static string MovesForwardSql(string column, string next, string rank) =>
        $"((({column} IS NULL OR {column} = '') AND {next} <> '') OR {RankSql(column)} < {rank})";

    /// <summary>A later status moves it forward; so does any status at all when there is none yet (an unknown one is kept as text).</summary>
    public static bool MovesForward(string? current, string next) =>
        string.IsNullOrEmpty(current) ? !string.IsNullOrEmpty(next) : Rank(next) > Rank(current);
}
