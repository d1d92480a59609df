namespace Reminders.Web.Components.Pages.Officers;

/// <summary>
/// Words for an officer's study facts, shared by the officers list and the officer page
/// (<c>Resources/Components/Pages/Officers/OfficerWords.resx</c>): study statuses, consent, where a change came from,
/// why an SMS was skipped or refused, what a session and an attendance were.
/// </summary>
public sealed class OfficerWords
{
    /// <summary>Enrollment's study statuses, in the order a manager chooses among them.</summary>
    public static readonly IReadOnlyList<string> Statuses = ["active", "sms_opted_out", "wrong_number", "withdrawn", "inactive"];
}
