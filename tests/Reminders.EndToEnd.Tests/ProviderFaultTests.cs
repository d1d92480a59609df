using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Reminders.Contracts;
using Reminders.ProviderSimulator.Faults;
using Reminders.ProviderSimulator.Log;

namespace Reminders.EndToEnd.Tests;

/// <summary>
/// The provider misbehaves (refuses for a while, fails, takes the message and never answers): each SMS still
/// reaches the provider exactly once, and a send in doubt is resolved by looking it up, not by sending again.
/// </summary>
public sealed class ProviderFaultTests(SeededLocalHostFixture seeded) : IClassFixture<SeededLocalHostFixture>
{
    readonly LocalHostFixture host = seeded.Host;

    SimulatorFaults Faults => host.App.Services.GetRequiredService<SimulatorFaults>();

    async Task<(string State, long Attempts)> SendAndWaitAsync(string body)
    {
        var command = new SendSms(Guid.NewGuid(), seeded.Flow.Delivered[1].OfficerId, SmsPurposes.Manual, body, host.Now());
        var endpoint = await host.App.Services.GetRequiredService<IBus>().GetSendEndpoint(new Uri($"queue:{QueueNames.SendSms}"));
        await endpoint.Send(command);
        for (var i = 0; i < 500; i++)
        {
            var row = (await host.QueryAsync<(string, long)>("messaging", "SELECT state, attempts FROM outbound_sms WHERE sms_id = @id",
                new { id = command.SmsId.ToString() })).SingleOrDefault();
            if (row.Item1 is "accepted" or "failed" or "refused") return row;
            await Task.Delay(20);
        }
        throw new TimeoutException($"SMS {command.SmsId} was never settled");
    }

    int ProviderMessagesWithBody(string body) =>
        host.App.Services.GetRequiredService<SimulatorLog>().Snapshot(null).Count(m => m.Body == body);

    [Fact]
    public async Task A_provider_that_takes_the_message_and_drops_the_connection_gets_it_once()
    {
        var body = $"Prueba: conexion cortada {Guid.NewGuid():N}";
        Faults.Add(new FaultSpec(FaultKind.AcceptThenDrop, Count: 1));
        var (state, attempts) = await SendAndWaitAsync(body);
        Assert.Equal("accepted", state);
        Assert.Equal(1, attempts);
        Assert.Equal(1, ProviderMessagesWithBody(body));
    }

    [Theory]
    [InlineData(FaultKind.AcceptThenBadGateway)]
    [InlineData(FaultKind.AcceptThenHtml)]
    [InlineData(FaultKind.AcceptThenTruncatedJson)]
    public async Task An_answer_that_cannot_be_read_after_the_provider_took_the_message_is_looked_up_never_failed(FaultKind kind)
    {
        var body = $"Prueba: respuesta ilegible {kind} {Guid.NewGuid():N}";
        Faults.Add(new FaultSpec(kind, Count: 1));

        var sms = await host.App.SettledAsync(await host.App.SendSmsAsync(seeded.Flow.Delivered[1].OfficerId, SmsPurposes.Manual, body));

        Assert.Equal(("accepted", null), (sms.State, sms.ErrorCode));
        var atProvider = Assert.Single(host.App.Services.GetRequiredService<SimulatorLog>().Snapshot(null), m => m.Body == body);
        Assert.Equal(atProvider.Sid, sms.ProviderSid);
        // The provider's callbacks for the message it took are matched to the SMS, as for any other.
        await SmsSteps.WaitForAsync(() => host.App.QueryAsync<string?>("messaging", "SELECT status FROM outbound_sms WHERE provider_sid = @sid", new { sid = atProvider.Sid }),
            s => s is ["delivered"], $"SMS {atProvider.Sid} never reached delivered");
    }

    [Fact]
    public async Task Rate_limited_and_failing_provider_answers_are_retried_until_it_takes_the_message_once()
    {
        var body = $"Prueba: reintentos {Guid.NewGuid():N}";
        Faults.Add(new FaultSpec(FaultKind.Error429, Count: 2));
        Faults.Add(new FaultSpec(FaultKind.Error500, Count: 1));
        var (state, attempts) = await SendAndWaitAsync(body);
        Assert.Equal("accepted", state);
        Assert.Equal(4, attempts);
        Assert.Equal(1, ProviderMessagesWithBody(body));
    }
}
