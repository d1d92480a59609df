using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Reminders.Enrollment.Roster;
using Reminders.Local.Sample;
using Reminders.Platform.Csv;
using static Microsoft.Playwright.Assertions;

namespace Reminders.Console.Tests;

/// <summary>
/// A program manager's day through the pages, in one flow (issue 13): sign in, a roster with a bad row checked then applied,
/// the sectors randomized after a dry run, the trainings planned after a dry run, a session moved after being told which SMS
/// that sends, and the SMS that went out seen on the delivery monitor and the officer's page. After each step, what the
/// services recorded is read through their API.
/// </summary>
public sealed class ManagersDayTests(ConsoleFixture fixture) : IClassFixture<ConsoleFixture>
{
    static readonly CultureInfo Spanish = CultureInfo.GetCultureInfo("es-MX");
    const long Seed = 20_261_207;
    const string VenueName = "Centro de Capacitación Oriente";
    const string BadRow = "SSC-999999;José Núñez Peña;sargento;IZP-01;+52 55 9999 0001;sí;matutino";
    const string MoveReason = "La sede pidió empezar después de comer";

    /// <summary>A commander and three officers of every sample sector (so the study plans and sends in seconds), then a row whose role no study knows.</summary>
    static (byte[] File, int GoodRows, int BadLine) RosterWithABadRow()
    {
        var lines = Encoding.UTF8.GetString(SampleFiles.Roster).TrimStart('\uFEFF').Split(["\r\n", "\n"], StringSplitOptions.RemoveEmptyEntries);
        static bool Commands(string row) => row.Split(';')[2].StartsWith("mando", StringComparison.OrdinalIgnoreCase) || row.Split(';')[2].StartsWith("comandante", StringComparison.OrdinalIgnoreCase);
        var rows = lines.Skip(1).GroupBy(l => l.Split(';')[3]).SelectMany(g => g.Where(Commands).Take(1).Concat(g.Where(r => !Commands(r)).Take(3))).ToList();
        var text = string.Join("\r\n", rows.Prepend(lines[0]).Append(BadRow)) + "\r\n";
        return (Encoding.UTF8.GetBytes(text), rows.Count, rows.Count + 2);
    }

