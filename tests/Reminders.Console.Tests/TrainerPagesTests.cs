using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Reminders.Enrollment.Roster;
using Reminders.Local.Sample;
using Reminders.Platform.Csv;
using Reminders.Protocol;

namespace Reminders.Console.Tests;

/// <summary>
/// A trainer on a phone: her sessions, a roll call taken through the static form and recorded by Attendance under her name,
/// a correction that asks for a reason, a walk-in from a control sector flagged before being added, the printable sheet, and
/// another trainer's session refused.
/// </summary>
public sealed class TrainerPagesTests(ConsoleFixture fixture) : IClassFixture<ConsoleFixture>
{
    static readonly CultureInfo Spanish = CultureInfo.GetCultureInfo("es-MX");
    static readonly ConditionalWeakTable<ConsoleFixture, Task<TrainerStudy>> Studies = new();

    Task<TrainerStudy> StudyAsync() => Studies.GetValue(fixture, TrainerStudy.SetUpAsync);

    [Fact]
    public async Task A_trainer_on_a_phone_sees_her_sessions_and_her_roll_call_is_recorded_by_attendance_under_her_name()
    {
        var study = await StudyAsync();
        var session = study.Laura[0];
        await using var page = await fixture.SignInAsync("laura", phone: true);
        Assert.EndsWith("/my-sessions", page.Page.Url);
        await Assertions.Expect(page.Page.GetByRole(AriaRole.Heading, new() { Name = "Mis sesiones", Level = 1 })).ToBeVisibleAsync();
        foreach (var mine in study.Laura)
            await Assertions.Expect(page.Page.GetByRole(AriaRole.Link, new() { Name = RollCallLinkName(mine), Exact = true })).ToBeVisibleAsync();
        Assert.DoesNotContain(study.OtherSector, await page.Page.Locator("main").InnerTextAsync());
        await Assertions.Expect(page.Page.GetByText(study.Venue.Address)).Not.ToHaveCountAsync(0);
        await page.CheckAsync("trainer-my-sessions-phone");

        await page.Page.GetByRole(AriaRole.Link, new() { Name = RollCallLinkName(session), Exact = true }).ClickAsync();
        await page.Page.WaitForURLAsync($"**/sessions/{session.SessionId}/roll-call");
        var names = await study.NamesAsync(session.SessionId);
        await Assertions.Expect(page.Page.GetByText(names.First().Value.Name)).ToBeVisibleAsync();
        await page.CheckAsync("trainer-roll-call-phone");

        var (absent, late) = (names.Keys.ElementAt(0), names.Keys.ElementAt(1));
        await page.Page.GetByLabel("Todos presentes").CheckAsync();
        await page.Page.GetByLabel($"Asistencia de {names[absent].Name}").SelectOptionAsync("absent");
        await page.Page.GetByLabel($"Asistencia de {names[late].Name}").SelectOptionAsync("late");
        await page.Page.GetByLabel($"Llegada de {names[late].Name}").FillAsync("9:40");
        await page.Page.GetByRole(AriaRole.Button, new() { Name = "Guardar lista" }).ClickAsync();
        await Assertions.Expect(page.Page.GetByRole(AriaRole.Status).Filter(new() { HasText = "Lista guardada" })).ToBeVisibleAsync();
        await page.CheckAsync("trainer-roll-call-saved-phone");

        var events = await study.CurrentEventsAsync(session.SessionId);
        Assert.All(events, e => Assert.Equal("laura", e.GetProperty("recordedBy").GetString()));
        Assert.DoesNotContain(events, e => Officer(e) == absent);
        var lateArrival = session.StartsAt.AddMinutes(40);
        Assert.Equal([("check_in", lateArrival), ("check_out", session.EndsAt)], Of(events, late));
        foreach (var present in names.Keys.Skip(2))
            Assert.Equal([("check_in", session.StartsAt), ("check_out", session.EndsAt)], Of(events, present));
        var statuses = await study.StatusesAsync(session.SessionId);
        Assert.Equal(("absent", "late"), (statuses[absent], statuses[late]));
        Assert.All(names.Keys.Skip(2), officer => Assert.Equal("present", statuses[officer]));

        // The same form again (a retry over a weak network) records nothing more.
        await page.Page.GetByRole(AriaRole.Button, new() { Name = "Guardar lista" }).ClickAsync();
        await Assertions.Expect(page.Page.GetByRole(AriaRole.Status).Filter(new() { HasText = "No había nada nuevo que guardar" })).ToBeVisibleAsync();
        Assert.Equal(events.Count, (await study.CurrentEventsAsync(session.SessionId)).Count);
        Assert.Equal(events.Count, (await study.AllEventsAsync(session.SessionId)).Count);
    }

