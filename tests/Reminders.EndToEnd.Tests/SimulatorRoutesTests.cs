using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Reminders.Contracts;
using Reminders.Local;
using Reminders.ProviderSimulator.Faults;

namespace Reminders.EndToEnd.Tests;

/// <summary>
/// The simulator's own routes on the one-process host: they need the simulator's control key (a reply without it could
/// opt any officer out), and they exist only while the simulator is the configured provider.
/// </summary>
public sealed class SimulatorRoutesTests(SimulatorRoutesTests.Hosts hosts) : IClassFixture<SimulatorRoutesTests.Hosts>
{
    const string WrongKey = "test-not-the-simulator-key";
    static int nextPhone = 7000;

    public sealed class Hosts : IAsyncLifetime
    {
        public StudyHost Simulated { get; } = new();
        public async Task InitializeAsync() => await Simulated.StartAsync([]);
        public async Task DisposeAsync() => await Simulated.DisposeAsync();
    }

    WebApplication App => hosts.Simulated.App;

    static HttpClient Client(WebApplication app, string? key)
    {
        var http = new HttpClient { BaseAddress = new Uri(app.Url()) };
        if (key is not null) http.DefaultRequestHeaders.Add("X-Simulator-Key", key);
        return http;
    }

    static async Task AssertRefusedAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains("X-Simulator-Key", problem.GetProperty("detail").GetString());
    }

    [Theory]
    [InlineData(null)]
    [InlineData(WrongKey)]
    public async Task A_STOP_posted_without_the_control_key_is_refused_and_opts_nobody_out(string? key)
    {
        var officer = await App.EnrollAsync(hosts.Simulated.SectorOf(StudyArms.Treatment), $"+52551100{Interlocked.Increment(ref nextPhone)}");
        using var http = Client(App, key);

        using var response = await http.PostAsJsonAsync("/simulator/replies", new { from = officer.Phone, to = App.Configuration["Messaging:Twilio:From"], body = "STOP" });

        await AssertRefusedAsync(response);
        await App.SettleAsync(officer);
        Assert.Equal(OfficerStatuses.Active, await App.EnrollmentStatusAsync(officer.Id));
        Assert.Empty(await App.QueryAsync<string>("messaging", "SELECT provider_sid FROM inbound_sms WHERE from_phone = @phone", new { phone = officer.Phone }));
    }

    [Theory]
    [InlineData(null)]
    [InlineData(WrongKey)]
    public async Task A_fault_posted_without_the_control_key_is_refused_and_never_applies(string? key)
    {
        using var http = Client(App, key);

        using var response = await http.PostAsJsonAsync("/simulator/faults", new { kind = "error500", count = 1000 });

        await AssertRefusedAsync(response);
        Assert.Empty(App.Services.GetRequiredService<SimulatorFaults>().Active());
    }

    [Fact]
    public async Task The_host_makes_a_control_key_for_the_run_and_the_simulator_answers_it()
    {
        var key = App.SimulatorKey();
        using var http = Client(App, key);

        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/simulator/faults")).StatusCode);
        Assert.StartsWith("simulator-", key);
        Assert.True(key.Length >= 32, key);
    }

    [Fact]
    public async Task A_configured_control_key_is_the_one_the_simulator_answers()
    {
        const string configured = "test-configured-simulator-key";
        await using var host = new StudyHost();
        await host.StartAsync(new Dictionary<string, string?> { ["Simulator:ControlKey"] = configured });

        Assert.Equal(configured, host.App.SimulatorKey());
        using (var http = Client(host.App, configured)) Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/simulator/stats")).StatusCode);
        using (var http = Client(host.App, App.SimulatorKey())) await AssertRefusedAsync(await http.GetAsync("/simulator/stats"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("http://127.0.0.1:9")]
    public async Task A_host_whose_provider_is_not_its_own_simulator_has_no_simulator_routes(string twilioBaseUrl)
    {
        await using var host = new StudyHost();
        await host.StartAsync(new Dictionary<string, string?>
        {
            ["Messaging:Twilio:BaseUrl"] = twilioBaseUrl,
            ["Messaging:Twilio:AccountSid"] = "ACtest0000000000000000000000000000",
            ["Messaging:Twilio:AuthToken"] = "test-fake-auth-token",
        });
        using var http = Client(host.App, host.App.SimulatorKey());

        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/simulator/messages")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/simulator/faults")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.PostAsJsonAsync("/simulator/faults", new { kind = "error500" })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.PostAsJsonAsync("/simulator/replies", new { from = "+525511000001", body = "STOP" })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/2010-04-01/Accounts/ACsimulator00000000000000000000000/Messages.json")).StatusCode);
        Assert.Null(host.App.Services.GetService<SimulatorFaults>());
    }
}
