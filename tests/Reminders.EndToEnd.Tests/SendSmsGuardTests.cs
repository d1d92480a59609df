using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Reminders.Contracts;
using Reminders.ProviderSimulator.Log;

namespace Reminders.EndToEnd.Tests;

/// <summary>Messaging sends at most one SMS per SmsId, and never to a control officer, whatever is put on the bus.</summary>
public sealed class SendSmsGuardTests(SeededLocalHostFixture seeded) : IClassFixture<SeededLocalHostFixture>
{
    readonly LocalHostFixture host = seeded.Host;

    async Task SendAsync(SendSms command)
    {
        var endpoint = await host.App.Services.GetRequiredService<IBus>().GetSendEndpoint(new Uri($"queue:{QueueNames.SendSms}"));
        await endpoint.Send(command);
    }

    async Task<string> WaitForStateAsync(Guid smsId, Func<string, bool> done)
    {
        for (var i = 0; i < 300; i++)
        {
            var state = (await host.QueryAsync<string>("messaging", "SELECT state FROM outbound_sms WHERE sms_id = @id", new { id = smsId.ToString() })).SingleOrDefault();
            if (state is not null && done(state)) return state;
            await Task.Delay(20);
        }
        throw new TimeoutException($"SMS {smsId} never reached the expected state");
    }

    int ProviderMessagesWithBody(string body) =>
        host.App.Services.GetRequiredService<SimulatorLog>().Snapshot(null).Count(m => m.Body == body);

    Guid TreatmentOfficer => seeded.Flow.Delivered[0].OfficerId;

    Guid ControlOfficer => seeded.Flow.Officers
        .Where(o => seeded.Flow.ArmBySector[o.GetProperty("sectorCode").GetString()!] == "control")
        .Select(o => o.GetProperty("id").GetGuid()).First();

    [Fact]
    public async Task The_same_SendSms_delivered_three_times_reaches_the_provider_once()
    {
        var body = $"Prueba de duplicados {Guid.NewGuid():N}";
        var command = new SendSms(Guid.NewGuid(), TreatmentOfficer, SmsPurposes.Manual, body, host.Now());
        await Task.WhenAll(SendAsync(command), SendAsync(command), SendAsync(command));
        await WaitForStateAsync(command.SmsId, s => s == "accepted");
        await SendAsync(command);
        await Task.Delay(300);
        Assert.Equal(1, ProviderMessagesWithBody(body));
        var attempts = (await host.QueryAsync<long>("messaging", "SELECT attempts FROM outbound_sms WHERE sms_id = @id", new { id = command.SmsId.ToString() })).Single();
        Assert.Equal(1, attempts);
    }

    [Fact]
    public async Task A_SendSms_for_a_control_officer_put_on_the_bus_by_hand_is_refused_and_recorded()
    {
        var body = $"Nunca debe salir {Guid.NewGuid():N}";
        var command = new SendSms(Guid.NewGuid(), ControlOfficer, SmsPurposes.Reminder, body, host.Now());
        await SendAsync(command);
        Assert.Equal("refused", await WaitForStateAsync(command.SmsId, s => s != "new"));
        var reason = (await host.QueryAsync<string>("messaging", "SELECT refusal_reason FROM outbound_sms WHERE sms_id = @id", new { id = command.SmsId.ToString() })).Single();
        Assert.Equal("arm_mismatch", reason);
        Assert.Equal(0, ProviderMessagesWithBody(body));

        var dosage = await host.Client.WaitForDosageAsync(ControlOfficer, d => d.GetProperty("smsRefused").GetInt64() >= 1, TimeSpan.FromSeconds(10));
        Assert.Equal(1, dosage!.Value.GetProperty("smsRefused").GetInt64());
        Assert.Equal(0, dosage.Value.GetProperty("smsSent").GetInt64());
    }

    [Fact]
    public async Task A_SendSms_for_an_officer_nobody_enrolled_is_refused_after_the_replica_wait_without_a_provider_call()
    {
        var body = $"Oficial desconocido {Guid.NewGuid():N}";
        // Requested longer ago than Messaging waits for Enrollment's events: refused at once.
        var command = new SendSms(Guid.NewGuid(), Guid.NewGuid(), SmsPurposes.Manual, body, host.Now().AddMinutes(-10));
        await SendAsync(command);
        Assert.Equal("refused", await WaitForStateAsync(command.SmsId, s => s != "new"));
        Assert.Equal(0, ProviderMessagesWithBody(body));
    }

    [Fact]
    public async Task A_SendSms_that_arrives_before_the_officers_events_waits_for_them_and_is_sent_once()
    {
        var officerId = Guid.NewGuid();
        var sectorId = seeded.Flow.Dosage[TreatmentOfficer].GetProperty("sectorId").GetGuid();
        var body = $"Llega antes que el alta {Guid.NewGuid():N}";
        var command = new SendSms(Guid.NewGuid(), officerId, SmsPurposes.Manual, body, host.Now());
        await SendAsync(command);
        await Task.Delay(400);
        // Waiting leaves no trace: not refused, nothing sent.
        Assert.Empty(await host.QueryAsync<string>("messaging", "SELECT state FROM outbound_sms WHERE sms_id = @id", new { id = command.SmsId.ToString() }));
        Assert.Equal(0, ProviderMessagesWithBody(body));

        var bus = host.App.Services.GetRequiredService<IBus>();
        await bus.Publish(new OfficerEnrolled(officerId, sectorId, "officer", host.Now()));
        // Enrolled into a randomized sector: Enrollment gives the officer its arm.
        await bus.Publish(new OfficerArmsAssigned(Guid.CreateVersion7(), [new OfficerArm(officerId, sectorId, "treatment", EnrolledAfterRandomization: true)], host.Now()));
        var contacts = await bus.GetSendEndpoint(new Uri($"queue:{QueueNames.UpdateOfficerContact}"));
        await contacts.Send(new UpdateOfficerContact(officerId, "+525500009999", host.Now()));

        Assert.Equal("accepted", await WaitForStateAsync(command.SmsId, s => s is "accepted" or "refused"));
        Assert.Equal(1, ProviderMessagesWithBody(body));
    }
}
