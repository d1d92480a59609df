using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Reminders.Contracts;
using Reminders.Local;
using Reminders.Platform.Hosting;
using Reminders.Protocol;
using Reminders.ProviderSimulator.Log;

namespace Reminders.EndToEnd.Tests;

/// <summary>
/// Messaging keeps quiet hours (09:00–20:00) on the officer's own wall clock, from the zone the SendSms carries: in
/// December Tijuana is two hours behind Mexico City, so at 08:30 in Tijuana (10:30 in Mexico City) a Tijuana officer's
/// SMS is held until its window opens while a Mexico City officer's goes, and at 21:00 in Mexico City (19:00 in Tijuana) the reverse.
/// </summary>
public sealed class QuietHoursTimeZoneTests(QuietHoursHostsFixture hosts) : IClassFixture<QuietHoursHostsFixture>
{
    const string Tijuana = "America/Tijuana";
    static int nextPhone = 4400;

    static async Task<(string State, string? Reason, int AtProvider)> SendAsync(StudyHost host, string? timeZone)
    {
        var officer = await host.App.EnrollAsync(host.SectorOf(StudyArms.Treatment), $"+52550000{Interlocked.Increment(ref nextPhone)}");
        var body = $"Recordatorio {timeZone ?? "protocolo"} {Guid.NewGuid():N}";
        var command = new SendSms(Guid.NewGuid(), officer.Id, SmsPurposes.Reminder, body, host.App.StudyNow(), timeZone);
        var endpoint = await host.App.Services.GetRequiredService<IBus>().GetSendEndpoint(new Uri($"queue:{QueueNames.SendSms}"));
        await endpoint.Send(command);
        var sms = await host.App.SettledAsync(command.SmsId, orHeld: true);
        return (sms.State, sms.RefusalReason, host.App.Services.GetRequiredService<SimulatorLog>().Snapshot(officer.Phone).Count(m => m.Body == body));
    }

    [Fact]
    public async Task At_08_30_in_Tijuana_a_tijuana_officers_sms_is_held_for_quiet_hours_and_a_mexico_city_officers_goes()
    {
        Assert.Equal(("deferred", (string?)null, 0), await SendAsync(hosts.TijuanaMorning, Tijuana));
        Assert.Equal(("accepted", (string?)null, 1), await SendAsync(hosts.TijuanaMorning, "America/Mexico_City"));
        Assert.Equal(("accepted", (string?)null, 1), await SendAsync(hosts.TijuanaMorning, null));
    }

    [Fact]
    public async Task At_21_00_in_Mexico_City_a_tijuana_officers_sms_goes_and_a_mexico_city_officers_is_held_for_quiet_hours()
    {
        Assert.Equal(("accepted", (string?)null, 1), await SendAsync(hosts.MexicoCityNight, Tijuana));
        Assert.Equal(("deferred", (string?)null, 0), await SendAsync(hosts.MexicoCityNight, null));
    }
}

/// <summary>Two one-process hosts: the study clock at the next 08:30 in Tijuana, and at the next 21:00 in Mexico City.</summary>
public sealed class QuietHoursHostsFixture : IAsyncLifetime
{
    public StudyHost TijuanaMorning { get; } = new();
    public StudyHost MexicoCityNight { get; } = new();

    static Dictionary<string, string?> At(TimeOnly wallClock, TimeZoneInfo zone, DateTimeOffset realNow)
    {
        var local = TimeZoneInfo.ConvertTime(realNow, zone);
        var at = QuietHours.AtLocal(DateOnly.FromDateTime(local.DateTime), wallClock, zone);
        if (at < realNow) at = QuietHours.AtLocal(DateOnly.FromDateTime(local.DateTime).AddDays(1), wallClock, zone);
        return new Dictionary<string, string?>
        {
            [$"{StudyClockOptions.Section}:{nameof(StudyClockOptions.StudyStart)}"] = at.ToString("O"),
            [$"{StudyClockOptions.Section}:{nameof(StudyClockOptions.RealStart)}"] = realNow.ToString("O"),
        };
    }

    public Task InitializeAsync()
    {
        var realNow = DateTimeOffset.UtcNow;
        return Task.WhenAll(
            TijuanaMorning.StartAsync(At(new TimeOnly(8, 30), TimeZoneInfo.FindSystemTimeZoneById("America/Tijuana"), realNow)),
            MexicoCityNight.StartAsync(At(new TimeOnly(21, 0), ProtocolLoader.LoadDefault().TimeZone, realNow)));
    }

    public async Task DisposeAsync()
    {
        await TijuanaMorning.DisposeAsync();
        await MexicoCityNight.DisposeAsync();
    }
}