    [Fact]
    public async Task Undoing_a_mis_tap_on_a_recorded_roll_call_asks_for_a_reason_and_keeps_the_history()
    {
        var study = await StudyAsync();
        var session = study.Laura[1];
        var names = await study.NamesAsync(session.SessionId);
        var (absent, mistaken) = (names.Keys.ElementAt(0), names.Keys.ElementAt(2));
        await using var page = await fixture.SignInAsync("laura", phone: true);
        await page.Page.GotoAsync($"/sessions/{session.SessionId}/roll-call");
        await page.Page.GetByLabel("Todos presentes").CheckAsync();
        await page.Page.GetByLabel($"Asistencia de {names[absent].Name}").SelectOptionAsync("absent");
        await page.Page.GetByRole(AriaRole.Button, new() { Name = "Guardar lista" }).ClickAsync();
        await Assertions.Expect(page.Page.GetByRole(AriaRole.Status).Filter(new() { HasText = "Lista guardada" })).ToBeVisibleAsync();

        // "Todos presentes" marked someone who was not there: changing what is recorded needs a reason, and nothing is written without one.
        await page.Page.GetByLabel($"Asistencia de {names[mistaken].Name}").SelectOptionAsync("absent");
        await page.Page.GetByRole(AriaRole.Button, new() { Name = "Guardar lista" }).ClickAsync();
        await Assertions.Expect(page.Page.GetByRole(AriaRole.Alert).Filter(new() { HasText = "escriba el motivo" })).ToContainTextAsync(names[mistaken].Name);
        Assert.Equal("absent", await page.Page.GetByLabel($"Asistencia de {names[mistaken].Name}").InputValueAsync());
        await page.CheckAsync("trainer-roll-call-reason-needed-phone");
        Assert.Equal(2, Of(await study.CurrentEventsAsync(session.SessionId), mistaken).Count);

        await page.Page.GetByLabel("Motivo del cambio").FillAsync("me equivoqué al marcar");
        await page.Page.GetByRole(AriaRole.Button, new() { Name = "Guardar lista" }).ClickAsync();
        await Assertions.Expect(page.Page.GetByRole(AriaRole.Status).Filter(new() { HasText = "Lista guardada" })).ToBeVisibleAsync();

        Assert.Empty(Of(await study.CurrentEventsAsync(session.SessionId), mistaken));
        var undone = (await study.AllEventsAsync(session.SessionId)).Where(e => Officer(e) == mistaken).ToList();
        Assert.Equal(2, undone.Count);
        Assert.All(undone, e => Assert.Equal(("me equivoqué al marcar", "laura"),
            (e.GetProperty("correctionReason").GetString(), e.GetProperty("correctedBy").GetString())));
        var statuses = await study.StatusesAsync(session.SessionId);
        Assert.Equal(("absent", "absent"), (statuses[absent], statuses[mistaken]));
    }

