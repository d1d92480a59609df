using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;

namespace Reminders.Platform.Auth;

public static class AuthorizationExtensions
{
    /// <summary>Allows a key that carries any one of <paramref name="roles"/> (several policy names would require all of them).</summary>
    public static TBuilder RequireAnyRole<TBuilder>(this TBuilder builder, params string[] roles) where TBuilder : IEndpointConventionBuilder =>
        builder.RequireAuthorization(new AuthorizationPolicyBuilder().RequireRole(roles).Build());
}
