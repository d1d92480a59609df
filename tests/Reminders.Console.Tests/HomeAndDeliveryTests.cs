using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Reminders.Contracts;
using Reminders.Enrollment.Roster;
using Reminders.Local.Sample;
using Reminders.Platform.Csv;

namespace Reminders.Console.Tests;

/// <summary>
/// The manager's home (where the study stands, each number as the services report it, SMS to control officers) and the
/// delivery monitor (a refused SMS's reason in words, a reply a person must read marked handled under their name), on the
/// sample study (60 sectors, 2,240 officers) randomized through the API.
/// </summary>
public sealed class HomeAndDeliveryTests(ConsoleFixture fixture) : IClassFixture<ConsoleFixture>
{
    static readonly CultureInfo Spanish = CultureInfo.GetCultureInfo("es-MX");
    const long Seed = 20240901;

    async Task EnsureStudyAsync()
    {
        if ((await fixture.Client.SectorsAsync()).GetArrayLength() > 0) return;
        await fixture.Client.LoadSectorsAsync(SampleFiles.Sectors);
        await fixture.Client.ImportRosterAsync(SampleFiles.Roster);
        await fixture.Client.RandomizeAsync(Seed, ["alcaldia"]);
    }

    async Task<JsonElement> ApiAsync(string path) => await fixture.Manager.GetFromJsonAsync<JsonElement>(path);

    static string N(long value) => value.ToString("N0", Spanish);

    /// <summary>The number beside a term in a region's list of figures.</summary>
    static ILocator Figure(ILocator region, string term) =>
        region.Locator("div").Filter(new() { Has = region.Page.Locator("dt", new() { HasTextRegex = new($"^{System.Text.RegularExpressions.Regex.Escape(term)}$") }) })
            .Locator("dd");

