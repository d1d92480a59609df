using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Reminders.Platform.Hosting;

namespace Reminders.Platform.Auth;

/// <summary>
/// A principal with the <see cref="ReminderClaims.TrainerId"/> claim (a trainer signed in to the console, a venue tablet's
/// key) sees and records only that trainer's sessions, whatever its roles; a principal without it keeps what its roles allow.
/// </summary>
public static class TrainerScope
{
    /// <summary>
    /// The trainer the principal is bound to; null when it carries no claim. A claim that is not a uuid binds to
    /// <see cref="Guid.Empty"/>, which is no trainer's id: such a principal is refused every session (fail closed).
    /// </summary>
    public static Guid? BoundTrainer(this ClaimsPrincipal user) =>
        user.FindFirst(ReminderClaims.TrainerId)?.Value is not { } value ? null
        : Guid.TryParse(value, out var trainerId) ? trainerId : Guid.Empty;

    /// <summary>403 for a trainer (not a manager) whose account is linked to no trainer: it has no sessions of its own to see.</summary>
    public static ProblemHttpResult? RefuseUnlinkedTrainer(this ClaimsPrincipal user) =>
        user.BoundTrainer() is null && user.IsInRole(Roles.Trainer) && !user.IsInRole(Roles.Manager)
            ? Refusals.Forbidden(ReminderClaims.TrainerId, "Account not linked to a trainer",
                $"This account is not linked to a trainer: a trainer's account needs the {ReminderClaims.TrainerId} of their trainer in the Scheduler. Ask a program manager to link it.")
            : null;

    /// <summary>403 when a principal bound to a trainer asks for a session that is not that trainer's (or whose trainer is not known); null otherwise.</summary>
    public static ProblemHttpResult? RefuseSession(this ClaimsPrincipal user, Guid sessionId, Guid? sessionTrainerId)
    {
        if (user.BoundTrainer() is not { } bound) return null;
        if (bound == Guid.Empty) return Refusals.Forbidden(ReminderClaims.TrainerId, "Account not linked to a trainer", $"The account's {ReminderClaims.TrainerId} is not a trainer id.");
        if (sessionTrainerId is null)
            return Refusals.Forbidden("sessionId", "Session's trainer unknown",
                $"The trainer of session {sessionId} is not known here yet, so a trainer's account cannot see or record it; a program manager can.");
        return bound == sessionTrainerId ? null
            : Refusals.Forbidden("sessionId", "Another trainer's session", $"Session {sessionId} is another trainer's: a trainer sees and records only their own sessions.");
    }

    /// <summary>403 when a principal bound to a trainer asks for what belongs to another trainer than <paramref name="trainerId"/> (null: to no trainer).</summary>
    public static ProblemHttpResult? RefuseOtherThan(this ClaimsPrincipal user, Guid? trainerId, string field, string what) =>
        user.BoundTrainer() is { } bound && bound != trainerId
            ? Refusals.Forbidden(field, "Another trainer's sessions", $"{what} is not this trainer's: a trainer sees only their own sessions.")
            : null;
}
