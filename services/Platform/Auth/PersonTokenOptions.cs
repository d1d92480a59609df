namespace Reminders.Platform.Auth;

/// <summary>
/// Configuration section <c>Auth:Jwt</c>: how a person's identity reaches the services beside API keys. Either the
/// console's own short-lived tokens (<see cref="SigningKey"/>, shared by the console and the services), or an OpenID
/// Connect provider's access tokens (<see cref="Authority"/>). With neither, only API keys are accepted.
/// </summary>
public sealed class PersonTokenOptions
{
    public const string Section = "Auth:Jwt";
    public const string DefaultIssuer = "reminders-console";
    public const string DefaultAudience = "reminders-services";

    /// <summary>HMAC-SHA256 key the console signs with: at least 32 bytes of text. Never in the repository.</summary>
    public string? SigningKey { get; set; }

    public string Issuer { get; set; } = DefaultIssuer;

    public string Audience { get; set; } = DefaultAudience;

    /// <summary>An OpenID Connect provider whose access tokens the services accept (its keys come from its metadata).</summary>
    public string? Authority { get; set; }

    /// <summary>The claim that holds the person's name and the one that holds their role (providers name them differently).</summary>
    public string NameClaim { get; set; } = "name";

    public string RoleClaim { get; set; } = "role";

    /// <summary>How long a console token lives: one call, with room for clock skew.</summary>
    public TimeSpan Lifetime { get; set; } = TimeSpan.FromMinutes(5);

    public bool IsConfigured => !string.IsNullOrWhiteSpace(SigningKey) || !string.IsNullOrWhiteSpace(Authority);
}
