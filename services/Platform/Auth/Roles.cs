namespace Reminders.Platform.Auth;

/// <summary>The roles an API key can carry; each is also the name of the authorization policy that requires it.</summary>
public static class Roles
{
    public const string Manager = "manager";
    public const string Trainer = "trainer";
    public const string Researcher = "researcher";

    public static readonly IReadOnlyList<string> All = [Manager, Trainer, Researcher];
}
