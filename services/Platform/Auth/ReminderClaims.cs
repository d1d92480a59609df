namespace Reminders.Platform.Auth;

/// <summary>Claims of our own beside <c>ClaimTypes.Name</c> and <c>ClaimTypes.Role</c>.</summary>
public static class ReminderClaims
{
    /// <summary>A trainer's id in the Scheduler: a principal that carries it sees and records only that trainer's sessions.</summary>
    public const string TrainerId = "trainer_id";
}
