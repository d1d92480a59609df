using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Reminders.Local.Sample;
using Reminders.Web;
using Reminders.Web.Components.Pages.Officers;
using Reminders.Web.Services;

namespace Reminders.Console.Tests;

/// <summary>The officers list (search and filters, paged on the server) and an officer's page (record, support timeline, status change).</summary>
public sealed class OfficersPageTests(ConsoleFixture fixture) : IClassFixture<ConsoleFixture>
{
    static readonly CultureInfo Spanish = CultureInfo.GetCultureInfo("es-MX");
    static readonly SemaphoreSlim StudyLock = new(1, 1);

    /// <summary>The sample study (60 sectors, 2,240 officers), once per host.</summary>
    async Task LoadStudyAsync()
    {
        await StudyLock.WaitAsync();
        try
        {
            if ((await fixture.Client.SectorsAsync()).GetArrayLength() > 0) return;
            await fixture.Client.LoadSectorsAsync(SampleFiles.Sectors);
            await fixture.Client.ImportRosterAsync(SampleFiles.Roster);
        }
        finally { StudyLock.Release(); }
    }

    async Task<(long Total, List<JsonElement> Officers)> ApiOfficersAsync(string query)
    {
        using var response = await fixture.Manager.GetAsync($"/api/enrollment/officers?{query}");
        response.EnsureSuccessStatusCode();
        var total = long.Parse(response.Headers.GetValues("X-Total-Count").Single(), CultureInfo.InvariantCulture);
        return (total, (await response.Content.ReadFromJsonAsync<JsonElement>()).EnumerateArray().ToList());
    }

    static ILocator Total(IPage page) => page.GetByRole(AriaRole.Status).Filter(new() { HasText = "policías encontrados" });

    static ILocator Badges(IPage page) => page.GetByRole(AriaRole.Link, new() { NameRegex = new Regex(@"^SSC-\d+$") });

    static Task<IReadOnlyList<string>> BadgesAsync(IPage page) => Badges(page).AllInnerTextsAsync();

    /// <summary>The list shows exactly these badges, in order (retried: the grid re-renders when a page or filter loads).</summary>
    static Task ExpectBadgesAsync(IPage page, IEnumerable<JsonElement> officers) =>
        Assertions.Expect(Badges(page)).ToHaveTextAsync(officers.Select(o => o.GetProperty("badge").GetString()!).ToArray());

