using System.Security.Claims;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.Extensions.Options;
using Reminders.Platform.Auth;

namespace Reminders.Web.Services;

/// <summary>
/// The signed-in person's short-lived token for the services (name, role, trainer id), made on the server for each
/// call: no API key and no token ever reaches the browser.
/// </summary>
public sealed class PersonTokenSource(
    IHttpContextAccessor httpContext, AuthenticationStateProvider authenticationState, IOptions<PersonTokenOptions> options)
{
    public async Task<ClaimsPrincipal> CurrentPersonAsync()
    {
        // A static page or a form post has its HttpContext; an interactive circuit has only the authentication state.
        if (httpContext.HttpContext?.User is { Identity.IsAuthenticated: true } user) return user;
        return (await authenticationState.GetAuthenticationStateAsync()).User;
    }

    public async Task<string?> TokenAsync()
    {
        var person = await CurrentPersonAsync();
        if (person.Identity?.IsAuthenticated != true || person.Identity.Name is not { } name) return null;
        var role = person.FindFirstValue(ClaimTypes.Role);
        if (role is null) return null;
        Guid? trainerId = Guid.TryParse(person.FindFirstValue(ReminderClaims.TrainerId), out var id) ? id : null;
        // Real time, never a study clock: the services check a token's validity against the wall clock.
        return PersonTokens.Issue(options.Value, name, role, trainerId, DateTimeOffset.UtcNow);
    }
}
