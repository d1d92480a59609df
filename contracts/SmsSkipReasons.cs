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
    /// <summary>The officer's arm of randomization is not treatment (wherever they are now).</summary>
    public const string ArmMismatch = "arm_mismatch";
    /// <summary>The roster says the officer did not consent to SMS: no SMS of any kind, every reminder recorded as skipped.</summary>
    public const string NoConsent = "no_consent";
    /// <summary>The officer moved to a sector of the other arm and the protocol stops their reminders (<c>transfers.crossArm: stop</c>).</summary>
    public const string TransferredCrossArm = "transferred_cross_arm";

    // Cancellations: the plan changed, so the message would now be wrong.
    public const string PlanChanged = "plan_changed";
    public const string CohortCancelled = "cohort_cancelled";
    public const string SessionCancelled = "session_cancelled";
    public const string MovedToAnotherCohort = "moved_to_another_cohort";
    public const string Transferred = "transferred";
}
