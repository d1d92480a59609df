using Reminders.Contracts;

namespace Reminders.Attendance.Recording;

/// <summary>
/// The one definition of contamination, shared by the session's flag and the ledger's column: an officer whose arm of
/// randomization is control attended treatment training (minutes attended above zero; an excuse or an absence is not).
/// </summary>
public static class Contamination
{
    public static bool Of(string? armOfRandomization, int minutesAttended) =>
        armOfRandomization == StudyArms.Control && minutesAttended > 0;
}