    [Fact]
    public async Task A_walk_in_from_a_control_sector_found_by_badge_is_flagged_before_being_added_and_recorded_as_contamination()
    {
        var study = await StudyAsync();
        var session = study.Laura[2];
        var walkIn = study.ControlOfficer;
        await using var page = await fixture.SignInAsync("laura", phone: true);
        await page.Page.GotoAsync($"/sessions/{session.SessionId}/roll-call");
        await page.Page.GetByLabel("Todos presentes").CheckAsync();
        await page.Page.GetByLabel("Placa", new() { Exact = true }).FillAsync(walkIn.Badge.ToLowerInvariant());
        await page.Page.GetByRole(AriaRole.Button, new() { Name = "Buscar placa" }).ClickAsync();
        await Assertions.Expect(page.Page.GetByRole(AriaRole.Alert)).ToContainTextAsync("sector de control");
        await Assertions.Expect(page.Page.GetByRole(AriaRole.Alert)).ToContainTextAsync(walkIn.Name);
        // The badge search posted the whole form: what was ticked is still ticked.
        Assert.True(await page.Page.GetByLabel("Todos presentes").IsCheckedAsync());
        await page.CheckAsync("trainer-roll-call-walk-in-control-phone");

        var add = page.Page.GetByRole(AriaRole.Button, new() { Name = $"Agregar a {walkIn.Name} a la lista" });
        await add.ClickAsync();
        await Assertions.Expect(page.Page.GetByRole(AriaRole.Status).Filter(new() { HasText = "marque la confirmación" })).ToBeVisibleAsync();
        await page.Page.GetByLabel($"Confirmo que {walkIn.Name} está en la sesión").CheckAsync();
        await add.ClickAsync();
        var row = page.Page.GetByRole(AriaRole.Listitem).Filter(new() { HasText = walkIn.Name });
        await Assertions.Expect(row).ToContainTextAsync("No estaba en la lista");
        await Assertions.Expect(row).ToContainTextAsync("Sector de control");
        Assert.Equal("present", await page.Page.GetByLabel($"Asistencia de {walkIn.Name}").InputValueAsync());
        await page.Page.GetByRole(AriaRole.Button, new() { Name = "Guardar lista" }).ClickAsync();
        await Assertions.Expect(page.Page.GetByRole(AriaRole.Status).Filter(new() { HasText = "Lista guardada" })).ToBeVisibleAsync();
        await page.CheckAsync("trainer-roll-call-walk-in-saved-phone");

        var recorded = Of(await study.CurrentEventsAsync(session.SessionId), walkIn.Id);
        Assert.Contains(("check_in", session.StartsAt), recorded);
        var view = (await fixture.Client.SessionAttendanceAsync(session.SessionId)).GetProperty("officers").EnumerateArray()
            .Single(o => o.GetProperty("officerId").GetGuid() == walkIn.Id);
        Assert.True(view.GetProperty("walkIn").GetBoolean());
        Assert.True(view.GetProperty("contamination").GetBoolean());
    }

    [Fact]
    public async Task A_roll_call_file_with_a_bad_row_is_shown_row_by_row_and_nothing_is_recorded()
    {
        var study = await StudyAsync();
        var session = study.Laura[1];
        var before = (await study.AllEventsAsync(session.SessionId)).Count;
        var member = (await study.NamesAsync(session.SessionId)).Keys.First();
        await using var page = await fixture.SignInAsync("laura", phone: true);
        await page.Page.GotoAsync($"/sessions/{session.SessionId}/roll-call");
        await page.Page.GetByLabel("Archivo CSV", new() { Exact = true }).SetInputFilesAsync(new FilePayload
        {
            Name = "lista.csv", MimeType = "text/csv",
            Buffer = System.Text.Encoding.UTF8.GetBytes($"officer_id,entrada,salida\r\n{member},09:05,13:00\r\nno-es-un-id,09:00,13:00\r\n"),
        });
        await page.Page.GetByRole(AriaRole.Button, new() { Name = "Subir lista" }).ClickAsync();
        var rejected = page.Page.GetByRole(AriaRole.Table, new() { Name = "Renglones que no se aceptaron" });
        var bad = rejected.GetByRole(AriaRole.Row).Filter(new() { HasText = "no-es-un-id" });
        await Assertions.Expect(bad).ToContainTextAsync("officer_id");
        await Assertions.Expect(bad).ToContainTextAsync("No es el id de una persona inscrita");
        await page.CheckAsync("trainer-roll-call-csv-rejected-phone");
        Assert.Equal(before, (await study.AllEventsAsync(session.SessionId)).Count);
    }

