using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Options;
using Reminders.ProviderSimulator.Tests.Infrastructure;
using Twilio.Clients;
using SystemNetHttpClient = Twilio.Http.SystemNetHttpClient;
using Twilio.Rest.Api.V2010.Account;
using Twilio.Types;

namespace Reminders.ProviderSimulator.Tests;

/// <summary>The standalone host (Program.cs) with its defaults and a control key from configuration, as the environment gives it.</summary>
public class ProgramTests(ProgramTests.Standalone factory) : IClassFixture<ProgramTests.Standalone>
{
    public sealed class Standalone : WebApplicationFactory<SimulatorMarker>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder) => builder.UseSetting("Simulator:ControlKey", SimulatorHost.ControlKey);
    }

    [Theory]
    [InlineData("/health/live")]
    [InlineData("/health/ready")]
    public async Task Health_endpoints_answer_ok(string path)
    {
        Assert.Equal(HttpStatusCode.OK, (await factory.CreateClient().GetAsync(path)).StatusCode);
    }

    [Fact]
    public async Task Standalone_host_answers_the_sdk_with_the_default_credentials()
    {
        var http = factory.CreateDefaultClient(new TwilioBaseUrlHandler(factory.Server.BaseAddress));
        var rest = new TwilioRestClient(SimulatorHost.AccountSid, SimulatorHost.AuthToken, httpClient: new SystemNetHttpClient(http));

        var message = await MessageResource.CreateAsync(to: new PhoneNumber(Phones.Next()), from: new PhoneNumber(Phones.Sender), body: "Hola", client: rest);

        Assert.Equal(MessageResource.StatusEnum.Queued, message.Status);
    }

    [Fact]
    public async Task Standalone_host_answers_the_control_routes_with_the_configured_key_only()
    {
        var http = factory.CreateClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync("/simulator/stats")).StatusCode);

        http.DefaultRequestHeaders.Add(SimulatorOptions.ControlKeyHeader, SimulatorHost.ControlKey);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/simulator/stats")).StatusCode);
    }

    [Fact]
    public void Standalone_host_without_a_control_key_does_not_start_and_says_which_key_is_missing()
    {
        using var unkeyed = new WebApplicationFactory<SimulatorMarker>();

        var error = Assert.Throws<OptionsValidationException>(() => unkeyed.CreateClient());

        Assert.Contains("Simulator:ControlKey", error.Message);
    }
}
