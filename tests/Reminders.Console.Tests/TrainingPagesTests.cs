using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Reminders.Local.Sample;
using static Microsoft.Playwright.Assertions;

namespace Reminders.Console.Tests;

/// <summary>
/// A program manager's training pages on the sample study (60 sectors, 2,240 people, randomized): venues and trainers with
/// their calendar links, a plan seen first and then recorded, the calendar, a session moved after being told which SMS it
/// sends, and a cohort's closing previewed. What the pages did is checked through the services' API.
/// </summary>
public sealed class TrainingPagesTests(ConsoleFixture fixture) : IClassFixture<ConsoleFixture>
{
    const string VenueName = "Academia de Policía, Aula 1";
    const string TrainerName = "Mtro. Salas";

    [Fact]
    public async Task A_manager_adds_a_venue_and_trainer_plans_after_a_dry_run_moves_a_session_knowing_its_sms_and_previews_a_closing()
    {
        await LoadRandomizedStudyAsync();
        await using var page = await fixture.SignInAsync("ana");
        var p = page.Page;

        // Venues and trainers, each with a calendar link shown once, then revoked.
        await p.GotoAsync("/training/resources");
        await Expect(p.GetByRole(AriaRole.Heading, new() { Name = "Sedes e instructores", Level = 1 })).ToBeVisibleAsync();
        await p.GetByLabel("Nombre", new() { Exact = true }).FillAsync(VenueName);
        await p.GetByLabel("Lugares (personas por sesión)").FillAsync("45");
        await p.GetByLabel("Dirección (opcional)").FillAsync("Av. Tlalpan 2020, Coyoacán");
        await p.GetByRole(AriaRole.Button, new() { Name = "Agregar sede" }).ClickAsync();
        await Expect(p.GetByRole(AriaRole.Cell, new() { Name = VenueName, Exact = true })).ToBeVisibleAsync();
        await p.GetByLabel("Nombre completo").FillAsync(TrainerName);
        await p.GetByRole(AriaRole.Button, new() { Name = "Agregar instructor" }).ClickAsync();
        await Expect(p.GetByRole(AriaRole.Cell, new() { Name = TrainerName, Exact = true })).ToBeVisibleAsync();
        await p.GetByRole(AriaRole.Button, new() { Name = $"Crear enlace de calendario de {VenueName}" }).ClickAsync();
        var httpsLink = p.GetByLabel("Enlace para Google Calendar (https)");
        await Expect(p.Locator("section.feed-link")).ToBeFocusedAsync();
        await Expect(httpsLink).ToHaveValueAsync(new Regex(@"^http://127\.0\.0\.1:\d+/api/scheduler/feeds/.+\.ics$"));
        await Expect(p.GetByLabel("Enlace para Outlook y Apple (webcal)")).ToHaveValueAsync(new Regex(@"^webcal://127\.0\.0\.1:\d+/api/scheduler/feeds/.+\.ics$"));
        await page.CheckAsync("training-resources-link");
        var feedUrl = await httpsLink.InputValueAsync();
        using var calendarApp = new HttpClient();
        var feed = await calendarApp.GetAsync(feedUrl);
        Assert.Equal(HttpStatusCode.OK, feed.StatusCode);
        Assert.StartsWith("BEGIN:VCALENDAR", await feed.Content.ReadAsStringAsync());
        await p.GetByRole(AriaRole.Button, new() { Name = "Ya lo guardé" }).ClickAsync();
        await p.GetByRole(AriaRole.Button, new() { Name = $"Revocar enlace de calendario de {VenueName}" }).ClickAsync();
        await Expect(p.GetByRole(AriaRole.Status).Filter(new() { HasText = "revocado" })).ToBeVisibleAsync();
        Assert.Equal(HttpStatusCode.NotFound, (await calendarApp.GetAsync(feedUrl)).StatusCode);
        var venues = await fixture.Client.JsonAsync("scheduler", "/api/scheduler/venues");
        Assert.Contains(venues.EnumerateArray(), v => v.GetProperty("name").GetString() == VenueName && v.GetProperty("capacity").GetInt32() == 45);
        await page.CheckAsync("training-resources");

        // The plan: seen first, with the sectors left out and why; then recorded after a confirmation that names its SMS.
        await p.GetByRole(AriaRole.Link, new() { Name = "Planear capacitaciones" }).First.ClickAsync();
        await Expect(p.GetByRole(AriaRole.Heading, new() { Name = "Planear capacitaciones", Level = 1 })).ToBeVisibleAsync();
        await p.GetByRole(AriaRole.Button, new() { Name = "Ver el plan (sin registrar)" }).ClickAsync();
        await Expect(p.GetByRole(AriaRole.Heading, new() { Name = "Plan propuesto (aún no registrado)" })).ToBeVisibleAsync();
        await Expect(p.GetByRole(AriaRole.Heading, new() { NameRegex = new Regex("^Sin lugar en el periodo") })).ToBeVisibleAsync();
        await Expect(p.GetByText(new Regex("^(Todas las sedes con lugar para|No hay instructor libre)")).First).ToBeVisibleAsync();
        await page.CheckAsync("training-plan-dry-run");
        Assert.Empty((await fixture.Client.JsonAsync("scheduler", "/api/scheduler/cohorts")).EnumerateArray());
        await p.GetByRole(AriaRole.Button, new() { Name = "Registrar este plan…" }).ClickAsync();
        var confirm = p.GetByRole(AriaRole.Alertdialog);
        await Expect(confirm).ToContainTextAsync("invitaciones");
        await Expect(confirm).ToContainTextAsync("recordatorios del día anterior");
        await page.CheckAsync("training-plan-confirm");
        await confirm.GetByRole(AriaRole.Button, new() { Name = "Sí, registrar y programar los SMS" }).ClickAsync();
        await Expect(p.GetByRole(AriaRole.Status).Filter(new() { HasText = "Plan registrado" })).ToBeVisibleAsync();
        var cohorts = (await fixture.Client.JsonAsync("scheduler", "/api/scheduler/cohorts")).EnumerateArray().ToList();
        Assert.NotEmpty(cohorts);
        Assert.All(cohorts, c => Assert.Equal("planned", c.GetProperty("status").GetString()));
        Assert.Equal(cohorts.Count, await p.GetByRole(AriaRole.Table, new() { Name = "Grupos" }).Locator("tbody tr").CountAsync());
        await page.CheckAsync("training-plan-recorded");

        // The calendar, on the plan's first week, by week and by month, filtered by trainer.
        await p.GetByRole(AriaRole.Link, new() { Name = "Ver las sesiones en el calendario" }).ClickAsync();
        await Expect(p.GetByRole(AriaRole.Heading, new() { Name = "Calendario de capacitación", Level = 1 })).ToBeVisibleAsync();
        var sessionLinks = p.GetByRole(AriaRole.Table).GetByRole(AriaRole.Link);
        await Expect(sessionLinks.First).ToBeVisibleAsync();
        await Expect(p.Locator(".rz-event").First).ToBeVisibleAsync();
        await Expect(p.GetByText("09:00").First).ToBeVisibleAsync();
        await page.CheckAsync("training-calendar-week");
        var listTitle = p.GetByRole(AriaRole.Heading, new() { Level = 2 }).Filter(new() { HasText = "Sesiones del" });
        var weekTitle = await listTitle.InnerTextAsync();
        await p.GetByRole(AriaRole.Button, new() { Name = "Mes" }).ClickAsync();
        await Expect(p.Locator(".rz-month-view")).ToBeVisibleAsync();
        await Expect(listTitle).Not.ToHaveTextAsync(weekTitle);
        await Expect(sessionLinks.First).ToBeVisibleAsync();
        await page.CheckAsync("training-calendar-month");
        // One venue: every cohort went to the first trainer free, so the new trainer has no session yet.
        await p.GetByLabel("Instructor(a)").SelectOptionAsync(new SelectOptionValue { Label = TrainerName });
        await Expect(p.GetByText("No hay sesiones en estas fechas.")).ToBeVisibleAsync();
        await p.GetByLabel("Instructor(a)").SelectOptionAsync(new SelectOptionValue { Label = "Laura Méndez" });
        await Expect(sessionLinks.First).ToBeVisibleAsync();
        foreach (var row in await p.GetByRole(AriaRole.Table).Locator("tbody tr").AllAsync()) await Expect(row).ToContainTextAsync("Laura Méndez");
        await p.GetByLabel("Sede").SelectOptionAsync(new SelectOptionValue { Label = VenueName });
        await Expect(sessionLinks.First).ToBeVisibleAsync();
        await page.CheckAsync("training-calendar-filtered");

        // A cohort: its first session moved to 13:00 the same day, after the page says which SMS that sends and cancels.
        await sessionLinks.First.ClickAsync();
        await Expect(p.GetByRole(AriaRole.Heading, new() { NameRegex = new Regex("^Grupo "), Level = 1 })).ToBeVisibleAsync();
        var cohortId = Guid.Parse(p.Url.Split('/')[^1]);
        await page.CheckAsync("training-cohort");
        await p.GetByRole(AriaRole.Button, new() { Name = "Mover la sesión del día 1" }).ClickAsync();
        await p.GetByLabel("Hora de inicio (hora de Ciudad de México)").SelectOptionAsync("13:00");
        await p.GetByRole(AriaRole.Button, new() { Name = "Ver qué SMS se enviarán" }).ClickAsync();
        var consequence = p.GetByRole(AriaRole.Status).Filter(new() { HasText = "Antes de confirmar" });
        await Expect(consequence).ToContainTextAsync("recordatorio del día anterior");
        await Expect(consequence).ToContainTextAsync("Se cancelarán");
        Assert.Equal(9, TrainingHour(await fixture.Client.JsonAsync("scheduler", $"/api/scheduler/cohorts/{cohortId}"), day: 1));
        await p.GetByLabel("Motivo del cambio").FillAsync("El aula está ocupada por la mañana");
        await page.CheckAsync("training-cohort-move-preview");
        await p.GetByRole(AriaRole.Button, new() { Name = "Confirmar el cambio" }).ClickAsync();
        await Expect(p.GetByRole(AriaRole.Status).Filter(new() { HasText = "Cambio registrado" })).ToBeVisibleAsync();
        await Expect(p.GetByRole(AriaRole.Cell, new() { Name = "El aula está ocupada por la mañana" })).ToBeVisibleAsync();
        var moved = await fixture.Client.JsonAsync("scheduler", $"/api/scheduler/cohorts/{cohortId}");
        Assert.Equal(13, TrainingHour(moved, day: 1));
        var change = Assert.Single(moved.GetProperty("changes").EnumerateArray(), c => c.GetProperty("change").GetString() == "moved");
        Assert.Equal(("session", "ana", "El aula está ocupada por la mañana"),
            (change.GetProperty("entity").GetString(), change.GetProperty("changedBy").GetString(), change.GetProperty("reason").GetString()));
        await page.CheckAsync("training-cohort-moved");

        // A cohort trained three weeks ago (recorded after the fact): what closing it would record, before confirming.
        var past = await RecordPastCohortAsync();
        await p.GotoAsync($"/training/cohorts/{past}");
        var preview = p.GetByRole(AriaRole.Table, new() { Name = "Cada policía al cerrar" });
        await Expect(preview).ToBeVisibleAsync();
        await Expect(p.GetByText(new Regex(@"^0 de \d+ policías recibirán recordatorios"))).ToBeVisibleAsync();
        await Expect(preview.Locator("tbody tr").First).ToContainTextAsync("Asistió a 0 de 3 sesiones; el protocolo pide al menos 1.");
        await Expect(p.GetByRole(AriaRole.Button, new() { Name = "Cerrar la asistencia…" })).ToBeVisibleAsync();
        await page.CheckAsync("training-cohort-close-preview");
        Assert.Empty((await fixture.Client.JsonAsync("attendance", $"/api/attendance/cohorts/{past}/closures")).EnumerateArray()); // a preview writes nothing
    }

