using System.Net;
using Microsoft.AspNetCore.Mvc.Testing;
using Reminders.ProviderSimulator.Tests.Infrastructure;
using Twilio.Clients;
using SystemNetHttpClient = Twilio.Http.SystemNetHttpClient;
using Twilio.Rest.Api.V2010.Account;
using Twilio.Types;

namespace Reminders.ProviderSimulator.Tests;

/// <summary>The standalone host (Program.cs) with its appsettings defaults.</summary>
public class ProgramTests(WebApplicationFactory<SimulatorMarker> factory) : IClassFixture<WebApplicationFactory<SimulatorMarker>>
{
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
}
