namespace Reminders.Platform;

/// <summary>
/// The order of Twilio's message statuses. A message's current status only moves forward: a late "sent"
/// after "delivered" is kept in the history but does not change it. Terminal statuses share the top rank.
/// </summary>
public static class SmsStatuses
{
    public static int Rank(string? status) => status switch
    {
        null or "" => 0,
        "accepted" or "scheduled" => 1,
        "queued" => 2,
        "sending" => 3,
        "sent" => 4,
        "delivered" or "undelivered" or "failed" or "canceled" or "read" => 5,
        _ => 0,
    };

    /// <summary><see cref="Rank"/> as a SQL expression over <paramref name="column"/>, for updates that only move a status forward.</summary>
    public static string RankSql(string column) => $"""
        CASE WHEN {column} IN ('accepted', 'scheduled') THEN 1 WHEN {column} = 'queued' THEN 2 WHEN {column} = 'sending' THEN 3
             WHEN {column} = 'sent' THEN 4 WHEN {column} IN ('delivered', 'undelivered', 'failed', 'canceled', 'read') THEN 5 ELSE 0 END
        """;

    public static bool MovesForward(string? current, string next) => Rank(next) > Rank(current);
}
