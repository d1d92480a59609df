using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Reminders.Contracts;
using Reminders.Local;
using Reminders.Platform.Auth;
using Reminders.Platform.Hosting;
using Reminders.Protocol;

namespace Reminders.EndToEnd.Tests;

/// <summary>The delivery monitor's sender pacing (<c>GET /api/messaging/senders</c>): the configured rate, each sender's next slot, what the provider took lately.</summary>
public sealed class SendersApiTests : IAsyncLifetime
{
    readonly StudyHost host = new();

    public Task InitializeAsync() =>
        host.StartAsync(StudyClockOptions.InsideSendingHours(ProtocolLoader.LoadDefault(), DateTimeOffset.UtcNow, TimeSpan.FromHours(2)));

    [Fact]
    public async Task The_senders_route_gives_the_rate_each_senders_next_slot_and_the_sms_accepted_in_the_last_minute()
    {
        using var manager = new HttpClient { BaseAddress = new Uri(host.App.Url()) };
        manager.DefaultRequestHeaders.Add(ApiKeyAuthenticationHandler.HeaderName, host.App.ApiKey(Roles.Manager));
        var before = await manager.GetFromJsonAsync<JsonElement>("/api/messaging/senders");
        Assert.Equal(95, before.GetProperty("messagesPerSecondPerSender").GetDouble());
        var sender = Assert.Single(before.GetProperty("senders").EnumerateArray().ToList());
        Assert.Equal("+15005550006", sender.GetProperty("sender").GetString());
        Assert.Equal(0, sender.GetProperty("bookedSeconds").GetDouble());
        Assert.Equal((0, 0), (before.GetProperty("acceptedLastMinute").GetInt64(), before.GetProperty("acceptedLastHour").GetInt64()));

        var officer = await host.App.EnrollAsync(host.SectorOf(StudyArms.Treatment), "+525500009201");
        var sms = await host.App.SettledAsync(await host.App.SendSmsAsync(officer.Id, SmsPurposes.Manual, "Prueba de ritmo"));
        Assert.Equal("accepted", sms.State);

        var after = await manager.GetFromJsonAsync<JsonElement>("/api/messaging/senders");
        Assert.Equal((1, 1), (after.GetProperty("acceptedLastMinute").GetInt64(), after.GetProperty("acceptedLastHour").GetInt64()));
        Assert.Equal(JsonValueKind.String, after.GetProperty("senders")[0].GetProperty("nextSlotAt").ValueKind);

        using var researcher = new HttpClient { BaseAddress = new Uri(host.App.Url()) };
        researcher.DefaultRequestHeaders.Add(ApiKeyAuthenticationHandler.HeaderName, host.App.ApiKey(Roles.Researcher));
        Assert.Equal(HttpStatusCode.Forbidden, (await researcher.GetAsync("/api/messaging/senders")).StatusCode);
    }

    public async Task DisposeAsync() => await host.DisposeAsync();
}
