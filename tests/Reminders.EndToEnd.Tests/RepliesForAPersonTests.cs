using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Reminders.Contracts;
using Reminders.Local;
using Reminders.Messaging.Delivery;
using Reminders.Platform.Auth;

namespace Reminders.EndToEnd.Tests;

/// <summary>
/// The replies a person must read (free text, help requests, a number no officer has) are listed until a manager marks
/// them handled, which records who (the principal's name), when and a note. Keyword replies the system acted on need no one.
/// </summary>
public sealed class RepliesForAPersonTests(SeededLocalHostFixture seeded) : IClassFixture<SeededLocalHostFixture>
{
    static int nextPhone = 3000;
    WebApplication App => seeded.Host.App;

    Task<EnrolledOfficer> EnrollAsync() =>
        App.EnrollAsync(seeded.Flow.ArmBySector.First(a => a.Value == StudyArms.Treatment).Key, $"+52550000{Interlocked.Increment(ref nextPhone)}");

    /// <summary>Posts a reply as the provider would and returns its id in Messaging once it is classified.</summary>
    async Task<long> ReplyAsync(string from, string body)
    {
        var sid = SmsSteps.NewMessageSid();
        Assert.Equal(HttpStatusCode.OK, await App.PostReplyAsync(sid, from, body));
        return (await SmsSteps.WaitForAsync(() => App.QueryAsync<long>("messaging", "SELECT id FROM inbound_sms WHERE provider_sid = @sid AND category IS NOT NULL", new { sid }),
            ids => ids.Count == 1, $"reply {sid} was never classified"))[0];
    }

    HttpClient Http(string role)
    {
        var http = new HttpClient { BaseAddress = new Uri(App.Url()) };
        http.DefaultRequestHeaders.Add("X-Api-Key", App.ApiKey(role));
        return http;
    }

    async Task<List<SmsApi.InboundView>> InboundAsync(string query)
    {
        using var http = Http(Roles.Manager);
        using var response = await http.GetAsync($"/api/messaging/inbound?{query}");
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{query}: {(int)response.StatusCode} {body}");
        return JsonSerializer.Deserialize<List<SmsApi.InboundView>>(body, JsonSerializerOptions.Web)!;
    }

    async Task<HttpResponseMessage> HandleAsync(long id, string? note, string role = Roles.Manager)
    {
        using var http = Http(role);
        return await http.PostAsJsonAsync($"/api/messaging/inbound/{id}/handled", new { note });
    }