    [Fact]
    public async Task The_officers_list_is_searched_and_filtered_on_the_server_a_page_at_a_time_and_the_url_keeps_the_filters()
    {
        await LoadStudyAsync();
        await using var page = await fixture.SignInAsync("ana");
        var p = page.Page;

        // Watch the list from the first paint: the page becoming interactive must not empty it and ask again (it once did, for a moment).
        await p.AddInitScriptAsync("""
            window.officersListBlinked = false;
            new MutationObserver(() => {
              const rows = document.querySelectorAll('a[href^="officers/"], a[href^="/officers/"]').length;
              if (rows > 0) window.officersListShown = true;
              else if (window.officersListShown || document.body?.innerText.includes('Buscando policías')) window.officersListBlinked = true;
            }).observe(document, { childList: true, subtree: true, characterData: true });
            """);
        await p.GotoAsync("/officers");
        var all = await ApiOfficersAsync("pageSize=25");
        await Assertions.Expect(Total(p)).ToHaveTextAsync($"{all.Total.ToString("N0", Spanish)} policías encontrados");
        await Assertions.Expect(p.GetByRole(AriaRole.Link, new() { Name = all.Officers[0].GetProperty("badge").GetString()!, Exact = true })).ToBeVisibleAsync();
        await ExpectBadgesAsync(p, all.Officers);
        await Assertions.Expect(p.GetByLabel("Buscar por placa o nombre")).ToBeEnabledAsync();
        Assert.False(await p.EvaluateAsync<bool>("window.officersListBlinked"), "the list emptied while the page became interactive");
        Assert.Contains(all.Officers[0].GetProperty("phoneMasked").GetString()!, await p.GetByRole(AriaRole.Row).Nth(1).InnerTextAsync());
        await page.CheckAsync("officers");

        await p.GetByLabel("Ir a la página 2").ClickAsync();
        var second = await ApiOfficersAsync("pageSize=25&page=2");
        await Assertions.Expect(p.GetByRole(AriaRole.Link, new() { Name = second.Officers[0].GetProperty("badge").GetString()!, Exact = true })).ToBeVisibleAsync();
        await ExpectBadgesAsync(p, second.Officers);
        var pageTwo = await BadgesAsync(p);
        Assert.Empty(pageTwo.Intersect(all.Officers.Select(o => o.GetProperty("badge").GetString()!)));
        await page.CheckAsync("officers-page-2");

        // A sector where some officers said no to SMS.
        var code = (await ApiOfficersAsync("consent=no&pageSize=1")).Officers[0].GetProperty("sectorCode").GetString()!;
        await p.GetByLabel("Sector").SelectOptionAsync(code);
        // The address changes in place (history.replaceState): no navigation to wait for, only the URL to read.
        await Assertions.Expect(p).ToHaveURLAsync(new Regex($@"/officers\?sector={code}$"));
        var sector = await ApiOfficersAsync($"sector={code}&pageSize=25");
        await Assertions.Expect(Total(p)).ToHaveTextAsync($"{sector.Total.ToString("N0", Spanish)} policías encontrados");
        await p.GetByLabel("Consentimiento").SelectOptionAsync("no");
        await Assertions.Expect(p).ToHaveURLAsync(new Regex($@"/officers\?sector={code}&consent=no$"));
        var noConsent = await ApiOfficersAsync($"sector={code}&consent=no&pageSize=25");
        Assert.InRange(noConsent.Total, 1, sector.Total - 1);
        await Assertions.Expect(Total(p)).ToHaveTextAsync($"{noConsent.Total.ToString("N0", Spanish)} policías encontrados");
        await ExpectBadgesAsync(p, noConsent.Officers);
        await page.CheckAsync("officers-filtered");

        // A link from elsewhere (the home page) opens the list already filtered.
        await p.GotoAsync("/officers?status=active&role=commander&sector=IZP-01");
        var commanders = await ApiOfficersAsync("sector=IZP-01&role=commander&status=active&pageSize=25");
        await Assertions.Expect(Total(p)).ToHaveTextAsync($"{commanders.Total.ToString("N0", Spanish)} policías encontrados");
        await Assertions.Expect(p.GetByLabel("Rol")).ToHaveValueAsync("commander");
        await Assertions.Expect(p.GetByLabel("Estado")).ToHaveValueAsync("active");

        var someone = noConsent.Officers[0];
        await p.GetByRole(AriaRole.Button, new() { Name = "Quitar filtros" }).ClickAsync();
        await Assertions.Expect(p).ToHaveURLAsync(new Regex("/officers$"));
        await p.GetByLabel("Buscar por placa o nombre").FillAsync(someone.GetProperty("name").GetString()!);
        await p.GetByLabel("Buscar por placa o nombre").PressAsync("Enter");
        await Assertions.Expect(Total(p)).ToHaveTextAsync("1 policías encontrados");
        await ExpectBadgesAsync(p, [someone]);
    }

