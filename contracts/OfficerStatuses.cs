namespace Reminders.Contracts;

/// <summary>An officer's study status; only <see cref="Active"/> officers receive SMS.</summary>
public static class OfficerStatuses
{
    public const string Active = "active";
    public const string SmsOptedOut = "sms_opted_out";
    public const string Withdrawn = "withdrawn";
    public const string WrongNumber = "wrong_number";
    /// <summary>No longer on the roster.</summary>
    public const string Inactive = "inactive";

    public static readonly IReadOnlyList<string> All = [Active, SmsOptedOut, Withdrawn, WrongNumber, Inactive];
}