    static async Task<JsonElement> ProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"{(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return JsonSerializer.Deserialize<JsonElement>(text);
    }

    [Fact]
    public async Task Free_text_is_listed_unhandled_until_a_manager_marks_it_handled_with_their_name_the_time_and_a_note()
    {
        var officer = await EnrollAsync();
        var id = await ReplyAsync(officer.Phone, "No puedo ir el martes, tengo turno");
        Assert.Contains(await InboundAsync("category=other&handled=false"), r => r.Id == id);
        var before = App.StudyNow();

        using var response = await HandleAsync(id, "Se le cambió a la cohorte del jueves");

        var handled = await response.Content.ReadFromJsonAsync<SmsApi.InboundView>();
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        Assert.Equal((id, "local-manager", "Se le cambió a la cohorte del jueves"), (handled!.Id, handled.HandledBy, handled.HandledNote));
        Assert.InRange(handled.HandledAt!.Value, before.AddSeconds(-1), App.StudyNow().AddSeconds(1));
        Assert.DoesNotContain(await InboundAsync("category=other&handled=false"), r => r.Id == id);
        var listed = Assert.Single(await InboundAsync("category=other&handled=true"), r => r.Id == id);
        Assert.Equal(("local-manager", "Se le cambió a la cohorte del jueves"), (listed.HandledBy, listed.HandledNote));
        Assert.Equal(officer.Id, listed.OfficerId);
    }

    [Fact]
    public async Task A_help_request_and_a_reply_from_an_unknown_number_can_be_handled_without_a_note()
    {
        var officer = await EnrollAsync();
        var help = await ReplyAsync(officer.Phone, "AYUDA");
        var stranger = await ReplyAsync("+525599990000", "Quien habla?");
        Assert.Contains(await InboundAsync("category=help&handled=false"), r => r.Id == help);

        Assert.Equal(HttpStatusCode.OK, (await HandleAsync(help, null)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await HandleAsync(stranger, "")).StatusCode);

        Assert.DoesNotContain(await InboundAsync("handled=false"), r => r.Id == help || r.Id == stranger);
        Assert.Equal(("local-manager", (string?)null), (await InboundAsync("category=help&handled=true")).Where(r => r.Id == help).Select(r => (r.HandledBy, r.HandledNote)).Single());
    }

    [Fact]
    public async Task A_keyword_reply_the_system_acted_on_needs_no_person_and_is_409()
    {
        var officer = await EnrollAsync();
        var ok = await ReplyAsync(officer.Phone, "OK");

        var problem = await ProblemAsync(await HandleAsync(ok, "visto"), HttpStatusCode.Conflict);

        Assert.Equal("id", problem.GetProperty("field").GetString());
        Assert.Contains("acknowledge", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task A_reply_already_handled_is_409_naming_who_handled_it_and_keeps_the_first_note()
    {
        var officer = await EnrollAsync();
        var id = await ReplyAsync(officer.Phone, "Gracias por avisar");
        Assert.Equal(HttpStatusCode.OK, (await HandleAsync(id, "primera")).StatusCode);

        var problem = await ProblemAsync(await HandleAsync(id, "segunda"), HttpStatusCode.Conflict);

        Assert.Contains("local-manager", problem.GetProperty("detail").GetString());
        Assert.Equal("primera", Assert.Single(await InboundAsync("category=other&handled=true"), r => r.Id == id).HandledNote);
    }

    [Fact]
    public async Task An_unknown_reply_is_404_naming_it_a_long_note_is_400_and_a_bad_filter_is_400()
    {
        var officer = await EnrollAsync();
        var id = await ReplyAsync(officer.Phone, "Donde queda la sede?");

        var unknown = await ProblemAsync(await HandleAsync(999_999_999, "x"), HttpStatusCode.NotFound);
        var tooLong = await ProblemAsync(await HandleAsync(id, new string('x', 1001)), HttpStatusCode.BadRequest);
        using var http = Http(Roles.Manager);
        var badHandled = await ProblemAsync(await http.GetAsync("/api/messaging/inbound?handled=maybe"), HttpStatusCode.BadRequest);

        Assert.Equal("id", unknown.GetProperty("field").GetString());
        Assert.Contains("999999999", unknown.GetProperty("detail").GetString());
        Assert.Equal("note", tooLong.GetProperty("field").GetString());
        Assert.Contains("handled", badHandled.ToString());
        Assert.Contains(await InboundAsync("category=other&handled=false"), r => r.Id == id);
    }

    [Fact]
    public async Task Only_a_manager_marks_a_reply_handled()
    {
        var officer = await EnrollAsync();
        var id = await ReplyAsync(officer.Phone, "Llego tarde");

        Assert.Equal(HttpStatusCode.Forbidden, (await HandleAsync(id, "x", Roles.Trainer)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await HandleAsync(id, "x", Roles.Researcher)).StatusCode);
        Assert.Contains(await InboundAsync("category=other&handled=false"), r => r.Id == id);
    }

    [Fact]
    public async Task A_reply_from_a_phone_handed_from_an_inactive_officer_to_a_new_one_goes_to_the_new_one()
    {
        var leaving = await EnrollAsync();
        using (var http = Http(Roles.Manager))
        using (var inactive = await http.PostAsJsonAsync($"/api/enrollment/officers/{leaving.Id}/status", new { status = OfficerStatuses.Inactive, reason = "dejó la unidad" }))
            Assert.True(inactive.IsSuccessStatusCode, await inactive.Content.ReadAsStringAsync());
        await SmsSteps.WaitForAsync(() => App.QueryAsync<string>("messaging", "SELECT status FROM officer_statuses WHERE officer_id = @id", new { id = leaving.Id }),
            s => s.Count == 1 && s[0] == OfficerStatuses.Inactive, "Messaging never learned the officer left");
        // The unit gives the phone to a new officer: both records hold it for a while.
        var joining = await App.EnrollAsync(seeded.Flow.ArmBySector.First(a => a.Value == StudyArms.Treatment).Key, leaving.Phone, badge: $"E2E-NEW-{leaving.Phone[^4..]}");
        Assert.Equal(2, (await App.QueryAsync<Guid>("messaging", "SELECT officer_id FROM contacts WHERE phone_e164 = @phone", new { phone = leaving.Phone })).Count);

        var id = await ReplyAsync(leaving.Phone, "¿A qué hora es la capacitación?");

        var reply = Assert.Single(await InboundAsync("category=other&handled=false"), r => r.Id == id);
        Assert.Equal(joining.Id, reply.OfficerId);
    }
}
