using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Reminders.ProviderSimulator.Tests.Infrastructure;
using Twilio.Exceptions;
using Twilio.Rest.Api.V2010.Account;
using Twilio.Types;

namespace Reminders.ProviderSimulator.Tests;

public partial class MessagesApiTests(SimulatorFixture fixture) : IClassFixture<SimulatorFixture>
{
    private const string ServiceSid = "MG0123456789abcdef0123456789abcdef";
    private const string MessagesPath = $"/2010-04-01/Accounts/{SimulatorHost.AccountSid}/Messages.json";

    private SimulatorHost Simulator => fixture.Simulator;

    [Fact]
    public async Task Created_message_comes_back_through_the_sdk_and_can_be_fetched()
    {
        var rest = Simulator.Twilio();
        var to = Phones.Next();
        var before = DateTime.UtcNow.AddSeconds(-1);

        var created = await MessageResource.CreateAsync(
            to: new PhoneNumber(to), from: new PhoneNumber(Phones.Sender), body: "¿Asistirá mañana?", client: rest);

        Assert.Matches("^SM[0-9a-f]{32}$", created.Sid);
        Assert.Equal(MessageResource.StatusEnum.Queued, created.Status);
        Assert.Equal("1", created.NumSegments);
        Assert.Equal(to, created.To);
        Assert.Equal(Phones.Sender, created.From.ToString());
        Assert.Equal(MessageResource.DirectionEnum.OutboundApi, created.Direction);
        Assert.InRange(created.DateCreated!.Value.ToUniversalTime(), before, DateTime.UtcNow.AddSeconds(1));

        var fetched = await MessageResource.FetchAsync(pathSid: created.Sid, client: rest);
        Assert.Equal(created.Sid, fetched.Sid);
        Assert.Equal("¿Asistirá mañana?", fetched.Body);
        Assert.NotNull(Simulator.Log.Find(created.Sid));
    }

    [Fact]
    public async Task Segments_reported_by_the_api_follow_the_encoding()
    {
        var rest = Simulator.Twilio();
        var gsm = await MessageResource.CreateAsync(to: new PhoneNumber(Phones.Next()), from: new PhoneNumber(Phones.Sender),
            body: new string('a', 161), client: rest);
        var ucs2 = await MessageResource.CreateAsync(to: new PhoneNumber(Phones.Next()), from: new PhoneNumber(Phones.Sender),
            body: "SÍ" + new string('a', 69), client: rest);

        Assert.Equal("2", gsm.NumSegments);
        Assert.Equal("2", ucs2.NumSegments);
        Assert.Equal(Segments.SmsEncoding.Ucs2, Simulator.Log.Find(ucs2.Sid)!.Encoding);
    }

