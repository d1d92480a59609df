namespace Reminders.Contracts;

/// <summary>
/// Why a planned SMS was not sent. Skipped rows stay in the denominator of what an officer received;
/// a row cancelled by a plan change (<see cref="PlanChanged"/> and the like) was never owed.
/// </summary>
public static class SmsSkipReasons
{
    public const string OptedOut = "opted_out";
    public const string Withdrawn = "withdrawn";
    public const string WrongNumber = "wrong_number";
    /// <summary>No longer on the roster.</summary>
    public const string Inactive = "inactive";
    /// <summary>Its window closed before it could be sent (the system was down, or quiet hours lasted past it).</summary>
    public const string MissedWindow = "missed_window";
    public const string AfterCutoff = "after_cutoff";
    public const string NotEligible = "not_eligible";
    /// <summary>The officer's sector is not (or no longer) in the treatment arm.</summary>
    public const string ArmMismatch = "arm_mismatch";

    // Cancellations: the plan changed, so the message would now be wrong.
    public const string PlanChanged = "plan_changed";
    public const string CohortCancelled = "cohort_cancelled";
    public const string SessionCancelled = "session_cancelled";
    public const string MovedToAnotherCohort = "moved_to_another_cohort";
    public const string Transferred = "transferred";
}
