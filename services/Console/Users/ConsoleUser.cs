namespace Reminders.Web.Users;

/// <summary>A person who signs in to the console. The role is one of <c>Platform.Auth.Roles</c>; a trainer is linked to the Scheduler's trainer.</summary>
public sealed record ConsoleUser
{
    public Guid Id { get; init; }
    public string Name { get; init; } = "";
    public string? FullName { get; init; }
    public string Role { get; init; } = "";
    public Guid? TrainerId { get; init; }
    public string PasswordHash { get; init; } = "";
    public int FailedSignIns { get; init; }
    public DateTimeOffset? LockedUntil { get; init; }
    public DateTimeOffset? LastSignInAt { get; init; }
    public bool Disabled { get; init; }
    public DateTimeOffset CreatedAt { get; init; }

    public string DisplayName => string.IsNullOrWhiteSpace(FullName) ? Name : FullName;
}
