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
}
