using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Dapper;
using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Reminders.Contracts;
using Reminders.Enrollment.Roster;
using Reminders.Local;
using Reminders.Local.Sample;
using Reminders.Messaging;
using Reminders.Platform.Csv;
using Reminders.Platform.Data;
using Reminders.Platform.Hosting;
using Reminders.Protocol;
using Reminders.Web.Components.Shared;

namespace Reminders.Console.Tests;

/// <summary>
/// Issue 14 in the delivery monitor: what Messaging could not do yet, each made to happen for real on the local host and
/// read on the page in a coordinator's words. An SMS the provider may hold twice waits for a person (two messages with its
/// text already at the provider, then a 500); the provider refuses the credentials, and a prominent alert says sending is
/// paused and nothing is lost; at 20:30 a reminder is held by quiet hours, with when it goes and its deadline.
/// One test: the states build on each other, and the clock only moves forward.
/// </summary>
public sealed class DeliveryHoldsPageTests(ConsoleFixture fixture) : IClassFixture<ConsoleFixture>
{
    static readonly StudyProtocol Protocol = ProtocolLoader.LoadDefault();

    IServiceProvider Services => fixture.Services.Services;

    [Fact]
    public async Task The_delivery_monitor_shows_an_sms_in_doubt_a_sender_paused_for_its_credentials_and_a_reminder_held_by_quiet_hours()
    {
        var (inDoubt, paused, held) = await ThreeTreatmentOfficersAsync();
        using var simulator = new HttpClient { BaseAddress = new Uri(fixture.Services.Url()) };
        simulator.DefaultRequestHeaders.Add("X-Simulator-Key", fixture.Services.SimulatorKey());

        // In doubt: two messages with its text reach the number from outside Messaging just before it, then the provider answers 500.
        var doubtBody = $"Aviso manual en duda {Guid.NewGuid():N}";
        await CreateAtProviderAsync(inDoubt.Phone, doubtBody);
        await CreateAtProviderAsync(inDoubt.Phone, doubtBody);
        (await simulator.PostAsJsonAsync("/simulator/faults", new { kind = "error500", count = 1 })).EnsureSuccessStatusCode();
        var doubtId = await SendAsync(new SendSms(Guid.NewGuid(), inDoubt.Id, SmsPurposes.Manual, doubtBody, Now()));
        var candidates = await EventuallyAsync(() => OutboundAsync(doubtId), r => r.State == "in_doubt_ambiguous", "The SMS never waited for a person");
        var sids = candidates.Candidates!.Split(',');
        Assert.Equal(2, sids.Length);

        // Paused: the provider refuses the credentials for a day of study time (the clock jumps hours ahead below).
        (await simulator.PostAsJsonAsync("/simulator/faults", new { kind = "credentialsRefused", forMs = 86_400_000 })).EnsureSuccessStatusCode();
        var pausedAt = Now();
        var pausedId = await SendAsync(new SendSms(Guid.NewGuid(), paused.Id, SmsPurposes.Manual, $"Aviso manual en pausa {Guid.NewGuid():N}", Now()));
        var pause = await EventuallyAsync(async () => await fixture.Manager.GetFromJsonAsync<JsonElement>("/api/messaging/senders"),
            s => s.TryGetProperty("credentialsPaused", out var p) && p.ValueKind == JsonValueKind.Object, "Sending never paused");
        var since = pause.GetProperty("credentialsPaused").GetProperty("since").GetDateTimeOffset();
        Assert.Contains("20003", pause.GetProperty("credentialsPaused").GetProperty("reason").GetString());
        Assert.True(since >= pausedAt);

        // Held: at 20:30 a reminder reaches Messaging, to go at 09:00 if its late window (until 11:00) is still open then.
        var zone = Protocol.TimeZone;
        var evening = NextLocal(new TimeOnly(20, 30), Now(), zone);
        ((StudyClock)Services.GetRequiredService<TimeProvider>()).JumpTo(evening);
        var opens = Protocol.QuietHours.NextAllowed(evening, zone);
        var sendBy = opens.AddHours(2);
        var heldId = await SendAsync(new SendSms(Guid.NewGuid(), held.Id, SmsPurposes.Reminder, $"Recordatorio retenido {Guid.NewGuid():N}", Now(), SendBy: sendBy));
        await EventuallyAsync(() => OutboundAsync(heldId), r => r.State == "deferred", "The reminder was never held by quiet hours");

        await using var page = await fixture.SignInAsync("ana");
        var p = page.Page;
        await p.GotoAsync("/delivery");

        var alert = p.GetByRole(AriaRole.Alert).Filter(new() { HasText = "El envío está en pausa" });
        await Assertions.Expect(alert).ToContainTextAsync(
            $"El envío está en pausa: el proveedor rechaza las credenciales desde las {ZoneClock.Time(since, ZoneClock.DefaultZone)}, hora de Ciudad de México " +
            "(motivo: no acepta la cuenta o la clave de acceso). Ningún SMS se pierde; el envío sigue solo cuando las credenciales funcionen.");
        await Assertions.Expect(alert).ToContainTextAsync("Detalle técnico: 20003");
        await Assertions.Expect(alert).ToContainTextAsync("avise al equipo técnico");
        // Prominent: above the page's sections, right under the title.
        var alertTop = (await alert.BoundingBoxAsync())!.Y;
        Assert.True(alertTop < (await p.GetByRole(AriaRole.Navigation, new() { Name = "Secciones de esta página" }).BoundingBoxAsync())!.Y);

        var now = p.GetByRole(AriaRole.Region, new() { Name = "Ahora" });
        var heldCount = (await fixture.Manager.GetFromJsonAsync<JsonElement>("/api/messaging/sms/summary")).GetProperty("deferred").GetInt64();
        Assert.True(heldCount >= 1);
        await Assertions.Expect(now).ToContainTextAsync("ya llegaron al servicio de mensajes, que los retiene hasta que abra el horario");
        var heldRow = now.GetByRole(AriaRole.Row).Filter(new() { HasText = "Recordatorio" });
        await Assertions.Expect(heldRow).ToHaveCountAsync(1);
        var culture = System.Globalization.CultureInfo.GetCultureInfo("es-MX");
        await Assertions.Expect(heldRow).ToContainTextAsync(
            $"Sale el {ZoneClock.Moment(opens, zone.Id, ZoneDate.Short, culture: culture)}, o se omite si no sale antes del {ZoneClock.Moment(sendBy, zone.Id, ZoneDate.Short, culture: culture)}.");
        await Assertions.Expect(heldRow.GetByRole(AriaRole.Link, new() { Name = "ver al policía" })).ToHaveAttributeAsync("href", $"/officers/{held.Id}");

        var doubt = p.GetByRole(AriaRole.Region, new() { Name = "SMS en duda" });
        await Assertions.Expect(doubt).ToContainTextAsync("El proveedor tiene varios mensajes que podrían ser este; una persona debe decidir cuál.");
        await Assertions.Expect(doubt.GetByRole(AriaRole.Caption)).ToHaveTextAsync("1 SMS espera a que una persona decida.");
        var doubtRow = doubt.GetByRole(AriaRole.Row).Filter(new() { HasText = "Mensaje manual" });
        foreach (var sid in sids) await Assertions.Expect(doubtRow).ToContainTextAsync(sid);
        await Assertions.Expect(doubtRow.GetByRole(AriaRole.Link, new() { Name = "ver al policía" })).ToHaveAttributeAsync("href", $"/officers/{inDoubt.Id}");
        await page.CheckAsync("delivery-holds");

        // What the services recorded: nothing failed for it; the doubt is not sent again, the paused SMS waits, the reminder is held.
        Assert.Equal("in_doubt_ambiguous", (await OutboundAsync(doubtId)).State);
        Assert.Contains((await OutboundAsync(pausedId)).State, new[] { "retrying", "sending", "deferred" });
        Assert.Equal("deferred", (await OutboundAsync(heldId)).State);

        // A researcher sees none of it: the monitor, its alert and the in-doubt list are the managers'; the API refuses their key.
        await using (var researcher = await fixture.SignInAsync("rosa"))
        {
            await researcher.Page.GotoAsync("/delivery");
            await Assertions.Expect(researcher.Page.GetByRole(AriaRole.Heading, new() { Level = 1 })).Not.ToHaveTextAsync("Envíos de SMS");
            await Assertions.Expect(researcher.Page.GetByRole(AriaRole.Region, new() { Name = "SMS en duda" })).ToHaveCountAsync(0);
            await Assertions.Expect(researcher.Page.GetByRole(AriaRole.Alert).Filter(new() { HasText = "El envío está en pausa" })).ToHaveCountAsync(0);
        }
        using var asResearcher = new HttpClient { BaseAddress = fixture.Manager.BaseAddress };
        asResearcher.DefaultRequestHeaders.Add(Reminders.Platform.Auth.ApiKeyAuthenticationHandler.HeaderName, fixture.Services.ApiKey(Reminders.Platform.Auth.Roles.Researcher));
        Assert.Equal(System.Net.HttpStatusCode.Forbidden, (await asResearcher.GetAsync("/api/messaging/sms/ambiguous")).StatusCode);
        Assert.Equal(System.Net.HttpStatusCode.Forbidden, (await asResearcher.GetAsync("/api/messaging/senders")).StatusCode);
    }

