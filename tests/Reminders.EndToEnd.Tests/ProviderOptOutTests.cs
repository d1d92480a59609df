using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Reminders.Contracts;
using Reminders.Local;
using Reminders.Protocol;
using Reminders.ProviderSimulator.Log;

namespace Reminders.EndToEnd.Tests;

/// <summary>
/// STOP and START as the provider sees them. The officer's replies go through the simulator, which blocks the number
/// like Twilio (STOP family until START, UNSTOP or YES; our BAJA and ALTA neither block nor unblock there). After any
/// sequence, Enrollment's record of the provider's block is what the provider does to one more send, and an officer
/// is active only where the provider would take the SMS.
/// </summary>
public sealed class ProviderOptOutTests(SeededLocalHostFixture seeded) : IClassFixture<SeededLocalHostFixture>
{
    static int nextPhone = 1000;
    static readonly string[] KeywordConsumers = ["SmsOptOutRequestedConsumer", "SmsOptInRequestedConsumer"];
    WebApplication App => seeded.Host.App;
    KeywordRules Keywords => App.Services.GetRequiredService<StudyProtocol>().Keywords;

    Task<EnrolledOfficer> EnrollAsync() =>
        App.EnrollAsync(seeded.Flow.ArmBySector.First(a => a.Value == StudyArms.Treatment).Key, NextPhone());

    static string NextPhone() => $"+52551000{Interlocked.Increment(ref nextPhone)}";

    Task<long> KeywordEventsHandledAsync() =>
        App.QueryAsync<long>("enrollment", "SELECT COUNT(*) FROM inbox_messages WHERE consumer IN @KeywordConsumers", new { KeywordConsumers })
            .ContinueWith(t => t.Result[0]);

    /// <summary>The officer's phone texts <paramref name="body"/> to our sender, through the simulator as a phone would.</summary>
    async Task<string> TextAsync(string phone, string body)
    {
        using var http = App.SimulatorHttp();
        using var response = await http.PostAsJsonAsync("/simulator/replies", new { from = phone, to = App.Configuration["Messaging:Twilio:From"], body });
        var delivery = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(response.StatusCode == HttpStatusCode.OK && delivery.GetProperty("receiverStatus").GetInt32() == 200, delivery.ToString());
        return delivery.GetProperty("messageSid").GetString()!;
    }