    [Fact]
    public async Task Create_response_has_every_field_of_twilios_message_resource()
    {
        var response = await PostFormAsync(("To", Phones.Next()), ("From", Phones.Sender), ("Body", "Hola"));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType!.MediaType);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = json.RootElement;
        string[] fields =
        [
            "account_sid", "api_version", "body", "date_created", "date_sent", "date_updated", "direction", "error_code",
            "error_message", "from", "messaging_service_sid", "num_media", "num_segments", "price", "price_unit", "sid",
            "status", "subresource_uris", "to", "uri",
        ];
        Assert.Equal(fields, root.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        var sid = root.GetProperty("sid").GetString();
        Assert.Equal("2010-04-01", root.GetProperty("api_version").GetString());
        Assert.Equal("outbound-api", root.GetProperty("direction").GetString());
        Assert.Equal("0", root.GetProperty("num_media").GetString());
        Assert.Equal("1", root.GetProperty("num_segments").GetString());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("price").ValueKind);
        Assert.Equal(JsonValueKind.Null, root.GetProperty("error_code").ValueKind);
        Assert.Equal(JsonValueKind.Null, root.GetProperty("error_message").ValueKind);
        Assert.Equal($"/2010-04-01/Accounts/{SimulatorHost.AccountSid}/Messages/{sid}.json", root.GetProperty("uri").GetString());
        Assert.Equal($"/2010-04-01/Accounts/{SimulatorHost.AccountSid}/Messages/{sid}/Media.json",
            root.GetProperty("subresource_uris").GetProperty("media").GetString());
        foreach (var date in new[] { "date_created", "date_sent", "date_updated" })
        {
            Assert.Matches(Rfc2822(), root.GetProperty(date).GetString()!);
        }
    }

    [Fact]
    public async Task Message_sent_with_a_messaging_service_is_accepted_and_gets_a_sender_when_sent()
    {
        var rest = Simulator.Twilio();
        var created = await MessageResource.CreateAsync(
            to: new PhoneNumber(Phones.Next()), messagingServiceSid: ServiceSid, body: "Hola", client: rest);

        Assert.Equal(MessageResource.StatusEnum.Accepted, created.Status);
        Assert.Equal(ServiceSid, created.MessagingServiceSid);
        await Wait.Until(() => Simulator.Log.Find(created.Sid)!.Status == "delivered");
        var fetched = await MessageResource.FetchAsync(pathSid: created.Sid, client: rest);
        Assert.Equal(MessageResource.StatusEnum.Delivered, fetched.Status);
        Assert.Equal("+15005550006", fetched.From.ToString());
    }

    [Fact]
    public async Task Status_moves_from_queued_to_delivered_and_fetch_shows_it()
    {
        var rest = Simulator.Twilio();
        var created = await MessageResource.CreateAsync(to: new PhoneNumber(Phones.Next()), from: new PhoneNumber(Phones.Sender), body: "x", client: rest);

        await Wait.Until(() => Simulator.Log.Find(created.Sid)!.Status == "delivered");
        var fetched = await MessageResource.FetchAsync(pathSid: created.Sid, client: rest);
        Assert.Equal(MessageResource.StatusEnum.Delivered, fetched.Status);
        Assert.Null(fetched.ErrorCode);
        Assert.True(fetched.DateUpdated >= fetched.DateCreated);
    }

    [Fact]
    public async Task Fetching_an_unknown_sid_is_twilio_error_20404()
    {
        var error = await Assert.ThrowsAsync<ApiException>(() =>
            MessageResource.FetchAsync(pathSid: "SM00000000000000000000000000000000", client: Simulator.Twilio()));
        Assert.Equal(20404, error.Code);
        Assert.Equal(404, error.Status);
    }

    [Fact]
    public async Task List_by_recipient_and_day_pages_through_every_message_newest_first()
    {
        var rest = Simulator.Twilio();
        var to = Phones.Next();
        var sids = new List<string>();
        for (var i = 0; i < 7; i++)
        {
            sids.Add((await MessageResource.CreateAsync(to: new PhoneNumber(to), from: new PhoneNumber(Phones.Sender), body: $"m{i}", client: rest)).Sid);
        }
        await MessageResource.CreateAsync(to: new PhoneNumber(Phones.Next()), from: new PhoneNumber(Phones.Sender), body: "other", client: rest);

        var listed = await MessageResource.ReadAsync(to: new PhoneNumber(to), dateSent: DateTime.UtcNow.Date, pageSize: 3, client: rest);

        Assert.Equal(Enumerable.Reverse(sids), listed.Select(m => m.Sid));
    }

    [Fact]
    public async Task List_pages_link_to_the_next_page_until_the_last_one()
    {
        var to = Phones.Next();
        for (var i = 0; i < 5; i++)
        {
            await PostFormAsync(("To", to), ("From", Phones.Sender), ("Body", $"m{i}"));
        }

        var first = await GetJsonAsync($"{MessagesPath}?To={Uri.EscapeDataString(to)}&PageSize=2");
        Assert.Equal(0, first.GetProperty("page").GetInt32());
        Assert.Equal(2, first.GetProperty("page_size").GetInt32());
        Assert.Equal(0, first.GetProperty("start").GetInt32());
        Assert.Equal(1, first.GetProperty("end").GetInt32());
        Assert.Equal(JsonValueKind.Null, first.GetProperty("previous_page_uri").ValueKind);
        Assert.Equal($"{MessagesPath}?To=%2B{to[1..]}&PageSize=2&Page=0", first.GetProperty("first_page_uri").GetString());
        var next = first.GetProperty("next_page_uri").GetString()!;
        Assert.StartsWith($"{MessagesPath}?To=%2B{to[1..]}&PageSize=2&Page=1&PageToken=PASM", next, StringComparison.Ordinal);

        var second = await GetJsonAsync(next);
        Assert.Equal(1, second.GetProperty("page").GetInt32());
        Assert.Equal(2, second.GetProperty("start").GetInt32());
        Assert.Equal(3, second.GetProperty("end").GetInt32());
        var third = await GetJsonAsync(second.GetProperty("next_page_uri").GetString()!);
        Assert.Single(third.GetProperty("messages").EnumerateArray());
        Assert.Equal(JsonValueKind.Null, third.GetProperty("next_page_uri").ValueKind);

        var backToSecond = await GetJsonAsync(third.GetProperty("previous_page_uri").GetString()!);
        Assert.Equal(Sids(second), Sids(backToSecond));
        Assert.Equal(5, Sids(first).Concat(Sids(second)).Concat(Sids(third)).Distinct().Count());
    }

    [Fact]
    public async Task List_filters_on_date_sent_bounds_in_gmt()
    {
        var rest = Simulator.Twilio();
        var to = Phones.Next();
        var sid = (await MessageResource.CreateAsync(to: new PhoneNumber(to), from: new PhoneNumber(Phones.Sender), body: "x", client: rest)).Sid;
        var today = DateTime.UtcNow.Date;

        async Task<string[]> List(DateTime? on = null, DateTime? before = null, DateTime? after = null) =>
            (await MessageResource.ReadAsync(to: new PhoneNumber(to), dateSent: on, dateSentBefore: before, dateSentAfter: after, client: rest))
            .Select(m => m.Sid).ToArray();

        Assert.Equal([sid], await List(on: today));
        Assert.Empty(await List(on: today.AddDays(-1)));
        Assert.Equal([sid], await List(after: today));
        Assert.Empty(await List(after: DateTime.UtcNow.AddMinutes(1)));
        Assert.Equal([sid], await List(before: DateTime.UtcNow.AddMinutes(1)));
        Assert.Empty(await List(before: today.AddSeconds(-1)));

        var dayOnly = await GetJsonAsync($"{MessagesPath}?To={Uri.EscapeDataString(to)}&DateSent%3C={today:yyyy-MM-dd}");
        Assert.Single(dayOnly.GetProperty("messages").EnumerateArray());
    }

    [Fact]
    public async Task Wrong_auth_token_is_twilio_error_20003()
    {
        var error = await Assert.ThrowsAsync<ApiException>(() => MessageResource.CreateAsync(
            to: new PhoneNumber(Phones.Next()), from: new PhoneNumber(Phones.Sender), body: "x",
            client: Simulator.Twilio(authToken: "wrong")));

        Assert.Equal(20003, error.Code);
        Assert.Equal(401, error.Status);
    }

    [Fact]
    public async Task Missing_credentials_or_another_account_in_the_path_answer_401_with_twilios_body()
    {
        var anonymous = await Simulator.Http.PostAsync($"/2010-04-01/Accounts/{SimulatorHost.AccountSid}/Messages.json",
            new FormUrlEncodedContent([new("To", Phones.Next()), new("From", Phones.Sender), new("Body", "x")]));
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(
            """{"code":20003,"message":"Authenticate","more_info":"https://www.twilio.com/docs/errors/20003","status":401}""",
            await anonymous.Content.ReadAsStringAsync());

        using var request = new HttpRequestMessage(HttpMethod.Get, "/2010-04-01/Accounts/AC00000000000000000000000000000000/Messages.json");
        request.Headers.Authorization = BasicAuth();
        Assert.Equal(HttpStatusCode.Unauthorized, (await Simulator.Http.SendAsync(request)).StatusCode);
    }

    public static TheoryData<string, int> InvalidCreates => new()
    {
        { "From=%2B15005550006&Body=x", 21604 },
        { "To=5512345678&From=%2B15005550006&Body=x", 21211 },
        { "To=%2B525612345678&Body=x", 21603 },
        { "To=%2B525612345678&MessagingServiceSid=MG123&Body=x", 21701 },
        { "To=%2B525612345678&From=not_a_sender!&Body=x", 21212 },
        { "To=%2B525612345678&From=%2B15005550006", 21602 },
        { "To=%2B525612345678&From=%2B15005550006&Body=" + "a" + "&StatusCallback=not-a-url", 21609 },
        { "To=%2B525612345678&From=%2B15005550006&Body=x&ValidityPeriod=0", 21624 },
        { "To=%2B525612345678&From=%2B15005550006&Body=x&ValidityPeriod=36001", 21624 },
        { "To=%2B525612345678&From=%2B15005550006&Body=x&ValidityPeriod=ten", 21624 },
        { $"To={Phones.InvalidPrefix}1234&From=%2B15005550006&Body=x", 21211 },
        { $"To={Phones.LandlinePrefix}1234&From=%2B15005550006&Body=x", 21614 },
        { $"To={Phones.OptedOutPrefix}1234&From=%2B15005550006&Body=x", 21610 },
    };

    [Theory]
    [MemberData(nameof(InvalidCreates))]
    public async Task Invalid_create_is_refused_with_twilios_code_and_nothing_is_logged(string form, int code)
    {
        var before = Simulator.Log.Count;
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/2010-04-01/Accounts/{SimulatorHost.AccountSid}/Messages.json")
        {
            Content = new StringContent(form.Replace("+", "%2B", StringComparison.Ordinal), Encoding.UTF8, "application/x-www-form-urlencoded"),
        };
        request.Headers.Authorization = BasicAuth();

        var response = await Simulator.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(code, json.RootElement.GetProperty("code").GetInt32());
        Assert.Equal(400, json.RootElement.GetProperty("status").GetInt32());
        Assert.Equal($"https://www.twilio.com/docs/errors/{code}", json.RootElement.GetProperty("more_info").GetString());
        Assert.False(string.IsNullOrEmpty(json.RootElement.GetProperty("message").GetString()));
        Assert.Equal(before, Simulator.Log.Count);
    }

    [Fact]
    public async Task Sdk_surfaces_validation_errors_as_api_exception_codes()
    {
        var rest = Simulator.Twilio();
        var tooLong = await Assert.ThrowsAsync<ApiException>(() => MessageResource.CreateAsync(
            to: new PhoneNumber(Phones.Next()), from: new PhoneNumber(Phones.Sender), body: new string('a', 1601), client: rest));
        var notE164 = await Assert.ThrowsAsync<ApiException>(() => MessageResource.CreateAsync(
            to: new PhoneNumber("55 1234 5678"), from: new PhoneNumber(Phones.Sender), body: "x", client: rest));
        var noBody = await Assert.ThrowsAsync<ApiException>(() => MessageResource.CreateAsync(
            to: new PhoneNumber(Phones.Next()), from: new PhoneNumber(Phones.Sender), client: rest));
        var badValidity = await Assert.ThrowsAsync<ApiException>(() => MessageResource.CreateAsync(
            to: new PhoneNumber(Phones.Next()), from: new PhoneNumber(Phones.Sender), body: "x", validityPeriod: 36001, client: rest));

        Assert.Equal(21617, tooLong.Code);
        Assert.Equal(21211, notE164.Code);
        Assert.Equal(21602, noBody.Code);
        Assert.Equal(21624, badValidity.Code);
    }

    [Fact]
    public async Task Body_of_exactly_1600_characters_is_accepted()
    {
        var created = await MessageResource.CreateAsync(
            to: new PhoneNumber(Phones.Next()), from: new PhoneNumber(Phones.Sender), body: new string('a', 1600), validityPeriod: 36000,
            client: Simulator.Twilio());
        Assert.Equal("11", created.NumSegments);
    }

    [Fact]
    public async Task Concurrent_creates_from_several_clients_are_all_logged_once()
    {
        var clients = Enumerable.Range(0, 4).Select(_ => Simulator.Twilio()).ToArray();
        var to = Phones.Next();

        var created = await Task.WhenAll(Enumerable.Range(0, 400).Select(i => MessageResource.CreateAsync(
            to: new PhoneNumber(to), from: new PhoneNumber($"+1500555{i % 4:D4}"), body: $"m{i}", client: clients[i % 4])));

        Assert.Equal(400, created.Select(m => m.Sid).Distinct().Count());
        Assert.Equal(400, Simulator.Log.Snapshot(to).Count);
    }

    private static AuthenticationHeaderValue BasicAuth() =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{SimulatorHost.AccountSid}:{SimulatorHost.AuthToken}")));

    private async Task<HttpResponseMessage> PostFormAsync(params (string Name, string Value)[] fields)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/2010-04-01/Accounts/{SimulatorHost.AccountSid}/Messages.json")
        {
            Content = new FormUrlEncodedContent(fields.Select(f => new KeyValuePair<string, string>(f.Name, f.Value))),
        };
        request.Headers.Authorization = BasicAuth();
        return await Simulator.Http.SendAsync(request);
    }

    private static IEnumerable<string?> Sids(JsonElement page) =>
        page.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("sid").GetString());

    private async Task<JsonElement> GetJsonAsync(string pathAndQuery)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, pathAndQuery);
        request.Headers.Authorization = BasicAuth();
        var response = await Simulator.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    [GeneratedRegex(@"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} \+0000$")]
    private static partial Regex Rfc2822();
}
