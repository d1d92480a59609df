namespace Reminders.Web;

/// <summary>Configuration section <c>Console</c>: where the four services answer, and an optional OpenID Connect provider.</summary>
public sealed class ConsoleOptions
{
    public const string Section = "Console";

    public ServiceUrls Services { get; set; } = new();

    /// <summary>Sign-in through an OpenID Connect provider instead of local passwords (set <c>Authority</c> to turn it on).</summary>
    public OidcOptions Oidc { get; set; } = new();
}

public sealed class ServiceUrls
{
    public string Enrollment { get; set; } = "http://127.0.0.1:5101";
    public string Scheduler { get; set; } = "http://127.0.0.1:5102";
    public string Messaging { get; set; } = "http://127.0.0.1:5103";
    public string Attendance { get; set; } = "http://127.0.0.1:5104";
}

public sealed class OidcOptions
{
    public string? Authority { get; set; }
    public string? ClientId { get; set; }
    public string? ClientSecret { get; set; }
    /// <summary>The claims that carry the person's name, role (manager, trainer, researcher) and, for a trainer, the Scheduler's trainer id.</summary>
    public string NameClaim { get; set; } = "preferred_username";
    public string RoleClaim { get; set; } = "role";
    public string TrainerIdClaim { get; set; } = "trainer_id";
    public bool Enabled => !string.IsNullOrWhiteSpace(Authority);
}
