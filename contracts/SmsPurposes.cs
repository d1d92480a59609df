namespace Reminders.Contracts;

public static class SmsPurposes
{
    public const string Reminder = "reminder";
    public const string Logistics = "logistics";
    /// <summary>A one-off message a manager sent to an officer.</summary>
    public const string Manual = "manual";
}
