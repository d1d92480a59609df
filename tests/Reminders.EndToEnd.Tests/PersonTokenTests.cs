using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Reminders.Local.Demo;
using Reminders.Platform.Auth;

namespace Reminders.EndToEnd.Tests;

/// <summary>
/// The console calls the services as the signed-in person: a short-lived token with their name and role, accepted beside
/// API keys, authorized by role, and the person's name is what the services record. Tokens carry real time (the services
/// validate with the wall clock), never the study clock.
/// </summary>
public sealed class PersonTokenTests(LocalHostFixture host) : IClassFixture<LocalHostFixture>
{
    PersonTokenOptions Options => host.App.Configuration.GetSection(PersonTokenOptions.Section).Get<PersonTokenOptions>()!;

    HttpClient As(string token)
    {
        var client = new HttpClient { BaseAddress = new Uri(host.Url) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    [Fact]
    public async Task A_managers_token_is_accepted_and_the_service_records_the_persons_name()
    {
        await host.Client.LoadSectorsAsync(SkeletonFlow.Sectors);
        using var ana = As(PersonTokens.Issue(Options, "ana.lopez", Roles.Manager, null, DateTimeOffset.UtcNow));
        using var response = await ana.PostAsJsonAsync("/api/enrollment/randomizations", new { seed = 4242, dryRun = true });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var dryRuns = await host.Client.JsonAsync("enrollment", "/api/enrollment/randomizations/dry-runs");
        Assert.Contains(dryRuns.EnumerateArray(), d => d.GetProperty("seed").GetInt64() == 4242 && d.GetProperty("requestedBy").GetString() == "ana.lopez");
    }

    [Fact]
    public async Task A_researchers_token_is_refused_a_managers_route_with_403()
    {
        using var rosa = As(PersonTokens.Issue(Options, "rosa", Roles.Researcher, null, DateTimeOffset.UtcNow));
        using var refused = await rosa.PostAsJsonAsync("/api/enrollment/randomizations", new { seed = 1, dryRun = true });
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        using var allowed = await rosa.GetAsync("/api/enrollment/randomizations");
        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
    }

    [Fact]
    public async Task A_token_signed_with_another_key_or_expired_is_refused_with_401()
    {
        var forged = Options;
        forged.SigningKey = "another-key-that-is-long-enough-to-sign-32";
        using var mallory = As(PersonTokens.Issue(forged, "mallory", Roles.Manager, null, DateTimeOffset.UtcNow));
        Assert.Equal(HttpStatusCode.Unauthorized, (await mallory.GetAsync("/api/enrollment/officers")).StatusCode);

        using var late = As(PersonTokens.Issue(Options, "ana", Roles.Manager, null, DateTimeOffset.UtcNow.AddHours(-1)));
        Assert.Equal(HttpStatusCode.Unauthorized, (await late.GetAsync("/api/enrollment/officers")).StatusCode);
    }

    [Fact]
    public void A_trainers_token_carries_the_trainer_id_and_never_a_key()
    {
        var trainer = Guid.NewGuid();
        var token = PersonTokens.Issue(Options, "laura", Roles.Trainer, trainer, DateTimeOffset.UtcNow);
        var payload = JsonDocument.Parse(Base64UrlDecode(token.Split('.')[1])).RootElement;
        Assert.Equal("laura", payload.GetProperty("name").GetString());
        Assert.Equal(Roles.Trainer, payload.GetProperty("role").GetString());
        Assert.Equal(trainer.ToString(), payload.GetProperty(ReminderClaims.TrainerId).GetString());
        Assert.True(payload.GetProperty("exp").GetInt64() - payload.GetProperty("iat").GetInt64() <= 300);
    }

    static byte[] Base64UrlDecode(string text) =>
        Convert.FromBase64String(text.Replace('-', '+').Replace('_', '/').PadRight(text.Length + (4 - text.Length % 4) % 4, '='));
}
