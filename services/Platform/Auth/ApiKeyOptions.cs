namespace Reminders.Platform.Auth;

/// <summary>Configuration section <c>Auth</c>: <c>Auth:ApiKeys:0:Name</c>, <c>:Key</c>, <c>:Roles:0</c>...</summary>
public sealed class ApiKeyOptions
{
    public const string Section = "Auth";

    public List<ApiKeyEntry> ApiKeys { get; set; } = [];
}

public sealed class ApiKeyEntry
{
    /// <summary>Who holds the key; appears in logs and audit columns, never the key itself.</summary>
    public string Name { get; set; } = "";
    public string Key { get; set; } = "";
    public List<string> Roles { get; set; } = [];
    /// <summary>A key bound to one trainer (a venue tablet's): it carries the <see cref="ReminderClaims.TrainerId"/> claim, so it sees and records only that trainer's sessions.</summary>
    public Guid? TrainerId { get; set; }
}