    [Fact]
    public async Task The_printable_sign_in_sheet_lists_names_badges_and_a_signature_column_for_trainers_and_managers()
    {
        var study = await StudyAsync();
        var session = study.Laura[0];
        var names = await study.NamesAsync(session.SessionId);
        await using var page = await fixture.SignInAsync("laura", phone: true);
        await page.Page.GotoAsync($"/sessions/{session.SessionId}/sheet");
        await Assertions.Expect(page.Page.GetByRole(AriaRole.Columnheader, new() { Name = "Firma" })).ToBeVisibleAsync();
        var first = names.Values.First();
        await Assertions.Expect(page.Page.GetByRole(AriaRole.Row).Filter(new() { HasText = first.Name })).ToContainTextAsync(first.Badge);
        // One line per officer and five blank ones for walk-ins, under the header.
        await Assertions.Expect(page.Page.GetByRole(AriaRole.Row)).ToHaveCountAsync(names.Count + 5 + 1);
        await Assertions.Expect(page.Page.GetByText(session.Date.ToString("dddd d 'de' MMMM 'de' yyyy", Spanish), new() { Exact = false })).Not.ToHaveCountAsync(0);
        await page.CheckAsync("trainer-sign-in-sheet-phone");

        await page.Page.EmulateMediaAsync(new() { Media = Media.Print });
        await Assertions.Expect(page.Page.GetByRole(AriaRole.Navigation)).ToBeHiddenAsync();
        await Assertions.Expect(page.Page.GetByRole(AriaRole.Button, new() { Name = "Imprimir" })).ToBeHiddenAsync();
        await page.CheckAsync("trainer-sign-in-sheet-print");

        await using var manager = await fixture.SignInAsync("ana");
        var answer = await manager.Page.GotoAsync($"/sessions/{study.Other.SessionId}/sheet");
        Assert.Equal((int)HttpStatusCode.OK, answer!.Status);
        await Assertions.Expect(manager.Page.GetByRole(AriaRole.Columnheader, new() { Name = "Firma" })).ToBeVisibleAsync();
    }

