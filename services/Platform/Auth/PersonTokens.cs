using System.Security.Claims;
using System.Text;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Reminders.Platform.Auth;

/// <summary>
/// A person's bearer token (the console's, or an OpenID Connect provider's) accepted beside the <c>X-Api-Key</c> header:
/// the services authorize by the person's role and record the person's name, exactly as for a key.
/// </summary>
public static class PersonTokens
{
    /// <summary>Picks the scheme per request: a bearer token goes to JWT validation, anything else to the API keys.</summary>
    public const string SelectorScheme = "ApiKeyOrBearer";

    public static AuthenticationBuilder AddApiKeyOrPersonToken(this IServiceCollection services, IConfiguration configuration)
    {
        var options = configuration.GetSection(PersonTokenOptions.Section).Get<PersonTokenOptions>() ?? new PersonTokenOptions();
        var authentication = services.AddAuthentication(SelectorScheme)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null)
            .AddPolicyScheme(SelectorScheme, "API key or a person's bearer token", o => o.ForwardDefaultSelector = context =>
                options.IsConfigured && HasBearerToken(context.Request) ? JwtBearerDefaults.AuthenticationScheme : ApiKeyAuthenticationHandler.SchemeName);
        if (!options.IsConfigured) return authentication;
        return authentication.AddJwtBearer(jwt =>
        {
            jwt.MapInboundClaims = false;
            jwt.TokenValidationParameters = new TokenValidationParameters
            {
                NameClaimType = options.NameClaim,
                RoleClaimType = options.RoleClaim,
                ValidAudience = options.Audience,
                ClockSkew = TimeSpan.FromSeconds(30),
            };
            if (!string.IsNullOrWhiteSpace(options.Authority))
            {
                jwt.Authority = options.Authority;
                jwt.RequireHttpsMetadata = options.Authority.StartsWith("https://", StringComparison.OrdinalIgnoreCase);
            }
            else
            {
                jwt.TokenValidationParameters.ValidIssuer = options.Issuer;
                jwt.TokenValidationParameters.IssuerSigningKey = SigningKey(options);
            }
        });
    }

    /// <summary>The console's token for one call: the person's name, role and (for a trainer) their trainer id.</summary>
    public static string Issue(PersonTokenOptions options, string name, string role, Guid? trainerId, DateTimeOffset now)
    {
        var claims = new Dictionary<string, object> { [options.NameClaim] = name, [options.RoleClaim] = role };
        if (trainerId is { } id) claims[ReminderClaims.TrainerId] = id.ToString();
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = options.Issuer,
            Audience = options.Audience,
            Claims = claims,
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = now.Add(options.Lifetime).UtcDateTime,
            SigningCredentials = new SigningCredentials(SigningKey(options), SecurityAlgorithms.HmacSha256),
        });
    }

    static SymmetricSecurityKey SigningKey(PersonTokenOptions options)
    {
        var bytes = Encoding.UTF8.GetBytes(options.SigningKey ?? "");
        if (bytes.Length < 32) throw new InvalidOperationException($"{PersonTokenOptions.Section}:SigningKey must be at least 32 bytes.");
        return new SymmetricSecurityKey(bytes);
    }

    static bool HasBearerToken(HttpRequest request) =>
        request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase);
}
