using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CsvHelper;
using CsvHelper.Configuration;
using Reminders.ProviderSimulator.Tests.Infrastructure;
using Twilio.Exceptions;
using Twilio.Rest.Api.V2010.Account;
using Twilio.Types;

namespace Reminders.ProviderSimulator.Tests;

public class LogTests(SimulatorFixture fixture) : IClassFixture<SimulatorFixture>
{
    private const string Header = "sid,from,to,body,segments,status,accepted_at,encoding,error_code,status_updated_at,messaging_service_sid";

    private static readonly string[] TrickyBodies =
    [
        "Capacitación, mañana 9:00",
        "Dijo \"si\", luego \"no\"",
        "línea 1\nlínea 2\r\nlínea 3",
        "\"",
        ",",
        " espacios al borde ",
        "¿Asistirá? ¡Gracias! ñandú Ü €uro {x} [y] ~|^\\",
        "Confirmado \U0001F44D",
    ];

    [Fact]
    public async Task Csv_log_round_trips_bodies_with_commas_quotes_newlines_and_accents()
    {
        var to = Phones.Next();
        var sids = await SendAllAsync(to);

        var response = await fixture.Simulator.Http.GetAsync($"/simulator/messages.csv?to={Uri.EscapeDataString(to)}");

        Assert.Equal("text/csv", response.Content.Headers.ContentType!.MediaType);
        var csv = await response.Content.ReadAsStringAsync();
        Assert.StartsWith(Header + "\r\n", csv, StringComparison.Ordinal);
        var rows = Parse(csv);
        Assert.Equal(sids, rows.Select(r => r["sid"]));
        Assert.Equal(TrickyBodies, rows.Select(r => r["body"]));
        Assert.All(rows, r => Assert.Equal(to, r["to"]));
        Assert.All(rows, r => Assert.Equal(Phones.Sender, r["from"]));
        Assert.All(rows, r => Assert.Equal(TimeSpan.Zero, DateTimeOffset.Parse(r["accepted_at"], CultureInfo.InvariantCulture).Offset));
        Assert.All(rows, r => Assert.EndsWith("Z", r["accepted_at"], StringComparison.Ordinal));
        Assert.Equal("UCS-2", rows[0]["encoding"]);
        Assert.Equal("GSM-7", rows[1]["encoding"]);
        Assert.All(rows, r => Assert.Equal(fixture.Simulator.Log.Find(r["sid"])!.Segments.ToString(CultureInfo.InvariantCulture), r["segments"]));
    }

    [Fact]
    public async Task Log_file_gets_every_accepted_message_and_no_refused_one()
    {
        var to = Phones.Next();
        var sids = await SendAllAsync(to);
        await Assert.ThrowsAsync<ApiException>(() => MessageResource.CreateAsync(
            to: new PhoneNumber(to), from: new PhoneNumber(Phones.Sender), client: fixture.Simulator.Twilio()));

        List<Dictionary<string, string>> mine = [];
        await Wait.Until(() =>
        {
            mine = Parse(ReadShared(fixture.LogPath)).Where(r => r["to"] == to).ToList();
            return mine.Count >= sids.Count;
        });

        Assert.StartsWith(Header + "\r\n", ReadShared(fixture.LogPath), StringComparison.Ordinal);
        Assert.Equal(sids, mine.Select(r => r["sid"]));
        Assert.Equal(TrickyBodies, mine.Select(r => r["body"]));
        Assert.All(mine, r => Assert.Equal("queued", r["status"]));
    }

