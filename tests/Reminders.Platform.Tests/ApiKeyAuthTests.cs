using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Reminders.Platform.Auth;
using Reminders.Platform.Hosting;

namespace Reminders.Platform.Tests;

/// <summary>A small host with the services' defaults (AddServiceDefaults + MapServiceDefaults) and one endpoint per role.</summary>
public sealed class ApiKeyAuthTests : IAsyncLifetime
{
    const string ManagerKey = "manager-key-for-tests";
    const string TrainerKey = "trainer-key-for-tests";
    const string ResearcherKey = "researcher-key-for-tests";
    const string TabletKey = "venue-tablet-key-bound-to-a-trainer";
    static readonly Guid TabletTrainerId = Guid.Parse("0193a000-0000-7000-8000-00000000b001");

    WebApplication app = null!;
    HttpClient client = null!;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Production" });
        builder.WebHost.UseTestServer();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Auth:ApiKeys:0:Name"] = "ana-manager", ["Auth:ApiKeys:0:Key"] = ManagerKey, ["Auth:ApiKeys:0:Roles:0"] = Roles.Manager,
            ["Auth:ApiKeys:1:Name"] = "tomas-trainer", ["Auth:ApiKeys:1:Key"] = TrainerKey, ["Auth:ApiKeys:1:Roles:0"] = Roles.Trainer,
            ["Auth:ApiKeys:2:Name"] = "rosa-researcher", ["Auth:ApiKeys:2:Key"] = ResearcherKey, ["Auth:ApiKeys:2:Roles:0"] = Roles.Researcher,
            ["Auth:ApiKeys:3:Name"] = "tableta-sede-norte", ["Auth:ApiKeys:3:Key"] = TabletKey, ["Auth:ApiKeys:3:Roles:0"] = Roles.Trainer,
            ["Auth:ApiKeys:3:TrainerId"] = TabletTrainerId.ToString(),
        });
        builder.AddServiceDefaults();
        app = builder.Build();
        app.MapServiceDefaults();
        foreach (var role in Roles.All)
            app.MapGet($"/{role}", (HttpContext context) => context.User.Identity!.Name).RequireAuthorization(role);
        app.MapGet("/manager-or-researcher", () => "ok").RequireAnyRole(Roles.Manager, Roles.Researcher);
        app.MapGet("/bound-trainer", (HttpContext context) => context.User.FindFirst(ReminderClaims.TrainerId)?.Value ?? "none").RequireAuthorization(Roles.Trainer);
        await app.StartAsync();
        client = app.GetTestClient();
    }

    public async Task DisposeAsync()
    {
        client.Dispose();
        await app.DisposeAsync();
    }

    Task<HttpResponseMessage> GetAsync(string path, string? key)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (key is not null) request.Headers.Add(ApiKeyAuthenticationHandler.HeaderName, key);
        return client.SendAsync(request);
    }

    static async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal((int)status, problem.RootElement.GetProperty("status").GetInt32());
        Assert.True(problem.RootElement.TryGetProperty("title", out _));
    }

    [Theory]
    [InlineData("/manager")]
    [InlineData("/trainer")]
    [InlineData("/researcher")]
    public async Task No_key_is_401_with_a_problem_details_body(string path)
    {
        await AssertProblemAsync(await GetAsync(path, null), HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task An_unknown_key_is_401_with_a_problem_details_body()
    {
        await AssertProblemAsync(await GetAsync("/manager", "not-a-key"), HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task A_key_that_differs_from_a_known_key_only_in_case_is_unknown()
    {
        await AssertProblemAsync(await GetAsync("/manager", ManagerKey.ToUpperInvariant()), HttpStatusCode.Unauthorized);
    }

    [Theory]
    [InlineData("/manager", TrainerKey)]
    [InlineData("/manager", ResearcherKey)]
    [InlineData("/trainer", ManagerKey)]
    [InlineData("/researcher", TrainerKey)]
    [InlineData("/manager-or-researcher", TrainerKey)]
    public async Task A_known_key_without_the_role_is_403_with_a_problem_details_body(string path, string key)
    {
        await AssertProblemAsync(await GetAsync(path, key), HttpStatusCode.Forbidden);
    }

    [Theory]
    [InlineData("/manager", ManagerKey, "ana-manager")]
    [InlineData("/trainer", TrainerKey, "tomas-trainer")]
    [InlineData("/researcher", ResearcherKey, "rosa-researcher")]
    public async Task A_key_with_the_role_is_200_and_named_after_its_holder(string path, string key, string name)
    {
        var response = await GetAsync(path, key);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(name, await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData(ManagerKey)]
    [InlineData(ResearcherKey)]
    public async Task An_endpoint_for_any_of_several_roles_lets_each_of_them_in(string key)
    {
        Assert.Equal(HttpStatusCode.OK, (await GetAsync("/manager-or-researcher", key)).StatusCode);
    }

    [Theory]
    [InlineData(TabletKey, "0193a000-0000-7000-8000-00000000b001")]
    [InlineData(TrainerKey, "none")]
    public async Task A_key_bound_to_a_trainer_carries_the_trainer_id_claim_and_an_unbound_one_none(string key, string claim)
    {
        var response = await GetAsync("/bound-trainer", key);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(claim, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Health_liveness_needs_no_key()
    {
        Assert.Equal(HttpStatusCode.OK, (await GetAsync("/health/live", null)).StatusCode);
    }
}
