using Reminders.Contracts;
using Reminders.Protocol;

namespace Reminders.Enrollment.Officers;

/// <summary>
/// Why an officer gets no SMS, as Messaging's guard decides it (same order, same words as <see cref="SmsSkipReasons"/>),
/// from Enrollment's own record: what a roll call shows beside the name ("Sin SMS").
/// </summary>
public static class NoSmsReasons
{
    /// <summary>No randomization is committed yet: nobody has an arm, nobody is sent anything.</summary>
    public const string NotRandomized = "not_randomized";

    /// <summary>Null when the officer gets SMS.</summary>
    /// <param name="randomizedArm">The arm of randomization (null before randomization).</param>
    /// <param name="currentSectorArm">The arm of the sector they are in now.</param>
    public static string? For(string? randomizedArm, string? currentSectorArm, bool consent, string status, CrossArmTransfer crossArm) =>
        (randomizedArm, consent, status) switch
        {
            ({ } arm, _, _) when arm != StudyArms.Treatment => SmsSkipReasons.ArmMismatch,
            (_, false, _) => SmsSkipReasons.NoConsent,
            ({ } arm, _, _) when currentSectorArm is not null && currentSectorArm != arm && crossArm == CrossArmTransfer.Stop
                => SmsSkipReasons.TransferredCrossArm,
            (_, _, OfficerStatuses.SmsOptedOut) => SmsSkipReasons.OptedOut,
            // withdrawn, wrong_number and inactive are skip reasons of the same name.
            (_, _, not OfficerStatuses.Active) => status,
            (null, _, _) => NotRandomized,
            _ => null,
        };
}
