namespace Reminders.Web.Users;

/// <summary>A person who signs in to the console. The role is one of <c>Platform.Auth.Roles</c>; a trainer is linked to the Scheduler's trainer.</summary>
public sealed record ConsoleUser(
    Guid Id, string Name, string? FullName, string Role, Guid? TrainerId, string PasswordHash,
    int FailedSignIns, DateTimeOffset? LockedUntil, DateTimeOffset? LastSignInAt, bool Disabled, DateTimeOffset CreatedAt)
{
    public string DisplayName => string.IsNullOrWhiteSpace(FullName) ? Name : FullName;
}
