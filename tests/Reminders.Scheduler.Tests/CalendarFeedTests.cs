using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Reminders.Contracts;
using Reminders.Scheduler.Tests.Infrastructure;
using static Reminders.Scheduler.Tests.Infrastructure.SchedulerHost;
using static Reminders.Scheduler.Tests.Infrastructure.TrainingScenario;

namespace Reminders.Scheduler.Tests;

/// <summary>
/// Calendar subscription links per venue and per trainer: a secret token in the URL (calendar apps send no header), made,
/// replaced and revoked by a manager, kept only as its SHA-256; the feed is iCalendar that Google, Outlook and Apple read,
/// with each session's SEQUENCE raised whenever it moves, changes or is cancelled.
/// </summary>
public sealed class CalendarFeedTests : IAsyncLifetime
{
    SchedulerHost host = null!;

    public Task InitializeAsync()
    {
        host = Sqlite();
        return Task.CompletedTask;
    }

    async Task<JsonElement> CreateLinkAsync(string owner, Guid id, string key = ManagerKey, HttpStatusCode expected = HttpStatusCode.Created)
    {
        using var client = host.Client(key);
        using var response = await client.PostAsync($"/api/scheduler/{owner}/{id}/feed-token", null);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"{(int)response.StatusCode} {text}");
        return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
    }

    async Task<HttpResponseMessage> FeedAsync(string token)
    {
        using var anonymous = host.Client(key: null);
        return await anonymous.GetAsync($"/api/scheduler/feeds/{token}.ics");
    }

    async Task<string> IcsAsync(string token)
    {
        using var response = await FeedAsync(token);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode} {text}");
        Assert.Equal("text/calendar", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("utf-8", response.Content.Headers.ContentType?.CharSet);
        return text;
    }

    static async Task AssertUnknownLinkAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("token", problem.GetProperty("field").GetString());
        Assert.Contains("revoked", problem.GetProperty("detail").GetString());
    }

    /// <summary>The feed's lines unfolded (RFC 5545 §3.1), then each VEVENT's properties by name (parameters dropped).</summary>
    static List<Dictionary<string, string>> Events(string ics) =>
        Ics.Unfold(ics).Split("BEGIN:VEVENT\r\n").Skip(1).Select(e => e[..e.IndexOf("END:VEVENT", StringComparison.Ordinal)]
            .Split("\r\n", StringSplitOptions.RemoveEmptyEntries)
            .Select(line => (Name: line[..line.IndexOfAny([':', ';'])], Value: line[(line.IndexOf(':') + 1)..]))
            .ToDictionary(p => p.Name, p => p.Value)).ToList();

    static Dictionary<string, string> EventOf(string ics, Guid sessionId) => Events(ics).Single(e => e["UID"] == $"{sessionId}@reminders");

    [Fact]
    public async Task A_venue_link_serves_its_sessions_anonymously_as_an_icalendar_feed_calendar_apps_accept()
    {
        var cohort = await PlanOneCohortAsync(host);

        var link = await CreateLinkAsync("venues", cohort.VenueId);
        var token = link.GetProperty("token").GetString()!;
        Assert.True(token.Length >= 43, token);
        Assert.Equal($"/api/scheduler/feeds/{token}.ics", link.GetProperty("path").GetString());
        Assert.EndsWith($"/api/scheduler/feeds/{token}.ics", link.GetProperty("url").GetString());
        Assert.StartsWith("webcal://", link.GetProperty("webcalUrl").GetString());
        var ics = await IcsAsync(token);

        Assert.StartsWith("BEGIN:VCALENDAR\r\n", ics);
        Assert.EndsWith("END:VCALENDAR\r\n", ics);
        Assert.DoesNotContain("\n", ics.Replace("\r\n", ""));
        Assert.All(ics.Split("\r\n"), line => Assert.True(Encoding.UTF8.GetByteCount(line) <= 75, line));
        var header = Ics.Unfold(ics)[..Ics.Unfold(ics).IndexOf("BEGIN:VEVENT", StringComparison.Ordinal)];
        foreach (var property in new[] { "VERSION:2.0\r\n", "PRODID:", "CALSCALE:GREGORIAN\r\n", "METHOD:PUBLISH\r\n", $"X-WR-CALNAME:Capacitación - {Venue}\r\n",
                     "X-WR-TIMEZONE:America/Mexico_City\r\n" })
            Assert.Contains(property, header);
        var events = Events(ics);
        Assert.Equal(cohort.SessionIds.Select(id => $"{id}@reminders"), events.Select(e => e["UID"]));
        var first = events[0];
        Assert.Equal(("20261109T150000Z", "20261109T180000Z"), (first["DTSTART"], first["DTEND"]));
        Assert.Equal(("0", "CONFIRMED"), (first["SEQUENCE"], first["STATUS"]));
        Assert.Equal(host.Now.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'"), first["DTSTAMP"]);
        Assert.Contains("N-01", first["SUMMARY"]);
        Assert.Contains("Instructora Paz", first["DESCRIPTION"]);
        Assert.Equal(Venue, first["LOCATION"]);
    }

    [Fact]
    public async Task A_Tijuana_sectors_session_is_at_09_00_Tijuana_time_beside_a_Mexico_City_session_at_09_00_there()
    {
        // November 2026, after DST ended on the 1st: Tijuana is UTC−8 and Mexico City UTC−6, so the two 09:00s are 17:00Z and 15:00Z.
        await host.SeedSectorAsync("N-01", StudyArms.Treatment, 2);
        await host.SeedSectorAsync("TIJ-01", StudyArms.Treatment, 2, timeZone: "America/Tijuana");
        await host.AddVenueAsync(Venue, 30);
        var trainerId = await host.AddTrainerAsync("Instructora Paz");
        var plan = await host.PlanAsync("2026-11-09", "2026-11-30");
        var cohorts = plan.Plan.ToDictionary(c => c.SectorCode);
        Assert.Equal(["N-01", "TIJ-01"], cohorts.Keys.Order());

        var ics = await IcsAsync((await CreateLinkAsync("trainers", trainerId)).GetProperty("token").GetString()!);

        foreach (var (code, utcHour, zone) in new[] { ("N-01", 15, "Ciudad de México"), ("TIJ-01", 17, "Tijuana") })
            foreach (var session in cohorts[code].Sessions)
            {
                var e = EventOf(ics, session.SessionId);
                var day = session.Date.Replace("-", "");
                Assert.Equal(($"{day}T{utcHour}0000Z", $"{day}T{utcHour + 3}0000Z"), (e["DTSTART"], e["DTEND"]));
                Assert.Contains($"Horario: 09:00 a 12:00\\, hora de {zone}.", e["DESCRIPTION"]);
            }
        // Two wall clocks in one feed: the calendar's default is the study's, and each event's instant carries its own.
        Assert.Contains("X-WR-TIMEZONE:America/Mexico_City\r\n", Ics.Unfold(ics));
    }

    [Fact]
    public async Task Moving_a_session_raises_its_sequence_and_moving_the_cohort_raises_every_one_the_same_uid_kept()
    {
        var cohort = await PlanOneCohortAsync(host);
        var token = (await CreateLinkAsync("trainers", cohort.TrainerId)).GetProperty("token").GetString()!;
        Assert.All(Events(await IcsAsync(token)), e => Assert.Equal("0", e["SEQUENCE"]));

        await ChangeAsync(host, $"/api/scheduler/sessions/{cohort.SessionIds[2]}/move", new { date = "2026-11-12", startTime = "10:00", reason = "Auditorio ocupado" });

        var ics = await IcsAsync(token);
        var moved = EventOf(ics, cohort.SessionIds[2]);
        Assert.Equal(("1", "20261112T160000Z"), (moved["SEQUENCE"], moved["DTSTART"]));
        Assert.Equal("0", EventOf(ics, cohort.SessionIds[0])["SEQUENCE"]);

        await ChangeAsync(host, $"/api/scheduler/cohorts/{cohort.CohortId}/move", new { start = "2026-11-17", reason = "Sede en mantenimiento" });

        ics = await IcsAsync(token);
        Assert.Equal(["1", "1", "2"], cohort.SessionIds.Select(id => EventOf(ics, id)["SEQUENCE"]));
        Assert.Equal("20261117T150000Z", EventOf(ics, cohort.SessionIds[0])["DTSTART"]);
    }

    [Fact]
    public async Task Re_staffing_and_cancelling_raise_the_sequence_and_a_cancelled_session_stays_in_the_feed_as_cancelled()
    {
        var cohort = await PlanOneCohortAsync(host);
        var token = (await CreateLinkAsync("venues", cohort.VenueId)).GetProperty("token").GetString()!;
        var ruiz = await host.AddTrainerAsync("Mtro. Ruiz");

        await ChangeAsync(host, $"/api/scheduler/cohorts/{cohort.CohortId}/staff", new { trainerId = ruiz, reason = "Licencia médica" });
        await ChangeAsync(host, $"/api/scheduler/sessions/{cohort.SessionIds[1]}/cancel", new { reason = "Sede cerrada" });

        var ics = await IcsAsync(token);
        var cancelled = EventOf(ics, cohort.SessionIds[1]);
        Assert.Equal(("2", "CANCELLED"), (cancelled["SEQUENCE"], cancelled["STATUS"]));
        var restaffed = EventOf(ics, cohort.SessionIds[0]);
        Assert.Equal(("1", "CONFIRMED"), (restaffed["SEQUENCE"], restaffed["STATUS"]));
        Assert.Contains("Mtro. Ruiz", restaffed["DESCRIPTION"]);
    }

    [Fact]
    public async Task Text_is_escaped_and_long_lines_are_folded_without_splitting_a_character()
    {
        var created = await host.PostAsync("/api/scheduler/venues", new { name = "Sede Norte, Aula 1; planta baja", capacity = 30, address = "Calle Niños Héroes 15\\B" });
        var venueId = (await created.Content.ReadFromJsonAsync<Training.ResourcesApi.VenueView>())!.VenueId;
        await host.SeedSectorAsync("N-01", StudyArms.Treatment, 2);
        await host.AddTrainerAsync("Instructora María José Paz Gutiérrez de la Concepción y Ñúñez");
        await host.PlanAsync("2026-11-09", "2026-11-30");
        var token = (await CreateLinkAsync("venues", venueId)).GetProperty("token").GetString()!;

        var ics = await IcsAsync(token);

        Assert.All(ics.Split("\r\n"), line => Assert.True(Encoding.UTF8.GetByteCount(line) <= 75, line));
        Assert.Contains("\r\n ", ics);
        var first = Events(ics)[0];
        Assert.Equal("Sede Norte\\, Aula 1\\; planta baja\\, Calle Niños Héroes 15\\\\B", first["LOCATION"]);
        Assert.Contains("María José Paz Gutiérrez de la Concepción y Ñúñez", first["DESCRIPTION"]);
    }

    [Fact]
    public async Task A_new_link_replaces_the_old_one_which_stops_working()
    {
        var cohort = await PlanOneCohortAsync(host);
        var old = (await CreateLinkAsync("venues", cohort.VenueId)).GetProperty("token").GetString()!;

        var replacement = await CreateLinkAsync("venues", cohort.VenueId);

        Assert.True(replacement.GetProperty("replaced").GetBoolean());
        await AssertUnknownLinkAsync(await FeedAsync(old));
        Assert.Equal(3, Events(await IcsAsync(replacement.GetProperty("token").GetString()!)).Count);
    }

    [Fact]
    public async Task A_revoked_link_answers_404_and_so_does_an_unknown_one_and_revoking_twice_is_404()
    {
        var cohort = await PlanOneCohortAsync(host);
        var token = (await CreateLinkAsync("trainers", cohort.TrainerId)).GetProperty("token").GetString()!;
        using var manager = host.Client();

        Assert.Equal(HttpStatusCode.NoContent, (await manager.DeleteAsync($"/api/scheduler/trainers/{cohort.TrainerId}/feed-token")).StatusCode);

        await AssertUnknownLinkAsync(await FeedAsync(token));
        await AssertUnknownLinkAsync(await FeedAsync("not-a-token-anyone-was-given-aaaaaaaaaaaaaaaaa"));
        using var again = await manager.DeleteAsync($"/api/scheduler/trainers/{cohort.TrainerId}/feed-token");
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
        Assert.Equal("application/problem+json", again.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Only_the_tokens_sha256_is_stored_and_the_link_is_never_shown_again()
    {
        var cohort = await PlanOneCohortAsync(host);
        var token = (await CreateLinkAsync("venues", cohort.VenueId)).GetProperty("token").GetString()!;

        var stored = await host.ScalarAsync<string>("SELECT token_hash FROM feed_tokens WHERE owner_id = @VenueId", new { cohort.VenueId });
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token))), stored);
        Assert.Equal(0, await host.ScalarAsync<long>("SELECT COUNT(*) FROM feed_tokens WHERE token_hash = @token", new { token }));
        using var manager = host.Client();
        var status = await manager.GetFromJsonAsync<JsonElement>($"/api/scheduler/venues/{cohort.VenueId}/feed-token");
        Assert.True(status.GetProperty("active").GetBoolean());
        Assert.Equal(ManagerName, status.GetProperty("createdBy").GetString());
        Assert.DoesNotContain(token, status.GetRawText());
    }

    [Fact]
    public async Task Only_a_manager_makes_links_for_a_venue_or_trainer_that_exists()
    {
        var cohort = await PlanOneCohortAsync(host);

        await CreateLinkAsync("venues", cohort.VenueId, TrainerKey, HttpStatusCode.Forbidden);
        await CreateLinkAsync("trainers", cohort.TrainerId, PazKey, HttpStatusCode.Forbidden);
        Assert.Equal("venueId", (await CreateLinkAsync("venues", Guid.NewGuid(), expected: HttpStatusCode.NotFound)).GetProperty("field").GetString());
        Assert.Equal("trainerId", (await CreateLinkAsync("trainers", Guid.NewGuid(), expected: HttpStatusCode.NotFound)).GetProperty("field").GetString());
    }

    [Fact]
    public async Task The_api_key_feeds_keep_working_and_a_key_bound_to_a_trainer_reads_only_that_trainers_feed()
    {
        var (paz, ruiz) = await TwoTrainersAsync(host);
        using var manager = host.Client();
        using var pazClient = host.Client(PazKey);

        var venueIcs = await manager.GetStringAsync($"/api/scheduler/venues/{paz.VenueId}/calendar.ics");
        Assert.Equal(6, Events(venueIcs).Count);
        Assert.Contains("METHOD:PUBLISH\r\n", venueIcs);
        Assert.Equal(3, Events(await pazClient.GetStringAsync($"/api/scheduler/trainers/{PazTrainerId}/calendar.ics")).Count);
        Assert.Equal(HttpStatusCode.OK, (await pazClient.GetAsync($"/api/scheduler/trainers/{PazTrainerId}/plan.csv")).StatusCode);
        foreach (var path in new[] { $"/api/scheduler/trainers/{RuizTrainerId}/calendar.ics", $"/api/scheduler/trainers/{RuizTrainerId}/plan.csv",
                     $"/api/scheduler/venues/{ruiz.VenueId}/calendar.ics" })
        {
            using var refused = await pazClient.GetAsync(path);
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        }
        Assert.Equal(HttpStatusCode.NotFound, (await manager.GetAsync($"/api/scheduler/venues/{Guid.NewGuid()}/calendar.ics")).StatusCode);
    }

    public async Task DisposeAsync() => await host.DisposeAsync();
}

/// <summary>RFC 5545 §3.1 unfolding: a CRLF followed by one space or tab joins the lines.</summary>
static class Ics
{
    public static string Unfold(string ics) => ics.Replace("\r\n ", "").Replace("\r\n\t", "");
}