    [Fact]
    public async Task An_officers_page_shows_the_record_and_the_support_timeline_and_a_status_change_is_recorded_under_the_managers_name()
    {
        await LoadStudyAsync();
        await fixture.Client.RandomizeAsync(7);
        var treatment = (await fixture.Client.SectorsAsync()).EnumerateArray().First(s => s.GetProperty("arm").GetString() == "treatment");
        var code = treatment.GetProperty("code").GetString()!;
        (await fixture.Manager.PostAsJsonAsync("/api/scheduler/venues", new { name = "Academia de Policía, Aula 1", capacity = 60 })).EnsureSuccessStatusCode();
        await PlanTrainingAsync(treatment);
        var officer = (await ApiOfficersAsync($"sector={code}&role=officer&consent=yes&pageSize=1")).Officers.Single();
        var id = officer.GetProperty("id").GetGuid();
        var badge = officer.GetProperty("badge").GetString()!;
        await WaitForTimelineAsync(id);

        await using var page = await fixture.SignInAsync("ana");
        var p = page.Page;
        await p.GotoAsync($"/officers?search={badge}");
        await p.GetByRole(AriaRole.Link, new() { Name = badge, Exact = true }).ClickAsync();
        await p.WaitForURLAsync($"**/officers/{id}");
        await Assertions.Expect(p.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToContainTextAsync(officer.GetProperty("name").GetString()!);
        var record = p.GetByRole(AriaRole.Region, new() { Name = "Datos del policía" });
        await Assertions.Expect(record).ToContainTextAsync("tratamiento");
        await Assertions.Expect(record).ToContainTextAsync(officer.GetProperty("phoneMasked").GetString()!);
        var timeline = p.GetByRole(AriaRole.Region, new() { Name = "Historial de apoyo" });
        await Assertions.Expect(timeline.GetByRole(AriaRole.Listitem).Filter(new() { HasText = "Capacitación, día 1" })).ToContainTextAsync("hora de Ciudad de México");
        await Assertions.Expect(timeline.GetByRole(AriaRole.Listitem).Filter(new() { HasText = "Invitación a la capacitación" }).First)
            .ToContainTextAsync(new Regex("enviado|entregado"));
        await Assertions.Expect(timeline.GetByRole(AriaRole.Listitem).Filter(new() { HasText = "Ahora:" })).ToHaveCountAsync(1);
        await page.CheckAsync("officer");

        await p.GetByLabel("Nuevo estado").SelectOptionAsync(new SelectOptionValue { Label = "retirado del estudio" });
        await p.GetByLabel("Motivo del cambio").FillAsync("Pidió salir del estudio");
        await p.GetByRole(AriaRole.Button, new() { Name = "Cambiar el estado" }).ClickAsync();
        await Assertions.Expect(p.GetByRole(AriaRole.Status)).ToContainTextAsync("Quedó registrado a nombre de ana");
        await Assertions.Expect(timeline.GetByRole(AriaRole.Listitem).Filter(new() { HasText = "Cambio de estado" }).Last)
            .ToContainTextAsync("activo → retirado del estudio");
        await Assertions.Expect(timeline.GetByRole(AriaRole.Listitem).Filter(new() { HasText = "Cambio de estado" }).Last)
            .ToContainTextAsync("Por ana (responsable del programa) · Motivo: Pidió salir del estudio");
        await page.CheckAsync("officer-status-changed");

        var detail = await fixture.Manager.GetFromJsonAsync<JsonElement>($"/api/enrollment/officers/{id}");
        var last = detail.GetProperty("statusHistory").EnumerateArray().Last();
        Assert.Equal(("withdrawn", "ana", "manager", "Pidió salir del estudio"),
            (last.GetProperty("status").GetString(), last.GetProperty("changedBy").GetString(), last.GetProperty("source").GetString(), last.GetProperty("reason").GetString()));
        Assert.Equal("withdrawn", detail.GetProperty("officer").GetProperty("status").GetString());

        // A roster re-import moves the officer to another sector: the transfer joins the timeline with its date and who recorded it.
        var other = (await fixture.Client.SectorsAsync()).EnumerateArray().Select(s => s.GetProperty("code").GetString()!).First(c => c != code);
        await fixture.Client.ImportRosterAsync(MovedTo(badge, other));
        await p.ReloadAsync();
        await Assertions.Expect(timeline.GetByRole(AriaRole.Listitem).Filter(new() { HasText = $"Transferido del sector {code} al {other}" })).ToHaveCountAsync(1);
        await page.CheckAsync("officer-transferred");
    }

    /// <summary>
    /// The sector's 3-day training, planned once the Scheduler has heard of the draw and of every officer of the sector (arms and
    /// enrollments reach it through the bus): a dry run until it would place them all, then the plan.
    /// </summary>
    async Task PlanTrainingAsync(JsonElement sector)
    {
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        var people = sector.GetProperty("officers").GetInt64() + sector.GetProperty("commanders").GetInt64();
        object Body(bool dryRun) => new
        {
            from = today.AddDays(7).ToString("yyyy-MM-dd"), to = today.AddDays(60).ToString("yyyy-MM-dd"),
            sectorCodes = new[] { sector.GetProperty("code").GetString() }, dryRun,
        };
        var deadline = DateTimeOffset.UtcNow.AddSeconds(60);
        while (true)
        {
            using var dryRun = await fixture.Manager.PostAsJsonAsync("/api/scheduler/plans", Body(true));
            var answer = await dryRun.Content.ReadAsStringAsync();
            if (dryRun.IsSuccessStatusCode && JsonSerializer.Deserialize<JsonElement>(answer).GetProperty("officers").GetInt64() == people) break;
            Assert.True(DateTimeOffset.UtcNow < deadline, $"The Scheduler would not place the {people} people of the sector after 60 s: {answer}");
            await Task.Delay(250);
        }
        using var plan = await fixture.Manager.PostAsJsonAsync("/api/scheduler/plans", Body(false));
        Assert.True(plan.IsSuccessStatusCode, await plan.Content.ReadAsStringAsync());
    }

    /// <summary>The officer's own row of the sample roster with another sector, as a one-row roster file.</summary>
    static byte[] MovedTo(string badge, string sector)
    {
        var lines = Encoding.UTF8.GetString(SampleFiles.Roster).TrimStart('\uFEFF').Split(["\r\n", "\n"], StringSplitOptions.RemoveEmptyEntries);
        var row = lines.Single(l => l.StartsWith(badge + ";", StringComparison.Ordinal)).Split(';');
        row[3] = sector;
        return Encoding.UTF8.GetBytes(lines[0] + "\r\n" + string.Join(';', row) + "\r\n");
    }

    /// <summary>Attendance hears of the plan and the invitations through the bus: wait until the officer's sessions and first SMS are there.</summary>
    async Task WaitForTimelineAsync(Guid officerId)
    {
        var deadline = DateTimeOffset.UtcNow.AddSeconds(60);
        var last = "";
        while (true)
        {
            using var response = await fixture.Manager.GetAsync($"/api/attendance/officers/{officerId}/timeline");
            last = await response.Content.ReadAsStringAsync();
            if (response.IsSuccessStatusCode)
            {
                var timeline = JsonSerializer.Deserialize<JsonElement>(last);
                if (timeline.GetProperty("sessions").GetArrayLength() > 0
                    && timeline.GetProperty("sms").EnumerateArray().Any(s => s.GetProperty("history").GetArrayLength() > 0)) return;
            }
            Assert.True(DateTimeOffset.UtcNow < deadline, $"Attendance has no sessions and sent SMS for officer {officerId} after 60 s: {last}");
            await Task.Delay(250);
        }
    }
}

/// <summary>The timeline puts every source's entries in one list in time order, transfers at the start of their day in the officer's zone.</summary>
public sealed class OfficerTimelineTests
{
    static readonly TimeZoneInfo MexicoCity = TimeZoneInfo.FindSystemTimeZoneById("America/Mexico_City");

