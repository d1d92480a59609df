using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Reminders.ProviderSimulator.Tests.Infrastructure;
using Twilio.Rest.Api.V2010.Account;
using Twilio.Types;

namespace Reminders.ProviderSimulator.Tests;

/// <summary>
/// The control routes take the simulator's key in <c>X-Simulator-Key</c>: without it, or with another, they answer 401
/// ProblemDetails and change nothing (a reply could otherwise opt any number out, a fault fail every send).
/// </summary>
public class ControlKeyTests(SimulatorFixture fixture) : IClassFixture<SimulatorFixture>
{
    private const string WrongKey = "test-not-the-simulator-key";

    private SimulatorHost Simulator => fixture.Simulator;

    private HttpClient Client(string? key)
    {
        var http = new HttpClient { BaseAddress = Simulator.BaseAddress };
        if (key is not null)
        {
            http.DefaultRequestHeaders.Add("X-Simulator-Key", key);
        }
        return http;
    }

    private static async Task AssertRefusedAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(401, problem.GetProperty("status").GetInt32());
        Assert.Contains("X-Simulator-Key", problem.GetProperty("detail").GetString());
    }

    [Theory]
    [InlineData("GET", "/simulator/messages", null)]
    [InlineData("GET", "/simulator/messages/SMnope", null)]
    [InlineData("GET", "/simulator/messages.csv", null)]
    [InlineData("DELETE", "/simulator/messages", null)]
    [InlineData("GET", "/simulator/stats", null)]
    [InlineData("GET", "/simulator/faults", null)]
    [InlineData("DELETE", "/simulator/faults", null)]
    [InlineData("GET", "/simulator/messages", WrongKey)]
    [InlineData("DELETE", "/simulator/messages", WrongKey)]
    [InlineData("DELETE", "/simulator/faults", WrongKey)]
    public async Task Every_control_route_refuses_a_request_without_the_key(string method, string path, string? key)
    {
        using var http = Client(key);

        using var response = await http.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));

        await AssertRefusedAsync(response);
    }

    [Theory]
    [InlineData(null)]
    [InlineData(WrongKey)]
    public async Task A_fault_without_the_key_is_refused_and_never_applies(string? key)
    {
        using var http = Client(key);

        using var response = await http.PostAsJsonAsync("/simulator/faults", new { kind = "error500", count = 1000 });

        await AssertRefusedAsync(response);
        var message = await MessageResource.CreateAsync(to: new PhoneNumber(Phones.Next()), from: new PhoneNumber(Phones.Sender), body: "Hola", client: Simulator.Twilio());
        Assert.Equal(MessageResource.StatusEnum.Queued, message.Status);
    }

    [Theory]
    [InlineData(null)]
    [InlineData(WrongKey)]
    public async Task A_STOP_without_the_key_is_refused_reaches_no_webhook_and_blocks_nothing(string? key)
    {
        var (officer, sender) = (Phones.Next(), Phones.NextSender());
        using var http = Client(key);

        using var response = await http.PostAsJsonAsync("/simulator/replies", new { from = officer, to = sender, body = "STOP" });

        await AssertRefusedAsync(response);
        Assert.DoesNotContain(fixture.Receiver.Received("/inbound"), post => post.Form.GetValueOrDefault("From") == officer);
        var message = await MessageResource.CreateAsync(to: new PhoneNumber(officer), from: new PhoneNumber(sender), body: "Recordatorio", client: Simulator.Twilio());
        Assert.Equal(MessageResource.StatusEnum.Queued, message.Status);
    }
}