    /// <summary>The sample study loaded and randomized, and the Scheduler told of every treatment officer (its replicas are fed by events).</summary>
    async Task LoadRandomizedStudyAsync()
    {
        await fixture.Client.LoadSectorsAsync(SampleFiles.Sectors);
        await fixture.Client.ImportRosterAsync(SampleFiles.Roster);
        await fixture.Client.RandomizeAsync(7);
        var treated = (await fixture.Client.OfficersAsync()).EnumerateArray().Count(o =>
            o.GetProperty("randomizedArm").GetString() == "treatment" && o.GetProperty("status").GetString() is not ("withdrawn" or "inactive"));
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var plan = await fixture.Client.DryRunPlanAsync(today.AddDays(7), today.AddDays(30), []);
            var known = plan.GetProperty("officers").GetInt32() + plan.GetProperty("unplaced").EnumerateArray().Sum(u => u.GetProperty("trainees").GetInt32());
            if (known == treated) return;
            Assert.True(DateTime.UtcNow < deadline, $"The Scheduler knows {known} of {treated} treatment officers after 60 s.");
            await Task.Delay(250);
        }
    }

    /// <summary>A treatment sector not yet placed, planned on days already past (a training entered once held); returns a cohort's id.</summary>
    async Task<Guid> RecordPastCohortAsync()
    {
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        var (from, to) = (today.AddDays(-35).ToString("yyyy-MM-dd"), today.AddDays(-21).ToString("yyyy-MM-dd"));
        var dryRun = await fixture.Client.DryRunPlanAsync(DateOnly.Parse(from), DateOnly.Parse(to), []);
        var sector = dryRun.GetProperty("plan").EnumerateArray().First().GetProperty("sectorCode").GetString()!;
        var recorded = await fixture.Manager.PostAsJsonAsync("/api/scheduler/plans", new { from, to, sectorCodes = new[] { sector } });
        Assert.Equal(HttpStatusCode.Created, recorded.StatusCode);
        var plan = await recorded.Content.ReadFromJsonAsync<JsonElement>();
        var cohortId = plan.GetProperty("plan").EnumerateArray().First().GetProperty("cohortId").GetGuid();
        // Attendance learns the sessions and members from the Scheduler's events.
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var preview = await fixture.Manager.GetAsync($"/api/attendance/cohorts/{cohortId}/close-preview");
            if (preview.IsSuccessStatusCode && (await preview.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("members").GetInt32() > 0) return cohortId;
            Assert.True(DateTime.UtcNow < deadline, $"Attendance has no closing preview of cohort {cohortId} after 30 s: {(int)preview.StatusCode}");
            await Task.Delay(250);
        }
    }

    /// <summary>The hour, in Mexico City, a cohort's session of <paramref name="day"/> starts.</summary>
    static int TrainingHour(JsonElement cohort, int day)
    {
        var session = cohort.GetProperty("sessions").EnumerateArray().Single(s => s.GetProperty("dayNumber").GetInt32() == day);
        return TimeZoneInfo.ConvertTime(session.GetProperty("startsAt").GetDateTimeOffset(), TimeZoneInfo.FindSystemTimeZoneById("America/Mexico_City")).Hour;
    }
}