    [Fact]
    public void Sessions_sms_status_changes_and_transfers_are_one_list_in_time_order()
    {
        var at = new DateTimeOffset(2026, 12, 7, 16, 0, 0, TimeSpan.Zero);
        var officer = new OfficerView(Guid.NewGuid(), "B-1", "Ana", "officer", "S02", "+52******0001", true, "active", "treatment", false, null);
        var detail = new OfficerDetailView(officer, new Dictionary<string, string>(),
            [new StatusChangeView("sms_opted_out", "active", "keyword", "", null, at.AddDays(2))],
            [new TransferView("S01", "S02", "treatment", "treatment", false, "2026-12-08", "ana", at.AddDays(2).AddHours(1)),
             new TransferView("S02", "S03", "treatment", "treatment", false, "2026-12-12", "ana")]);
        var timeline = new TimelineView(officer.Id, null, "officer", "active",
            [new TimelineSessionView(Guid.NewGuid(), Guid.NewGuid(), 1, "2026-12-10", at.AddDays(3), at.AddDays(3).AddHours(5), "scheduled", false, "absent", 0, 300)],
            [new TimelineSmsView(Guid.NewGuid(), "logistics", null, null, "delivered", null, "SM1", at, at.AddMinutes(1), null, null, null,
                [new TimelineSmsEventView("accepted", "queued", null, "SM1", at)]),
             new TimelineSmsView(Guid.NewGuid(), "reminder", 1, at.AddDays(4), "pending", null, null, null, null, null, null, null, [])]);

        var entries = OfficerTimeline.Build(detail, timeline, MexicoCity);

        Assert.Equal([typeof(SmsEntry), typeof(StatusEntry), typeof(TransferEntry), typeof(SessionEntry), typeof(SmsEntry), typeof(TransferEntry)],
            entries.Select(e => e.GetType()));
        // Recorded after the status change, though dated by the roster at the start of that day.
        Assert.Equal((new DateOnly(2026, 12, 8), at.AddDays(2).AddHours(1)), (((TransferEntry)entries[2]).On, entries[2].At));
        // With no moment recorded, at the start of its date in the officer's zone.
        Assert.Equal(new DateTimeOffset(2026, 12, 12, 0, 0, 0, TimeSpan.FromHours(-6)), entries[5].At);
        Assert.True(entries[4].IsUpcoming(at.AddDays(5)));  // pending with no event yet: still to come even past its due time
        Assert.False(entries[0].IsUpcoming(at.AddDays(-1)));
    }

