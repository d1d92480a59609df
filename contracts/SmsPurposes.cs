namespace Reminders.Contracts;

public static class SmsPurposes
{
    public const string Reminder = "reminder";
    public const string Logistics = "logistics";
    /// <summary>A one-off message a manager sent to an officer.</summary>
    public const string Manual = "manual";
    /// <summary>
    /// An answer to the officer's own message (help text, opt-out confirmation): sent at once, in quiet hours too,
    /// and to an officer who just opted out.
    /// </summary>
    public const string Reply = "reply";
}