    sealed record Officer(Guid Id, string Phone);

    /// <summary>A small study (the sample's sectors, its first 120 officers), randomized; three treatment officers Messaging knows, with their phones.</summary>
    async Task<(Officer, Officer, Officer)> ThreeTreatmentOfficersAsync()
    {
        var lines = Encoding.UTF8.GetString(SampleFiles.Roster).TrimStart('\uFEFF').Split(["\r\n", "\n"], StringSplitOptions.RemoveEmptyEntries);
        var roster = string.Join("\n", lines.Take(121)) + "\n";
        await fixture.Client.LoadSectorsAsync(SampleFiles.Sectors);
        await fixture.Client.ImportRosterAsync(roster);
        await fixture.Client.RandomizeAsync(20261207);
        var phones = RosterParser.Parse(CsvText.Decode(Encoding.UTF8.GetBytes(roster)).Text).Rows.ToDictionary(r => r.Badge, r => r.PhoneE164);
        var chosen = (await fixture.Client.OfficersAsync()).EnumerateArray()
            .Where(o => o.GetProperty("randomizedArm").GetString() == StudyArms.Treatment && o.GetProperty("consent").GetBoolean()
                && o.GetProperty("status").GetString() == "active")
            .Take(3).Select(o => new Officer(o.GetProperty("id").GetGuid(), phones[o.GetProperty("badge").GetString()!])).ToList();
        Assert.Equal(3, chosen.Count);
        foreach (var officer in chosen)
        {
            // Messaging's guard reads the officer's phone and arms from its replicas: wait until they have arrived.
            await EventuallyAsync(() => MessagingAsync<string>("""
                SELECT a.arm FROM contacts c JOIN officers s ON s.officer_id = c.officer_id JOIN sector_arms a ON a.sector_id = s.sector_id
                JOIN officer_arms r ON r.officer_id = c.officer_id WHERE c.officer_id = @id
                """, new { id = officer.Id.ToString() }), arms => arms.Count == 1, $"Messaging never learned officer {officer.Id}");
        }
        return (chosen[0], chosen[1], chosen[2]);
    }