    [Fact]
    public void A_training_sms_the_scheduler_has_not_handed_to_messaging_joins_the_list_and_one_already_sent_is_not_shown_twice()
    {
        var at = new DateTimeOffset(2026, 12, 7, 16, 0, 0, TimeSpan.Zero);
        var officer = new OfficerView(Guid.NewGuid(), "B-1", "Ana", "officer", "S02", "+52******0001", true, "active", "treatment", false, null);
        var detail = new OfficerDetailView(officer, new Dictionary<string, string>(), [], []);
        var sent = Guid.NewGuid();
        var timeline = new TimelineView(officer.Id, null, "officer", "active", [],
            [new TimelineSmsView(sent, "logistics", null, null, "delivered", null, "SM1", at, at.AddMinutes(1), null, null, null, [new TimelineSmsEventView("accepted", "queued", null, "SM1", at)])]);
        OfficerPlannedSmsView Planned(Guid id, string kind, string status, string? reason = null, string purpose = "logistics") =>
            new(id, purpose, kind, null, null, null, "texto", at.AddDays(6), status, reason, null);

        var entries = OfficerTimeline.Build(detail, timeline, MexicoCity,
            [Planned(sent, "invitation", "dispatched"), Planned(Guid.NewGuid(), "day_before", "planned"), Planned(Guid.NewGuid(), "day_before", "cancelled", "plan_changed"),
             Planned(Guid.NewGuid(), "invitation", "skipped", "no_consent"), Planned(Guid.NewGuid(), "reminder", "planned", purpose: "reminder")]);

        var sms = entries.OfType<SmsEntry>().Select(e => (e.Sms.Status, e.Sms.SkipReason)).ToList();
        Assert.Equal([("delivered", null), ("pending", null), ("skipped", "no_consent")], sms.OrderBy(s => s.Status == "delivered" ? 0 : 1));
        Assert.True(entries.OfType<SmsEntry>().Single(e => e.Sms.Status == "pending").IsUpcoming(at));
    }

    [Theory]
    [InlineData("accepted", "sent")]
    [InlineData("queued", "sent")]
    [InlineData("delivered", "delivered")]
    [InlineData("undelivered", "undelivered")]
    [InlineData("failed", "failed")]
    [InlineData("skipped", "skipped")]
    [InlineData("refused", "refused")]
    [InlineData("cancelled", "cancelled")]
    [InlineData("pending", "pending")]
    [InlineData("deferred", "pending")]
    public void Every_sms_status_has_one_shared_word(string status, string word) => Assert.Equal(word, StatusWords.SmsStatusKey(status));
}
