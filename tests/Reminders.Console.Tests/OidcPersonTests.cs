using System.Security.Claims;
using Reminders.Platform.Auth;
using Reminders.Web;

namespace Reminders.Console.Tests;

/// <summary>A person signed in through an OpenID Connect provider becomes the same console person a local sign-in gives.</summary>
public sealed class OidcPersonTests
{
    [Fact]
    public void The_providers_name_role_and_trainer_id_become_the_consoles_claims_and_unknown_roles_are_dropped()
    {
        var provider = new ClaimsPrincipal(new ClaimsIdentity([
            new Claim("preferred_username", "laura.mendez"), new Claim("role", "trainer"), new Claim("role", "admin"),
            new Claim("trainer_id", "0199a000-0000-7000-8000-000000000001"), new Claim("email", "laura@example.org")], "oidc"));

        var person = ConsoleHost.OidcPerson(provider, new OidcOptions());

        Assert.Equal("laura.mendez", person.Identity!.Name);
        Assert.True(person.IsInRole(Roles.Trainer));
        Assert.False(person.IsInRole("admin"));
        Assert.Equal("0199a000-0000-7000-8000-000000000001", person.FindFirst(ReminderClaims.TrainerId)?.Value);
        Assert.Null(person.FindFirst("email"));
    }

    [Fact]
    public void Claim_names_come_from_configuration_for_providers_that_name_them_differently()
    {
        var provider = new ClaimsPrincipal(new ClaimsIdentity([new Claim("upn", "ana@ssc"), new Claim("groups", "manager")], "oidc"));
        var person = ConsoleHost.OidcPerson(provider, new OidcOptions { NameClaim = "upn", RoleClaim = "groups" });
        Assert.Equal("ana@ssc", person.Identity!.Name);
        Assert.True(person.IsInRole(Roles.Manager));
    }
}