    [Fact]
    public async Task Messages_route_lists_the_log_as_json_filtered_by_recipient()
    {
        var to = Phones.Next();
        var sids = await SendAllAsync(to);
        await Wait.Until(() => fixture.Simulator.Log.Snapshot(to).All(m => m.Status == "delivered"));

        var messages = await fixture.Simulator.Http.GetFromJsonAsync<JsonElement[]>($"/simulator/messages?to={Uri.EscapeDataString(to)}");

        Assert.Equal(sids, messages!.Select(m => m.GetProperty("sid").GetString()));
        var first = messages![0];
        Assert.Equal(TrickyBodies[0], first.GetProperty("body").GetString());
        Assert.Equal("delivered", first.GetProperty("status").GetString());
        Assert.Equal("UCS-2", first.GetProperty("encoding").GetString());
        Assert.Equal(1, first.GetProperty("segments").GetInt32());
        Assert.Equal(JsonValueKind.Null, first.GetProperty("errorCode").ValueKind);
        Assert.True(first.GetProperty("statusUpdatedAt").GetDateTimeOffset() >= first.GetProperty("acceptedAt").GetDateTimeOffset());

        var one = await fixture.Simulator.Http.GetFromJsonAsync<JsonElement>($"/simulator/messages/{sids[0]}");
        Assert.Equal(sids[0], one.GetProperty("sid").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await fixture.Simulator.Http.GetAsync("/simulator/messages/SMnope")).StatusCode);
    }

    [Fact]
    public async Task Stats_count_accepted_refusals_by_reason_and_statuses_and_reset_clears_them()
    {
        await using var simulator = await SimulatorHost.StartAsync(new Dictionary<string, string?>
        {
            ["Simulator:MessagesPerSecondPerSender"] = "2",
            ["Simulator:Outcomes:OptedOut:0"] = Phones.OptedOutPrefix,
        });
        var rest = simulator.Twilio();
        var sent = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            try
            {
                sent.Add((await MessageResource.CreateAsync(to: new PhoneNumber(Phones.Next()), from: new PhoneNumber(Phones.Sender), body: "x", client: rest)).Sid);
            }
            catch (ApiException e) when (e.Code == 20429)
            {
            }
        }
        await Assert.ThrowsAsync<ApiException>(() => MessageResource.CreateAsync(
            to: new PhoneNumber(Phones.WithPrefix(Phones.OptedOutPrefix)), from: new PhoneNumber(Phones.NextSender()), body: "x", client: rest));
        await Assert.ThrowsAsync<ApiException>(() => MessageResource.CreateAsync(
            to: new PhoneNumber(Phones.Next()), from: new PhoneNumber(Phones.Sender), body: "x", client: simulator.Twilio(authToken: "bad")));
        await Wait.Until(() => simulator.Log.Snapshot().All(m => m.Status == "delivered"));

        var stats = await simulator.Http.GetFromJsonAsync<JsonElement>("/simulator/stats");

        Assert.True(sent.Count >= 2);
        Assert.Equal(sent.Count, stats.GetProperty("accepted").GetInt32());
        Assert.Equal(sent.Count, stats.GetProperty("byStatus").GetProperty("delivered").GetInt32());
        var rejected = stats.GetProperty("rejected");
        Assert.Equal(1, rejected.GetProperty("21610").GetInt64());
        Assert.Equal(1, rejected.GetProperty("20003").GetInt64());
        Assert.Equal(3 - sent.Count, rejected.TryGetProperty("20429", out var limited) ? limited.GetInt64() : 0);

        Assert.Equal(HttpStatusCode.NoContent, (await simulator.Http.DeleteAsync("/simulator/messages")).StatusCode);
        var cleared = await simulator.Http.GetFromJsonAsync<JsonElement>("/simulator/stats");
        Assert.Equal(0, cleared.GetProperty("accepted").GetInt32());
        Assert.Equal(0, cleared.GetProperty("rejectedTotal").GetInt64());
        Assert.Equal(0, simulator.Log.Count);
        await MessageResource.CreateAsync(to: new PhoneNumber(Phones.Next()), from: new PhoneNumber(Phones.Sender), body: "x", client: rest);
    }

    private async Task<List<string>> SendAllAsync(string to)
    {
        var rest = fixture.Simulator.Twilio();
        var sids = new List<string>();
        foreach (var body in TrickyBodies)
        {
            sids.Add((await MessageResource.CreateAsync(to: new PhoneNumber(to), from: new PhoneNumber(Phones.Sender), body: body, client: rest)).Sid);
        }
        return sids;
    }

    private static string ReadShared(string path)
    {
        if (!File.Exists(path))
        {
            return "";
        }
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        return new StreamReader(stream).ReadToEnd();
    }

    private static List<Dictionary<string, string>> Parse(string csv)
    {
        if (csv.Length == 0)
        {
            return [];
        }
        using var reader = new CsvReader(new StringReader(csv), new CsvConfiguration(CultureInfo.InvariantCulture) { TrimOptions = TrimOptions.None });
        reader.Read();
        reader.ReadHeader();
        var header = reader.HeaderRecord!;
        var rows = new List<Dictionary<string, string>>();
        while (reader.Read())
        {
            rows.Add(header.ToDictionary(h => h, h => reader.GetField(h)!));
        }
        return rows;
    }
}