    /// <summary>One create at the provider from our sender: null when taken, else Twilio's error code (21610: blocked).</summary>
    async Task<int?> ProviderAnswerAsync(string phone)
    {
        using var http = new HttpClient { BaseAddress = new Uri(App.Url()) };
        var account = App.Configuration["Simulator:AccountSid"];
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/2010-04-01/Accounts/{account}/Messages.json")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["To"] = phone, ["From"] = App.Configuration["Messaging:Twilio:From"]!, ["Body"] = $"Prueba {Guid.NewGuid():N}",
            }),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.ASCII.GetBytes($"{account}:{App.Configuration["Simulator:AuthToken"]}")));
        using var response = await http.SendAsync(request);
        if (response.IsSuccessStatusCode) return null;
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetInt32();
    }

    Task<bool> BlockedAtProviderInEnrollmentAsync(Guid officerId) =>
        App.QueryAsync<bool>("enrollment", "SELECT sms_blocked_at_provider FROM officers WHERE id = @id", new { id = officerId.ToString() })
            .ContinueWith(t => t.Result.Single());

    /// <summary>Texts each keyword in turn, waiting each time until Enrollment has handled what it caused.</summary>
    async Task TextInTurnAsync(EnrolledOfficer officer, string[] sequence)
    {
        foreach (var keyword in sequence)
        {
            var handled = await KeywordEventsHandledAsync();
            await TextAsync(officer.Phone, keyword);
            await SmsSteps.WaitForAsync(KeywordEventsHandledAsync, n => n > handled, $"Enrollment never handled {keyword}");
            await App.SettleAsync(officer);
        }
    }

    [Theory]
    [InlineData(new[] { "BAJA", "ALTA" }, false, OfficerStatuses.Active)]
    [InlineData(new[] { "STOP", "ALTA" }, true, OfficerStatuses.SmsOptedOut)]
    [InlineData(new[] { "STOP", "START" }, false, OfficerStatuses.Active)]
    [InlineData(new[] { "BAJA", "START" }, false, OfficerStatuses.Active)]
    [InlineData(new[] { "STOP", "ALTA", "START" }, false, OfficerStatuses.Active)]
    [InlineData(new[] { "BAJA", "STOP", "ALTA" }, true, OfficerStatuses.SmsOptedOut)]
    [InlineData(new[] { "STOP", "BAJA", "START" }, false, OfficerStatuses.Active)]
    [InlineData(new[] { "START", "STOP" }, true, OfficerStatuses.SmsOptedOut)]
    [InlineData(new[] { "START" }, false, OfficerStatuses.Active)]
    [InlineData(new[] { "UNSTOP" }, false, OfficerStatuses.Active)]
    [InlineData(new[] { "YES" }, false, OfficerStatuses.Active)]
    [InlineData(new[] { "STOP", "UNSTOP" }, false, OfficerStatuses.Active)]
    [InlineData(new[] { "STOP", "YES" }, false, OfficerStatuses.Active)]
    [InlineData(new[] { "STOPALL" }, true, OfficerStatuses.SmsOptedOut)]
    [InlineData(new[] { "unsubscribe", "alta" }, true, OfficerStatuses.SmsOptedOut)]
    [InlineData(new[] { "Cancel", "Alta", "Yes" }, false, OfficerStatuses.Active)]
    [InlineData(new[] { "QUIT", "END", "ALTA" }, true, OfficerStatuses.SmsOptedOut)]
    // Ours only: the officer is opted out with us, the provider would still take an SMS.
    [InlineData(new[] { "BAJA" }, false, OfficerStatuses.SmsOptedOut)]
    [InlineData(new[] { "STOP", "START", "CANCELAR" }, false, OfficerStatuses.SmsOptedOut)]
    public async Task After_any_sequence_of_keywords_Enrollment_says_what_the_provider_will_do(string[] sequence, bool blocked, string status)
    {
        var officer = await EnrollAsync();

        await TextInTurnAsync(officer, sequence);

        var providerAnswer = await ProviderAnswerAsync(officer.Phone);
        Assert.Equal(blocked ? 21610 : null, providerAnswer);
        Assert.Equal(providerAnswer == 21610, await BlockedAtProviderInEnrollmentAsync(officer.Id));
        Assert.Equal(status, await App.EnrollmentStatusAsync(officer.Id));
        // Active only where the provider would take the SMS.
        Assert.False(providerAnswer == 21610 && status == OfficerStatuses.Active);
    }

    [Fact]
    public async Task STOP_is_not_confirmed_by_us_because_the_provider_answers_it_and_would_refuse_ours()
    {
        var officer = await EnrollAsync();

        var sid = await TextAsync(officer.Phone, "STOP");
        await App.WaitForEnrollmentStatusAsync(officer.Id, OfficerStatuses.SmsOptedOut);
        await App.SettleAsync(officer);

        var inbound = await App.InboundAsync(sid);
        Assert.Equal(("opt_out", (string?)null), (inbound!.Category, inbound.ReplySmsId));
        Assert.Empty(await App.QueryAsync<string>("messaging", "SELECT state FROM outbound_sms WHERE officer_id = @id", new { id = officer.Id.ToString() }));
    }

    [Fact]
    public async Task ALTA_or_AYUDA_while_blocked_at_the_provider_is_not_answered_since_the_provider_would_refuse_it()
    {
        var officer = await EnrollAsync();
        await TextInTurnAsync(officer, ["STOP", "ALTA"]);

        var help = await TextAsync(officer.Phone, "AYUDA");
        await App.SettleAsync(officer);

        Assert.Equal(("help", (string?)null), ((await App.InboundAsync(help))!.Category, (await App.InboundAsync(help))!.ReplySmsId));
        Assert.Empty(await App.QueryAsync<string>("messaging", "SELECT state FROM outbound_sms WHERE officer_id = @id", new { id = officer.Id.ToString() }));
        Assert.Empty(App.Services.GetRequiredService<SimulatorLog>().Snapshot(officer.Phone));
    }

    [Fact]
    public async Task After_START_lifts_a_STOP_a_BAJA_is_confirmed_with_the_text_that_names_ALTA()
    {
        var officer = await EnrollAsync();
        await TextInTurnAsync(officer, ["STOP", "START"]);

        var sid = await TextAsync(officer.Phone, "BAJA");
        await App.WaitForEnrollmentStatusAsync(officer.Id, OfficerStatuses.SmsOptedOut);

        var confirmation = await App.SettledAsync(Guid.Parse((await App.InboundAsync(sid))!.ReplySmsId!));
        Assert.Equal(("accepted", Keywords.OptOutConfirmation.Officer.Render()), (confirmation.State, confirmation.Body));
        Assert.Contains("ALTA", confirmation.Body);
    }

    [Fact]
    public async Task A_number_blocked_at_the_provider_before_enrollment_is_learned_from_21610_and_only_START_lifts_it()
    {
        var phone = NextPhone();
        // Texted STOP to our sender before the study knew the number: Messaging keeps it as an unknown sender.
        await TextAsync(phone, "STOP");
        var officer = await App.EnrollAsync(seeded.Flow.ArmBySector.First(a => a.Value == StudyArms.Treatment).Key, phone);

        var refused = await App.SettledAsync(await App.SendSmsAsync(officer.Id, SmsPurposes.Manual, $"Aviso {Guid.NewGuid():N}"));
        Assert.Equal(("failed", 21610L), (refused.State, refused.ErrorCode));
        await App.WaitForEnrollmentStatusAsync(officer.Id, OfficerStatuses.SmsOptedOut);
        await SmsSteps.WaitForAsync(() => BlockedAtProviderInEnrollmentAsync(officer.Id), b => b, "Enrollment never learned the provider's block");

        await TextInTurnAsync(officer, ["ALTA"]);
        Assert.Equal(OfficerStatuses.SmsOptedOut, await App.EnrollmentStatusAsync(officer.Id));
        Assert.Equal(21610, await ProviderAnswerAsync(officer.Phone));

        await TextInTurnAsync(officer, ["START"]);
        Assert.Equal(OfficerStatuses.Active, await App.EnrollmentStatusAsync(officer.Id));
        Assert.Null(await ProviderAnswerAsync(officer.Phone));
    }
}