    [Fact]
    public async Task A_manager_uploads_a_roster_with_a_bad_row_randomizes_plans_moves_a_session_and_sees_the_sms_that_went_out()
    {
        // Before the day: the sectors and a venue are there (their pages have tests of their own).
        await fixture.Client.LoadSectorsAsync(SampleFiles.Sectors);
        (await fixture.Manager.PostAsJsonAsync("/api/scheduler/venues", new { name = VenueName, capacity = 40, address = "Calz. Ignacio Zaragoza 1500, Iztapalapa" }))
            .EnsureSuccessStatusCode();
        var (roster, goodRows, badLine) = RosterWithABadRow();

        await using var page = await fixture.SignInAsync("ana");
        var p = page.Page;
        await Expect(p.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Cómo va el estudio");

        // The roster, as home says next: checked first, the bad row reported by line, column, value and reason, nothing written; then the good rows applied.
        await p.GetByRole(AriaRole.Link, new() { Name = "Siguiente paso: subir el padrón de policías." }).ClickAsync();
        await p.GetByLabel("Archivo CSV del padrón").SetInputFilesAsync(new FilePayload { Name = "padron.csv", MimeType = "text/csv", Buffer = roster });
        await p.GetByRole(AriaRole.Button, new() { Name = "Revisar el archivo" }).ClickAsync();
        var report = p.GetByRole(AriaRole.Table, new() { Name = "Problemas por fila" });
        await Expect(report.GetByRole(AriaRole.Row)).ToHaveCountAsync(2);
        Assert.Equal([badLine.ToString(Spanish), "rol", "sargento", "El rol debe ser policía (u oficial) o mando (mando medio, comandante)."],
            (await report.GetByRole(AriaRole.Row).Nth(1).GetByRole(AriaRole.Cell).AllInnerTextsAsync()).Select(t => t.Trim()));
        await Expect(p.GetByRole(AriaRole.Table, new() { Name = "Lo que haría el archivo al aplicarlo" }).GetByRole(AriaRole.Cell).First)
            .ToHaveTextAsync(goodRows.ToString("N0", Spanish));
        await page.CheckAsync("managers-day-roster-dry-run");
        Assert.Equal(0, await OfficerCountAsync());

        await p.GetByRole(AriaRole.Button, new() { Name = $"Aplicar solo las {goodRows.ToString("N0", Spanish)} filas válidas" }).ClickAsync();
        await Expect(p.GetByRole(AriaRole.Heading, new() { Name = "Padrón aplicado" })).ToBeVisibleAsync();
        Assert.Equal(goodRows, await OfficerCountAsync());
        Assert.Equal(0, await OfficerCountAsync("search=SSC-999999"));

        // The draw: a dry run with its balance, then the commit after a confirmation.
        await p.GetByRole(AriaRole.Navigation).GetByRole(AriaRole.Link, new() { Name = "Aleatorización" }).ClickAsync();
        await p.GetByRole(AriaRole.Checkbox, new() { Name = "Alcaldía" }).CheckAsync();
        await p.GetByLabel("Semilla (número entero)").FillAsync(Seed.ToString(CultureInfo.InvariantCulture));
        await p.GetByRole(AriaRole.Button, new() { Name = "Probar (no asigna nada)" }).ClickAsync();
        await Expect(p.GetByRole(AriaRole.Region, new() { Name = "Resultado de la prueba" })).ToContainTextAsync("60 sectores, 30 a tratamiento y 30 a control");
        await page.CheckAsync("managers-day-randomization-dry-run");
        Assert.Equal(404, (int)(await fixture.Manager.GetAsync("/api/enrollment/randomizations/current")).StatusCode);

        await p.GetByRole(AriaRole.Button, new() { Name = "Aleatorizar con esta semilla…" }).ClickAsync();
        var confirmDraw = p.GetByRole(AriaRole.Region, new() { Name = "Confirme la aleatorización" });
        await Expect(confirmDraw).ToContainTextAsync("La asignación no se puede editar.");
        await confirmDraw.GetByRole(AriaRole.Button, new() { Name = "Sí, aleatorizar ahora" }).ClickAsync();
        await Expect(p.GetByRole(AriaRole.Heading, new() { Name = "Registro de la aleatorización" })).ToBeVisibleAsync();
        var draw = await fixture.Manager.GetFromJsonAsync<JsonElement>("/api/enrollment/randomizations/current");
        Assert.Equal((Seed, "ana"), (draw.GetProperty("seed").GetInt64(), draw.GetProperty("requestedBy").GetString()));
        Assert.Contains(draw.GetProperty("dryRuns").EnumerateArray(), d => d.GetProperty("seed").GetInt64() == Seed);
        await WaitForSchedulerToKnowTheArmsAsync();

        // The trainings: the plan seen first, then recorded after a confirmation that names its SMS.
        await p.GetByRole(AriaRole.Navigation).GetByRole(AriaRole.Link, new() { Name = "Capacitaciones" }).ClickAsync();
        await p.GetByRole(AriaRole.Link, new() { Name = "Planear capacitaciones" }).First.ClickAsync();
        await p.GetByRole(AriaRole.Button, new() { Name = "Ver el plan (sin registrar)" }).ClickAsync();
        await Expect(p.GetByRole(AriaRole.Heading, new() { Name = "Plan propuesto (aún no registrado)" })).ToBeVisibleAsync();
        Assert.Empty((await fixture.Client.JsonAsync("scheduler", "/api/scheduler/cohorts")).EnumerateArray());
        await p.GetByRole(AriaRole.Button, new() { Name = "Registrar este plan…" }).ClickAsync();
        var confirmPlan = p.GetByRole(AriaRole.Alertdialog);
        await Expect(confirmPlan).ToContainTextAsync("invitaciones");
        await confirmPlan.GetByRole(AriaRole.Button, new() { Name = "Sí, registrar y programar los SMS" }).ClickAsync();
        await Expect(p.GetByRole(AriaRole.Status).Filter(new() { HasText = "Plan registrado" })).ToBeVisibleAsync();
        await page.CheckAsync("managers-day-plan-recorded");
        var cohorts = (await fixture.Client.JsonAsync("scheduler", "/api/scheduler/cohorts")).EnumerateArray().ToList();
        Assert.NotEmpty(cohorts);
        Assert.Equal(cohorts.Count, await p.GetByRole(AriaRole.Table, new() { Name = "Grupos" }).Locator("tbody tr").CountAsync());

        // A cohort whose invitations have gone out: moving its first session then sends each invited member a change notice.
        var cohortLink = p.GetByRole(AriaRole.Table, new() { Name = "Grupos" }).GetByRole(AriaRole.Link).First;
        await Expect(cohortLink).ToHaveAccessibleNameAsync(new Regex(@"^Grupo \d+ · [A-Z]{3}-\d{2} · (mando|policía)$"));
        await cohortLink.ClickAsync();
        await Expect(p.GetByRole(AriaRole.Heading, new() { NameRegex = new Regex("^Grupo "), Level = 1 })).ToBeVisibleAsync();
        var cohortId = Guid.Parse(p.Url.Split('/')[^1]);
        var members = await GettingSmsAsync(cohortId);
        Assert.NotEmpty(members);
        await WaitForSmsAsync(cohortId, "invitation", members.Count);

        await p.GetByRole(AriaRole.Button, new() { Name = "Mover la sesión del día 1" }).ClickAsync();
        await p.GetByLabel("Hora de inicio (hora de Ciudad de México)").SelectOptionAsync("13:00");
        await p.GetByRole(AriaRole.Button, new() { Name = "Ver qué SMS se enviarán" }).ClickAsync();
        var consequence = p.GetByRole(AriaRole.Status).Filter(new() { HasText = "Antes de confirmar" });
        await Expect(consequence).ToContainTextAsync(members.Count == 1
            ? "Se enviará un aviso de cambio a 1 policía."
            : $"Se enviará un aviso de cambio a {members.Count.ToString("N0", Spanish)} policías.");
        await p.GetByLabel("Motivo del cambio").FillAsync(MoveReason);
        await page.CheckAsync("managers-day-move-preview");
        Assert.DoesNotContain((await CohortAsync(cohortId)).GetProperty("sms").EnumerateArray(), s => s.GetProperty("kind").GetString() == "change_notice");
        await p.GetByRole(AriaRole.Button, new() { Name = "Confirmar el cambio" }).ClickAsync();
        await Expect(p.GetByRole(AriaRole.Status).Filter(new() { HasText = "Cambio registrado" })).ToBeVisibleAsync();

        var moved = await CohortAsync(cohortId);
        var change = Assert.Single(moved.GetProperty("changes").EnumerateArray(), c => c.GetProperty("change").GetString() == "moved");
        Assert.Equal(("ana", MoveReason), (change.GetProperty("changedBy").GetString(), change.GetProperty("reason").GetString()));
        var firstSession = moved.GetProperty("sessions").EnumerateArray().Single(s => s.GetProperty("dayNumber").GetInt32() == 1);
        Assert.Equal(13, TimeZoneInfo.ConvertTime(firstSession.GetProperty("startsAt").GetDateTimeOffset(), TimeZoneInfo.FindSystemTimeZoneById("America/Mexico_City")).Hour);

        // The change notices went out: the provider has them, with the new time, and the delivery monitor and officer's page show them.
        await WaitForSmsAsync(cohortId, "change_notice", members.Count);
        var officer = members[0];
        var timeline = await WaitForDeliveredAsync(officer.Id, logistics: 2);
        using var simulator = fixture.Client.SimulatorHttp();
        var reached = (await simulator.GetFromJsonAsync<JsonElement>($"/simulator/messages?to={Uri.EscapeDataString(officer.Phone)}")).EnumerateArray()
            .Select(m => m.GetProperty("body").GetString()!).ToList();
        Assert.Contains(reached, body => body.StartsWith("Cambio en su curso", StringComparison.Ordinal) && body.Contains("13:00", StringComparison.Ordinal));
        var plannedForOfficer = (await fixture.Client.JsonAsync("scheduler", $"/api/scheduler/officers/{officer.Id}/sms")).EnumerateArray().ToList();
        var sentNotice = Assert.Single(plannedForOfficer, s => s.GetProperty("kind").GetString() == "change_notice");
        Assert.Equal("dispatched", sentNotice.GetProperty("status").GetString());
        Assert.Contains(sentNotice.GetProperty("body").GetString(), reached);

        await p.GetByRole(AriaRole.Navigation).GetByRole(AriaRole.Link, new() { Name = "Envíos de SMS" }).ClickAsync();
        var planned = p.GetByRole(AriaRole.Region, new() { Name = "Lo programado, por estado" });
        var notices = planned.GetByRole(AriaRole.Row).Filter(new() { HasText = "Aviso de cambio" });
        await Expect(notices).ToHaveCountAsync(1);
        await Expect(notices.GetByRole(AriaRole.Cell).Nth(3)).ToHaveTextAsync(members.Count.ToString("N0", Spanish));
        await page.CheckAsync("managers-day-delivery");

        await p.GetByRole(AriaRole.Navigation).GetByRole(AriaRole.Link, new() { Name = "Personal" }).ClickAsync();
        await p.GetByLabel("Buscar por placa o nombre").FillAsync(officer.Badge);
        await p.GetByLabel("Buscar por placa o nombre").PressAsync("Enter");
        await p.GetByRole(AriaRole.Link, new() { Name = officer.Badge, Exact = true }).ClickAsync();
        // Each training SMS by its kind, with the text the officer read; the day-before reminder still to come.
        var history = p.GetByRole(AriaRole.Region, new() { Name = "Historial de apoyo" }).Locator("ol > li");
        var invitation = history.Filter(new() { HasText = "Invitación a la capacitación" });
        var notice = history.Filter(new() { HasText = "Aviso de cambio en la capacitación" });
        await Expect(invitation).ToHaveCountAsync(1);
        await Expect(invitation).ToContainTextAsync("entregado");
        await Expect(notice).ToHaveCountAsync(1);
        await Expect(notice).ToContainTextAsync("entregado");
        await Expect(notice).ToContainTextAsync(new Regex("Texto: «Cambio en su curso de Justicia Procedimental: ahora es el .*13:00 h"));
        var dayBefore = history.Filter(new() { HasText = "Recordatorio del día anterior" });
        await Expect(dayBefore).ToContainTextAsync("pendiente");
        await Expect(dayBefore).ToContainTextAsync(new Regex(@"Programado para (domingo|lunes|martes|miércoles|jueves|viernes|sábado) \d"));
        await page.CheckAsync("managers-day-officer");
        Assert.Equal(2, timeline.GetProperty("sms").EnumerateArray().Count(s => s.GetProperty("purpose").GetString() == "logistics" && s.GetProperty("status").GetString() == "delivered"));
    }

    sealed record Member(Guid Id, string Badge, string Phone);

    async Task<long> OfficerCountAsync(string query = "")
    {
        using var response = await fixture.Manager.GetAsync($"/api/enrollment/officers?pageSize=1&{query}");
        response.EnsureSuccessStatusCode();
        return long.Parse(response.Headers.GetValues("X-Total-Count").Single(), CultureInfo.InvariantCulture);
    }

    Task<JsonElement> CohortAsync(Guid cohortId) => fixture.Client.JsonAsync("scheduler", $"/api/scheduler/cohorts/{cohortId}");

    /// <summary>The cohort's members who get SMS, by Enrollment's record, with their phone from the roster (the services show it masked; the provider's log, whole).</summary>
    async Task<List<Member>> GettingSmsAsync(Guid cohortId)
    {
        var ids = (await CohortAsync(cohortId)).GetProperty("members").EnumerateArray().Select(m => m.GetGuid()).ToList();
        var lookup = await fixture.Manager.PostAsJsonAsync("/api/enrollment/officers/lookup", new { officerIds = ids });
        lookup.EnsureSuccessStatusCode();
        var phones = RosterParser.Parse(CsvText.Decode(SampleFiles.Roster).Text).Rows.ToDictionary(r => r.Badge, r => r.PhoneE164);
        return [.. (await lookup.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("officers").EnumerateArray()
            .Where(o => !o.GetProperty("noSms").GetBoolean())
            .Select(o => new Member(o.GetProperty("id").GetGuid(), o.GetProperty("badge").GetString()!, phones[o.GetProperty("badge").GetString()!]))
            .OrderBy(m => m.Badge, StringComparer.Ordinal)];
    }

    /// <summary>Arms reach the Scheduler as events: a plan made before they arrive would leave people out.</summary>
    async Task WaitForSchedulerToKnowTheArmsAsync()
    {
        var treated = (await fixture.Client.OfficersAsync()).EnumerateArray().Count(o => o.GetProperty("randomizedArm").GetString() == "treatment");
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        await EventuallyAsync(async () =>
        {
            var plan = await fixture.Client.DryRunPlanAsync(today.AddDays(7), today.AddDays(30), []);
            return plan.GetProperty("officers").GetInt32() + plan.GetProperty("unplaced").EnumerateArray().Sum(u => u.GetProperty("trainees").GetInt32()) == treated;
        }, $"the Scheduler to know the {treated} treatment officers");
    }

    /// <summary>The Scheduler has handed every SMS of <paramref name="kind"/> of the cohort to Messaging.</summary>
    Task WaitForSmsAsync(Guid cohortId, string kind, int count) => EventuallyAsync(async () =>
        (await CohortAsync(cohortId)).GetProperty("sms").EnumerateArray()
            .Where(s => s.GetProperty("kind").GetString() == kind && s.GetProperty("status").GetString() == "dispatched").Sum(s => s.GetProperty("count").GetInt64()) == count,
        $"{count} {kind} SMS of cohort {cohortId} dispatched");

    /// <summary>The provider reported <paramref name="logistics"/> training SMS delivered to the officer, as Attendance recorded them.</summary>
    async Task<JsonElement> WaitForDeliveredAsync(Guid officerId, int logistics)
    {
        JsonElement timeline = default;
        await EventuallyAsync(async () =>
        {
            timeline = await fixture.Client.JsonAsync("attendance", $"/api/attendance/officers/{officerId}/timeline");
            return timeline.GetProperty("sms").EnumerateArray().Count(s => s.GetProperty("purpose").GetString() == "logistics" && s.GetProperty("status").GetString() == "delivered") == logistics;
        }, $"{logistics} training SMS delivered to officer {officerId}");
        return timeline;
    }

    static async Task EventuallyAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"Waited 30 s for {what}.");
            await Task.Delay(100);
        }
    }
}
