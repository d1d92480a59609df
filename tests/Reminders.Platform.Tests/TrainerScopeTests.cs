using System.Security.Claims;
using Reminders.Platform.Auth;

namespace Reminders.Platform.Tests;

/// <summary>Which sessions a principal may see and record, from its roles and its trainer_id claim.</summary>
public sealed class TrainerScopeTests
{
    static readonly Guid Paz = Guid.NewGuid();
    static readonly Guid Session = Guid.NewGuid();

    static ClaimsPrincipal Principal(string? trainerId, params string[] roles) =>
        new(new ClaimsIdentity(roles.Select(r => new Claim(ClaimTypes.Role, r))
            .Concat(trainerId is null ? [] : [new Claim(ReminderClaims.TrainerId, trainerId)]), "test"));

    static int? Status(Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult? refusal) => refusal?.StatusCode;

    [Fact]
    public void A_bound_principal_gets_its_own_sessions_only_whatever_its_roles()
    {
        foreach (var user in new[] { Principal(Paz.ToString(), Roles.Trainer), Principal(Paz.ToString(), Roles.Manager) })
        {
            Assert.Equal(Paz, user.BoundTrainer());
            Assert.Null(user.RefuseUnlinkedTrainer());
            Assert.Null(user.RefuseSession(Session, Paz));
            Assert.Equal(403, Status(user.RefuseSession(Session, Guid.NewGuid())));
            Assert.Equal(403, Status(user.RefuseSession(Session, null)));
        }
    }

    [Fact]
    public void A_principal_without_the_claim_keeps_what_its_roles_allow_but_an_unlinked_trainer_has_no_sessions_of_its_own()
    {
        Assert.Null(Principal(null, Roles.Manager).RefuseUnlinkedTrainer());
        Assert.Null(Principal(null, Roles.Researcher).RefuseUnlinkedTrainer());
        Assert.Null(Principal(null, Roles.Trainer, Roles.Manager).RefuseUnlinkedTrainer());
        var unlinked = Principal(null, Roles.Trainer);
        Assert.Equal(403, Status(unlinked.RefuseUnlinkedTrainer()));
        Assert.Null(unlinked.RefuseSession(Session, Paz));
    }

    [Fact]
    public void A_claim_that_is_not_a_uuid_is_refused_every_session()
    {
        var user = Principal("paz", Roles.Trainer);

        Assert.Equal(Guid.Empty, user.BoundTrainer());
        Assert.Equal(403, Status(user.RefuseSession(Session, Paz)));
        Assert.Equal(403, Status(user.RefuseSession(Session, Guid.Empty)));
    }
}