    [Fact]
    public async Task The_sign_in_sheet_marks_sin_sms_beside_each_officer_who_gets_no_sms_and_no_one_else()
    {
        var study = await StudyAsync();
        var session = study.Laura[0];
        var members = await study.CardsAsync(session.SessionId);
        // Three who get SMS today, each made one who does not, the three ways it happens: a roster that now says no consent, a
        // BAJA reply, a number the manager found wrong.
        var (noConsent, optedOut, wrongNumber) = members.Values.Where(m => !m.GetProperty("noSms").GetBoolean())
            .Select(m => m.GetProperty("badge").GetString()!).Order(StringComparer.Ordinal).TakeLast(3).ToArray() switch { var b => (b[0], b[1], b[2]) };
        await fixture.Client.ImportRosterAsync(SampleRowWithoutConsent(noConsent));
        await fixture.Client.SimulateReplyAsync(RosterParser.Parse(CsvText.Decode(SampleFiles.Roster).Text).Rows.Single(r => r.Badge == optedOut).PhoneE164,
            "+15005550006", "BAJA");
        var wrong = members.Single(m => m.Value.GetProperty("badge").GetString() == wrongNumber).Key;
        (await fixture.Manager.PostAsJsonAsync($"/api/enrollment/officers/{wrong}/status", new { status = "wrong_number", reason = "Contestó otra persona" }))
            .EnsureSuccessStatusCode();
        var byBadge = members.ToDictionary(m => m.Value.GetProperty("badge").GetString()!, m => m.Key);
        string[] changed = [noConsent, optedOut, wrongNumber];
        // Enrollment records each at once; the Scheduler, which decides what the sheet shows, hears of them through the bus.
        await EventuallyAsync(async () =>
        {
            var detail = await fixture.Manager.GetFromJsonAsync<JsonElement>($"/api/scheduler/sessions/{session.SessionId}");
            var off = detail.GetProperty("members").EnumerateArray().Where(m => !m.GetProperty("getsSms").GetBoolean()).Select(m => m.GetProperty("officerId").GetGuid()).ToHashSet();
            return changed.All(b => off.Contains(byBadge[b]));
        });
        var cards = await study.CardsAsync(session.SessionId);
        Assert.Equal(("no_consent", "opted_out", "wrong_number"),
            (Reason(cards[byBadge[noConsent]]), Reason(cards[byBadge[optedOut]]), Reason(cards[byBadge[wrongNumber]])));

        await using var page = await fixture.SignInAsync("laura", phone: true);
        await page.Page.GotoAsync($"/sessions/{session.SessionId}/sheet");
        var rows = page.Page.GetByRole(AriaRole.Table).Locator("tbody tr");
        await Assertions.Expect(rows.Filter(new() { HasText = noConsent })).ToContainTextAsync("Sin SMS");
        foreach (var (badge, id) in byBadge)
        {
            var row = rows.Filter(new() { HasText = badge });
            await Assertions.Expect(row).ToHaveCountAsync(1);
            if (cards[id].GetProperty("noSms").GetBoolean()) await Assertions.Expect(row).ToContainTextAsync("Sin SMS");
            else await Assertions.Expect(row).Not.ToContainTextAsync("Sin SMS");
        }
        Assert.Contains(cards.Values, c => !c.GetProperty("noSms").GetBoolean());
        await Assertions.Expect(page.Page.GetByText("Sin SMS: esta persona no recibe mensajes")).ToBeVisibleAsync();
        await page.CheckAsync("trainer-sign-in-sheet-no-sms-phone");

        await page.Page.EmulateMediaAsync(new() { Media = Media.Print });
        await Assertions.Expect(rows.Filter(new() { HasText = wrongNumber })).ToContainTextAsync("Sin SMS");
        await page.CheckAsync("trainer-sign-in-sheet-no-sms-print");
    }

    [Fact]
    public async Task Another_trainers_session_is_not_listed_and_its_roll_call_sheet_and_template_are_refused()
    {
        var study = await StudyAsync();
        var other = study.Other;
        var theirNames = await study.NamesAsync(other.SessionId);
        await using var page = await fixture.SignInAsync("laura", phone: true);
        Assert.DoesNotContain(study.OtherSector, await page.Page.Locator("main").InnerTextAsync());

        await page.Page.GotoAsync($"/sessions/{other.SessionId}/roll-call");
        await Assertions.Expect(page.Page.GetByRole(AriaRole.Alert)).ToContainTextAsync("Esta sesión es de otro instructor.");
        var shown = await page.Page.Locator("main").InnerTextAsync();
        Assert.DoesNotContain(theirNames.Values.First().Name, shown);
        Assert.Equal(0, await page.Page.GetByRole(AriaRole.Button, new() { Name = "Guardar lista" }).CountAsync());
        await page.CheckAsync("trainer-roll-call-refused-phone");

        await page.Page.GotoAsync($"/sessions/{other.SessionId}/sheet");
        await Assertions.Expect(page.Page.GetByRole(AriaRole.Alert)).ToContainTextAsync("Esta sesión es de otro instructor.");
        Assert.Equal(0, await page.Page.GetByRole(AriaRole.Table).CountAsync());
        var template = await page.Page.APIRequest.GetAsync($"/sessions/{other.SessionId}/roll-call.csv");
        Assert.Equal((int)HttpStatusCode.Forbidden, template.Status);
        var mine = await page.Page.APIRequest.GetAsync($"/sessions/{study.Laura[0].SessionId}/roll-call.csv");
        Assert.Equal((int)HttpStatusCode.OK, mine.Status);
        Assert.Contains("officer_id,placa,nombre,entrada,salida,justificado", await mine.TextAsync());
    }