    [Fact]
    public async Task A_manager_sees_on_home_the_numbers_the_services_report_with_no_sms_to_control_officers_and_runs_the_audit()
    {
        await EnsureStudyAsync();
        var summary = await ApiAsync("/api/enrollment/summary");
        var dispatch = await ApiAsync("/api/scheduler/dispatch");
        await using var page = await fixture.SignInAsync("ana");
        await page.Page.GotoAsync("/");

        var p = page.Page;
        await Assertions.Expect(p.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Cómo va el estudio");
        var sectors = p.GetByRole(AriaRole.Region, new() { Name = "Sectores", Exact = true });
        await Assertions.Expect(Figure(sectors, "Cargados")).ToHaveTextAsync(N(summary.GetProperty("sectors").GetInt32()));
        var byArm = summary.GetProperty("sectorsByArm");
        await Assertions.Expect(Figure(sectors, "Aleatorizados")).ToHaveTextAsync(N(byArm.GetProperty("treatment").GetInt64() + byArm.GetProperty("control").GetInt64()));
        await Assertions.Expect(Figure(sectors, "tratamiento")).ToHaveTextAsync(N(byArm.GetProperty("treatment").GetInt64()));
        await Assertions.Expect(Figure(sectors, "control")).ToHaveTextAsync(N(byArm.GetProperty("control").GetInt64()));
        Assert.Equal("/sectors", await Figure(sectors, "Cargados").GetByRole(AriaRole.Link).GetAttributeAsync("href"));

        var officers = p.GetByRole(AriaRole.Region, new() { Name = "Personal" });
        await Assertions.Expect(Figure(officers, "En la lista")).ToHaveTextAsync(N(summary.GetProperty("officersTotal").GetInt64()));
        await Assertions.Expect(Figure(officers, "Sin consentimiento para SMS")).ToHaveTextAsync(N(summary.GetProperty("consentNo").GetInt64()));
        Assert.Equal("/officers?consent=no", await Figure(officers, "Sin consentimiento para SMS").GetByRole(AriaRole.Link).GetAttributeAsync("href"));

        var reminders = p.GetByRole(AriaRole.Region, new() { Name = "Recordatorios" });
        await Assertions.Expect(Figure(reminders, "Programados para hoy"))
            .ToHaveTextAsync(N(dispatch.GetProperty("remindersToday").GetProperty("total").GetInt64()));
        var cohorts = (await ApiAsync("/api/scheduler/cohorts")).GetArrayLength();
        var training = p.GetByRole(AriaRole.Region, new() { Name = "Grupos de capacitación" });
        await Assertions.Expect(Figure(training, "Programados o en curso")).ToHaveTextAsync(N(cohorts));

        var control = p.GetByRole(AriaRole.Region, new() { Name = "SMS a policías del grupo control" });
        var smsSummary = await ApiAsync("/api/messaging/sms/summary");
        Assert.Equal(0, smsSummary.GetProperty("toControlOfficers").GetInt64());
        await Assertions.Expect(control.GetByRole(AriaRole.Link, new() { Name = "0 SMS a policías del grupo control: ver la auditoría" })).ToBeVisibleAsync();
        await Assertions.Expect(control).ToContainTextAsync("Correcto: ningún policía del grupo control recibió un SMS.");
        await page.CheckAsync("home");

        await control.GetByRole(AriaRole.Button, new() { Name = "Ejecutar la auditoría ahora" }).ClickAsync();
        await Assertions.Expect(p.GetByRole(AriaRole.Status)).ToHaveTextAsync("La auditoría terminó. Su resultado está abajo.");
        await Assertions.Expect(control).ToContainTextAsync("Sin diferencias");
        await Assertions.Expect(control).ToContainTextAsync("En el registro del proveedor (última auditoría): 0.");
        await Assertions.Expect(control).ToContainTextAsync("por ana");
        await page.CheckAsync("home-after-audit");

        // The audit ran as the person who pressed the button, and the provider's log agrees: nothing reached a control officer.
        var run = (await ApiAsync("/api/messaging/audit/runs")).EnumerateArray().OrderByDescending(r => r.GetProperty("ranAt").GetDateTimeOffset()).First();
        Assert.Equal("ana", run.GetProperty("ranBy").GetString());
        Assert.True(run.GetProperty("clean").GetBoolean());
        Assert.False(run.GetProperty("differencesByKind").TryGetProperty("control_arm_sms", out _));
    }

    [Fact]
    public async Task The_delivery_monitor_says_why_an_sms_was_refused_in_spanish_and_a_reply_marked_handled_is_recorded_with_the_persons_name()
    {
        await EnsureStudyAsync();
        var roster = RosterParser.Parse(CsvText.Decode(SampleFiles.Roster).Text).Rows.ToDictionary(r => r.Badge);
        var people = (await fixture.Client.OfficersAsync()).EnumerateArray().ToList();
        JsonElement InArm(string arm) => people.First(o => o.GetProperty("randomizedArm").GetString() == arm && o.GetProperty("consent").GetBoolean()
            && o.GetProperty("status").GetString() == "active");

        // An automatic reply for an officer randomized to control, put on the bus as Messaging's own replies are (the audit expects
        // every other purpose to come from the Scheduler): Messaging refuses it.
        var controlOfficer = InArm(StudyArms.Control).GetProperty("id").GetGuid();
        var services = fixture.Services.Services;
        var endpoint = await services.GetRequiredService<IBus>().GetSendEndpoint(new Uri($"queue:{QueueNames.SendSms}"));
        var smsId = Guid.NewGuid();
        await endpoint.Send(new SendSms(smsId, controlOfficer, SmsPurposes.Reply, "Respuesta: Justicia Procedimental.", services.GetRequiredService<TimeProvider>().GetUtcNow()));
        await EventuallyAsync(async () => (await fixture.Manager.GetAsync($"/api/messaging/sms/{smsId}")) is { IsSuccessStatusCode: true } r
            && (await r.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("state").GetString() == "refused");
        Assert.Equal("arm_mismatch", (await ApiAsync($"/api/messaging/sms/{smsId}")).GetProperty("refusalReason").GetString());

        // A treatment officer writes something the system cannot act on: a person must read it.
        var treated = roster[InArm(StudyArms.Treatment).GetProperty("badge").GetString()!];
        const string question = "¿A qué hora es la capacitación del jueves?";
        await fixture.Client.SimulateReplyAsync(treated.PhoneE164, "+15005550006", question);
        await EventuallyAsync(async () => (await ApiAsync("/api/messaging/inbound?category=other")).EnumerateArray().Any(r => r.GetProperty("body").GetString() == question));

        await using var page = await fixture.SignInAsync("ana");
        await page.Page.GotoAsync("/delivery");
        var p = page.Page;
        await Assertions.Expect(p.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Envíos de SMS");
        var failed = p.GetByRole(AriaRole.Region, new() { Name = "Fallidos y rechazados" });
        var refusedRow = failed.GetByRole(AriaRole.Row).Filter(new() { HasText = "arm_mismatch" });
        await Assertions.Expect(refusedRow).ToContainTextAsync("Respuesta automática");
        await Assertions.Expect(refusedRow).ToContainTextAsync("rechazado");
        await Assertions.Expect(refusedRow).ToContainTextAsync("aleatorizado al grupo control: no recibe SMS");
        var replies = p.GetByRole(AriaRole.Region, new() { Name = "Respuestas que necesitan a una persona" });
        await Assertions.Expect(replies).ToContainTextAsync(question);
        await Assertions.Expect(p.GetByRole(AriaRole.Region, new() { Name = "Ritmo de envío" }).GetByRole(AriaRole.Cell, new() { Name = "+15005550006" })).ToBeVisibleAsync();
        await page.CheckAsync("delivery");

        var item = replies.GetByRole(AriaRole.Listitem).Filter(new() { HasText = question });
        await item.GetByLabel("Nota (qué se hizo)").FillAsync("Se le llamó; confirmó su sesión del jueves.");
        await item.GetByRole(AriaRole.Button, new() { Name = "Marcar como atendida" }).ClickAsync();
        await Assertions.Expect(p.GetByRole(AriaRole.Status)).ToHaveTextAsync("Respuesta marcada como atendida; queda registrado su nombre.");
        await Assertions.Expect(replies.GetByRole(AriaRole.Button, new() { Name = "Marcar como atendida" })).ToHaveCountAsync(0);
        await Assertions.Expect(replies.GetByRole(AriaRole.Listitem).Filter(new() { HasText = question }))
            .ToContainTextAsync("Atendida por ana el ");
        await page.CheckAsync("delivery-reply-handled");

        var handled = (await ApiAsync("/api/messaging/inbound?category=other&handled=true")).EnumerateArray().Single(r => r.GetProperty("body").GetString() == question);
        Assert.Equal("ana", handled.GetProperty("handledBy").GetString());
        Assert.Equal("Se le llamó; confirmó su sesión del jueves.", handled.GetProperty("handledNote").GetString());
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
}
