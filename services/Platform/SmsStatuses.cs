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

    public static bool MovesForward(string? current, string next) => Rank(next) > Rank(current);
}