    DateTimeOffset Now() => Services.GetRequiredService<TimeProvider>().GetUtcNow();

    static DateTimeOffset NextLocal(TimeOnly wallClock, DateTimeOffset after, TimeZoneInfo zone)
    {
        var date = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(after, zone).DateTime);
        var at = QuietHours.AtLocal(date, wallClock, zone);
        return at >= after ? at : QuietHours.AtLocal(date.AddDays(1), wallClock, zone);
    }

    async Task<Guid> SendAsync(SendSms command)
    {
        var endpoint = await Services.GetRequiredService<IBus>().GetSendEndpoint(new Uri($"queue:{QueueNames.SendSms}"));
        await endpoint.Send(command);
        return command.SmsId;
    }

    sealed record OutboundRow
    {
        public string State { get; init; } = "";
        public string? Candidates { get; init; }
    }

    async Task<OutboundRow> OutboundAsync(Guid smsId) =>
        (await MessagingAsync<OutboundRow>("SELECT state AS State, in_doubt_candidates AS Candidates FROM outbound_sms WHERE sms_id = @id",
            new { id = smsId.ToString() })).SingleOrDefault() ?? new OutboundRow();

    async Task<List<T>> MessagingAsync<T>(string sql, object parameters)
    {
        await using var connection = await Services.GetRequiredService<MessagingDatabase>().OpenAsync();
        return (await connection.QueryAsync<T>(sql, parameters)).AsList();
    }

    /// <summary>A message created at the provider from outside Messaging (a person at the provider's console), through Twilio's API.</summary>
    async Task CreateAtProviderAsync(string to, string body)
    {
        var config = Services.GetRequiredService<IConfiguration>();
        var sid = config["Simulator:AccountSid"] ?? "ACsimulator00000000000000000000000";
        var token = config["Simulator:AuthToken"] ?? "simulator-fake-auth-token";
        using var http = new HttpClient { BaseAddress = new Uri(fixture.Services.Url()) };
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{sid}:{token}")));
        using var response = await http.PostAsync($"/2010-04-01/Accounts/{sid}/Messages.json", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["To"] = to, ["From"] = "+15005550006", ["Body"] = body,
        }));
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    static async Task<T> EventuallyAsync<T>(Func<Task<T>> read, Func<T, bool> done, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var value = await read();
            if (done(value)) return value;
            Assert.True(DateTime.UtcNow < deadline, $"{what} (last seen: {value})");
            await Task.Delay(100);
        }
    }
}