    static string? Reason(JsonElement card) => card.GetProperty("noSmsReason").GetString();

    /// <summary>The officer's own row of the sample roster saying no to SMS, as a one-row roster file.</summary>
    static byte[] SampleRowWithoutConsent(string badge)
    {
        var lines = System.Text.Encoding.UTF8.GetString(SampleFiles.Roster).TrimStart('\uFEFF').Split(["\r\n", "\n"], StringSplitOptions.RemoveEmptyEntries);
        var row = lines.Single(l => l.StartsWith(badge + ";", StringComparison.Ordinal)).Split(';');
        row[5] = "no";
        return System.Text.Encoding.UTF8.GetBytes(lines[0] + "\r\n" + string.Join(';', row) + "\r\n");
    }

    static async Task EventuallyAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "The services never reached the expected state.");
            await Task.Delay(100);
        }
    }

    static string RollCallLinkName(PlannedSession session) =>
        $"Pasar lista: grupo {session.CohortNumber}, sector {session.SectorCode}, {session.Date.ToString("d", Spanish)}";

    static Guid Officer(JsonElement e) => e.GetProperty("officerId").GetGuid();

    static List<(string Kind, DateTimeOffset At)> Of(IEnumerable<JsonElement> events, Guid officerId) =>
        events.Where(e => Officer(e) == officerId).Select(e => (e.GetProperty("kind").GetString()!, e.GetProperty("at").GetDateTimeOffset()))
            .OrderBy(e => e.Item2).ToList();
}

sealed record PlannedSession(Guid SessionId, int CohortNumber, string SectorCode, DateOnly Date, DateTimeOffset StartsAt, DateTimeOffset EndsAt);

sealed record NamedOfficer(Guid Id, string Name, string Badge);

sealed record VenueInfo(string Name, string Address);

/// <summary>
/// The sample study randomized, and one three-day cohort each for laura and for another trainer ending today (or on the last
/// working day): planned through the services' API on the study clock, so every session of theirs has started.
/// </summary>
sealed record TrainerStudy(ConsoleFixture Fixture, IReadOnlyList<PlannedSession> Laura, PlannedSession Other, string OtherSector, VenueInfo Venue, NamedOfficer ControlOfficer)
{
    public static async Task<TrainerStudy> SetUpAsync(ConsoleFixture fixture)
    {
        var client = fixture.Client;
        await client.LoadSectorsAsync(SampleFiles.Sectors);
        await client.ImportRosterAsync(SampleFiles.Roster);
        await client.RandomizeAsync(7);
        var sectors = (await client.SectorsAsync()).EnumerateArray().ToList();
        string[] Codes(string arm) => [.. sectors.Where(s => s.GetProperty("arm").GetString() == arm && s.GetProperty("timeZone").ValueKind != JsonValueKind.String)
            .Select(s => s.GetProperty("code").GetString()!).Order(StringComparer.Ordinal)];
        var (treatment, control) = (Codes("treatment"), Codes("control"));
        var controlOfficer = (await client.OfficersAsync()).EnumerateArray()
            .First(o => control.Contains(o.GetProperty("sectorCode").GetString()) && o.GetProperty("status").GetString() == "active");

        var services = fixture.Services.Services;
        var protocol = services.GetRequiredService<StudyProtocol>();
        var calendar = services.GetRequiredService<WorkingDayCalendar>();
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(services.GetRequiredService<TimeProvider>().GetUtcNow(), protocol.TimeZone).DateTime);
        DateOnly Before(DateOnly day) { do day = day.AddDays(-1); while (!calendar.IsWorkingDay(day)); return day; }
        var lastDay = calendar.IsWorkingDay(today) ? today : Before(today);
        var firstDay = Before(Before(lastDay));

        var venue = new VenueInfo("Centro de Capacitación Norte", "Av. Instituto Politécnico Nacional 1500, Lindavista, Gustavo A. Madero");
        await PostAsync(fixture, "/api/scheduler/venues", new { name = venue.Name, capacity = 12, address = venue.Address });
        await PlanAsync(fixture, treatment[0], firstDay, lastDay);
        // Laura is busy those days, so the second trainer gets the second sector.
        await PostAsync(fixture, "/api/scheduler/trainers", new { name = "Beto Ruiz" });
        await PostAsync(fixture, "/api/scheduler/venues", new { name = "Sede Sur", capacity = 12, address = "Calz. de Tlalpan 3000, Coyoacán" });
        await PlanAsync(fixture, treatment[1], firstDay, lastDay);

        var sessions = (await fixture.Manager.GetFromJsonAsync<JsonElement>($"/api/scheduler/sessions?from={firstDay:yyyy-MM-dd}&to={lastDay:yyyy-MM-dd}"))
            .EnumerateArray().ToList();
        PlannedSession Session(JsonElement s) => new(s.GetProperty("sessionId").GetGuid(), s.GetProperty("cohortNumber").GetInt32(), s.GetProperty("sectorCode").GetString()!,
            DateOnly.ParseExact(s.GetProperty("date").GetString()!, "yyyy-MM-dd", CultureInfo.InvariantCulture),
            s.GetProperty("startsAt").GetDateTimeOffset(), s.GetProperty("endsAt").GetDateTimeOffset());
        var laura = sessions.Where(s => s.GetProperty("trainer").GetProperty("trainerId").GetGuid() == fixture.TrainerId)
            .OrderBy(s => s.GetProperty("dayNumber").GetInt32()).Select(Session).ToList();
        var other = sessions.Where(s => s.GetProperty("trainer").GetProperty("trainerId").GetGuid() != fixture.TrainerId)
            .OrderBy(s => s.GetProperty("dayNumber").GetInt32()).Select(Session).First();
        Assert.Equal(3, laura.Count);
        Assert.All(laura, s => Assert.Equal(treatment[0], s.SectorCode));
        foreach (var session in laura.Append(other)) await WaitForAttendanceAsync(fixture, session.SessionId);
        return new TrainerStudy(fixture, laura, other, treatment[1], venue,
            new NamedOfficer(controlOfficer.GetProperty("id").GetGuid(), controlOfficer.GetProperty("name").GetString()!, controlOfficer.GetProperty("badge").GetString()!));
    }

    /// <summary>The session's members by name, each name once in the session (so a label finds one person), in id order.</summary>
    public async Task<Dictionary<Guid, NamedOfficer>> NamesAsync(Guid sessionId)
    {
        var detail = await Fixture.Manager.GetFromJsonAsync<JsonElement>($"/api/scheduler/sessions/{sessionId}");
        var ids = detail.GetProperty("members").EnumerateArray().Select(m => m.GetProperty("officerId").GetGuid()).ToList();
        var lookup = await Fixture.Manager.PostAsJsonAsync("/api/enrollment/officers/lookup", new { officerIds = ids });
        lookup.EnsureSuccessStatusCode();
        var officers = (await lookup.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("officers").EnumerateArray()
            .Select(o => new NamedOfficer(o.GetProperty("id").GetGuid(), o.GetProperty("name").GetString()!, o.GetProperty("badge").GetString()!)).ToList();
        var unique = officers.GroupBy(o => o.Name).Where(g => g.Count() == 1).Select(g => g.Single()).OrderBy(o => o.Id).ToList();
        Assert.True(unique.Count >= 3, "the cohort needs three officers with names of their own");
        return unique.ToDictionary(o => o.Id);
    }

    /// <summary>Enrollment's card of every member of the session (name, badge, whether they get SMS and why not), by id.</summary>
    public async Task<Dictionary<Guid, JsonElement>> CardsAsync(Guid sessionId)
    {
        var detail = await Fixture.Manager.GetFromJsonAsync<JsonElement>($"/api/scheduler/sessions/{sessionId}");
        var ids = detail.GetProperty("members").EnumerateArray().Select(m => m.GetProperty("officerId").GetGuid()).ToList();
        var lookup = await Fixture.Manager.PostAsJsonAsync("/api/enrollment/officers/lookup", new { officerIds = ids });
        lookup.EnsureSuccessStatusCode();
        return (await lookup.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("officers").EnumerateArray().ToDictionary(o => o.GetProperty("id").GetGuid());
    }

    public async Task<List<JsonElement>> AllEventsAsync(Guid sessionId) =>
        (await Fixture.Client.SessionEventsAsync(sessionId)).GetProperty("events").EnumerateArray().ToList();

    public async Task<List<JsonElement>> CurrentEventsAsync(Guid sessionId) =>
        (await AllEventsAsync(sessionId)).Where(e => e.GetProperty("current").GetBoolean()).ToList();

    public async Task<Dictionary<Guid, string>> StatusesAsync(Guid sessionId) =>
        (await Fixture.Client.SessionAttendanceAsync(sessionId)).GetProperty("officers").EnumerateArray()
            .ToDictionary(o => o.GetProperty("officerId").GetGuid(), o => o.GetProperty("status").GetString()!);

    static async Task PostAsync(ConsoleFixture fixture, string path, object body) =>
        (await fixture.Manager.PostAsJsonAsync(path, body)).EnsureSuccessStatusCode();

    /// <summary>Plans one sector once the Scheduler knows its arm and its officers' (they arrive as events: until then a dry run refuses or plans nobody).</summary>
    static async Task PlanAsync(ConsoleFixture fixture, string sector, DateOnly from, DateOnly to)
    {
        object Request(bool dryRun) => new { from = $"{from:yyyy-MM-dd}", to = $"{to:yyyy-MM-dd}", sectorCodes = new[] { sector }, dryRun };
        for (var i = 0; i < 400; i++)
        {
            var dryRun = await fixture.Manager.PostAsJsonAsync("/api/scheduler/plans", Request(dryRun: true));
            if (dryRun.IsSuccessStatusCode && (await dryRun.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("cohorts").GetInt32() > 0) break;
            await Task.Delay(25);
        }
        var plan = await fixture.Manager.PostAsJsonAsync("/api/scheduler/plans", Request(dryRun: false));
        Assert.Equal(HttpStatusCode.Created, plan.StatusCode);
        Assert.True((await plan.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("cohorts").GetInt32() > 0, $"{sector} was not planned");
    }

    /// <summary>Attendance learns a planned session and its members from events: wait until it has them all.</summary>
    static async Task WaitForAttendanceAsync(ConsoleFixture fixture, Guid sessionId)
    {
        var expected = (await fixture.Manager.GetFromJsonAsync<JsonElement>($"/api/scheduler/sessions/{sessionId}")).GetProperty("expectedOfficers").GetInt32();
        for (var i = 0; i < 400; i++)
        {
            var read = await fixture.Manager.GetAsync($"/api/attendance/sessions/{sessionId}");
            if (read.IsSuccessStatusCode && (await read.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("officers").GetArrayLength() == expected) return;
            await Task.Delay(25);
        }
        throw new TimeoutException($"Attendance never learned session {sessionId} with its {expected} officers.");
    }
}
