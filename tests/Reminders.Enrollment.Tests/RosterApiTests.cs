using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Reminders.Contracts;
using Reminders.Enrollment.Roster;
using Reminders.Enrollment.Tests.Infrastructure;

namespace Reminders.Enrollment.Tests;

/// <summary>POST /api/enrollment/roster through the real host: SQLite in a temp folder, the in-memory bus, API keys.</summary>
public sealed class RosterApiTests : IAsyncLifetime
{
    static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    EnrollmentApp app = null!;

    public async Task InitializeAsync() => app = await EnrollmentApp.StartAsync();
    public async Task DisposeAsync() => await app.DisposeAsync();

    static async Task<RosterImportReport> ReportAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(expected == response.StatusCode, $"{(int)response.StatusCode}: {body}");
        return JsonSerializer.Deserialize<RosterImportReport>(body, Json)!;
    }

    [Fact]
    public async Task Apply_of_a_good_roster_creates_the_officers_and_their_sectors()
    {
        var report = await ReportAsync(await app.PostRosterAsync(Rosters.Good), HttpStatusCode.OK);

        Assert.Equal((3, 3, 0, 0, 2, true), (report.Rows, report.Created, report.Updated, report.Unchanged, report.SectorsCreated, report.Applied));
        var officers = await app.OfficersAsync();
        Assert.Equal(
            [("B-001", "Ana López", "officer", "S01", "+52******5678", true), ("B-002", "Juan Pérez", "officer", "S01", "+52******6789", true),
             ("B-003", "María García", "commander", "S02", "+52******7890", false)],
            officers.Select(o => (o.Badge, o.Name, o.Role, o.SectorCode, o.PhoneMasked, o.Consent)));
        Assert.Equal([("S01", 2L), ("S02", 1L)], (await app.SectorsAsync()).Select(s => (s.Code, s.Officers)));
    }

    [Fact]
    public async Task Apply_with_one_bad_row_is_422_with_the_row_errors_and_writes_nothing()
    {
        var csv = Rosters.Csv(
            "B-001,Ana López,officer,S01,55 1234 5678,yes",
            "B-002,Juan Pérez,officer,S01,55 1234 567,yes",
            "B-003,María García,commander,S02,55 3456 7890,no");

        var report = await ReportAsync(await app.PostRosterAsync(csv), HttpStatusCode.UnprocessableEntity);

        var error = Assert.Single(report.Errors);
        Assert.Equal((3, "phone", "55 1234 567"), (error.Line, error.Column, error.Value));
        Assert.False(report.Applied);
        Assert.Empty(await app.OfficersAsync());
        Assert.Empty(await app.SectorsAsync());

        // Nothing reached the outbox either: after a later good import, only its own events are on the bus.
        await ReportAsync(await app.PostRosterAsync(Rosters.Csv("B-009,Otro,officer,S09,55 9999 0000,yes")), HttpStatusCode.OK);
        await Eventually.UntilAsync(app, () => app.Bus.Published<OfficerEnrolled>().Count >= 1, "the good import's OfficerEnrolled is published");
        Assert.Single(app.Bus.Published<OfficerEnrolled>());
        Assert.Equal(["S09"], app.Bus.Published<SectorRegistered>().Select(s => s.SectorCode));
    }

    [Fact]
    public async Task Dry_run_reports_what_apply_would_do_and_writes_nothing()
    {
        var report = await ReportAsync(await app.PostRosterAsync(Rosters.Good, mode: "dry-run"), HttpStatusCode.OK);

        Assert.Equal(("dry-run", 3, 2, false), (report.Mode, report.Created, report.SectorsCreated, report.Applied));
        Assert.Empty(await app.OfficersAsync());
        Assert.Empty(await app.SectorsAsync());
    }

    [Fact]
    public async Task Dry_run_of_a_bad_roster_is_200_with_the_errors()
    {
        var report = await ReportAsync(await app.PostRosterAsync(Rosters.Csv("B-001,Ana,sargento,S01,5512345678,yes"), mode: "dry-run"), HttpStatusCode.OK);

        Assert.Equal((2, "role"), (report.Errors.Single().Line, report.Errors.Single().Column));
        Assert.Empty(await app.OfficersAsync());
    }

    [Fact]
    public async Task Dry_run_is_the_default_mode()
    {
        var response = await app.Client().PostAsync("/api/enrollment/roster", new StringContent(Rosters.Good, Encoding.UTF8, "text/csv"));

        Assert.Equal("dry-run", (await ReportAsync(response, HttpStatusCode.OK)).Mode);
        Assert.Empty(await app.OfficersAsync());
    }

    [Fact]
    public async Task Reimporting_the_same_roster_changes_nothing_and_creates_no_duplicates()
    {
        await ReportAsync(await app.PostRosterAsync(Rosters.Good), HttpStatusCode.OK);
        var officersBefore = await app.OfficersAsync();

        var report = await ReportAsync(await app.PostRosterAsync(Rosters.Good), HttpStatusCode.OK);

        Assert.Equal((0, 0, 3, 0), (report.Created, report.Updated, report.Unchanged, report.SectorsCreated));
        Assert.Equal(officersBefore, await app.OfficersAsync());
        Assert.Equal(2, (await app.SectorsAsync()).Count);
        // A later new officer is the only enrollment announced after the first three.
        await ReportAsync(await app.PostRosterAsync(Rosters.Csv("B-004,Luis,officer,S01,55 4567 8901,yes")), HttpStatusCode.OK);
        await Eventually.UntilAsync(app, () => app.Bus.Published<OfficerEnrolled>().Count >= 4, "four OfficerEnrolled are published");
        Assert.Equal(4, app.Bus.Published<OfficerEnrolled>().Select(e => e.OfficerId).Distinct().Count());
        Assert.Equal(4, app.Bus.Published<OfficerEnrolled>().Count);
    }

    [Fact]
    public async Task A_changed_phone_updates_the_officer_and_sends_the_new_number_only_to_messaging()
    {
        await ReportAsync(await app.PostRosterAsync(Rosters.Good), HttpStatusCode.OK);
        var changed = Rosters.Good.Replace("55 2345 6789", "55 8765 4321");

        var report = await ReportAsync(await app.PostRosterAsync(changed), HttpStatusCode.OK);

        Assert.Equal((0, 1, 2), (report.Created, report.Updated, report.Unchanged));
        var juan = (await app.OfficersAsync()).Single(o => o.Badge == "B-002");
        Assert.Equal("+52******4321", juan.PhoneMasked);
        await Eventually.UntilAsync(app, () => app.Bus.Sent<UpdateOfficerContact>().Any(s => ((UpdateOfficerContact)s.Message).PhoneE164 == "+525587654321"),
            "the new number is sent to Messaging");
        var update = app.Bus.Sent<UpdateOfficerContact>().Single(s => ((UpdateOfficerContact)s.Message).PhoneE164 == "+525587654321");
        Assert.Equal(juan.Id, ((UpdateOfficerContact)update.Message).OfficerId);
        Assert.EndsWith($"/{QueueNames.UpdateOfficerContact}", update.Destination!.AbsolutePath);
    }

    [Fact]
    public async Task A_phone_that_belongs_to_another_enrolled_officer_is_refused()
    {
        await ReportAsync(await app.PostRosterAsync(Rosters.Good), HttpStatusCode.OK);

        var report = await ReportAsync(await app.PostRosterAsync(Rosters.Csv("B-004,Luis,officer,S01,(55) 1234-5678,yes")), HttpStatusCode.UnprocessableEntity);

        var error = Assert.Single(report.Errors);
        Assert.Equal((2, "phone"), (error.Line, error.Column));
        Assert.Contains("B-001", error.Reason);
        Assert.Equal(3, (await app.OfficersAsync()).Count);
    }

    [Fact]
    public async Task Two_officers_may_swap_phones_in_one_import()
    {
        await ReportAsync(await app.PostRosterAsync(Rosters.Good), HttpStatusCode.OK);
        var swapped = Rosters.Good.Replace("55 1234 5678", "TEMP").Replace("55 2345 6789", "55 1234 5678").Replace("TEMP", "55 2345 6789");

        var response = await app.PostRosterAsync(swapped);

        // Either accepted or refused with a reason, but never a server error.
        Assert.NotEqual(HttpStatusCode.InternalServerError, response.StatusCode);
    }

    [Fact]
    public async Task A_change_of_sector_is_refused_as_a_transfer()
    {
        await ReportAsync(await app.PostRosterAsync(Rosters.Good), HttpStatusCode.OK);

        var report = await ReportAsync(await app.PostRosterAsync(Rosters.Good.Replace("officer,S01,55 1234 5678", "officer,S02,55 1234 5678")), HttpStatusCode.UnprocessableEntity);

        Assert.Equal((2, "sector"), (report.Errors.Single().Line, report.Errors.Single().Column));
    }

    [Fact]
    public async Task A_spreadsheet_export_with_bom_semicolons_and_spanish_headers_is_imported()
    {
        var csv = "NUMERO EMPLEADO;Nombre;Rol;Sector;Teléfono;Consentimiento\r\n" +
                  "B-001;Ana López;Policía;S01;044 55 1234 5678;Sí\r\n" +
                  "B-002;Juan Pérez;Mando;S01;+52 1 55 2345 6789;No\r\n";
        var body = Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes(csv)).ToArray();

        var report = await ReportAsync(await app.PostRosterAsync(body), HttpStatusCode.OK);

        Assert.Equal(2, report.Created);
        Assert.Equal([("B-001", "officer", "+52******5678", true), ("B-002", "commander", "+52******6789", false)],
            (await app.OfficersAsync()).Select(o => (o.Badge, o.Role, o.PhoneMasked, o.Consent)));
    }

    [Fact]
    public async Task Enrollment_events_on_the_bus_carry_no_phone_number_and_no_name()
    {
        await ReportAsync(await app.PostRosterAsync(Rosters.Good), HttpStatusCode.OK);
        await Eventually.UntilAsync(app, () => app.Bus.Published<OfficerEnrolled>().Count == 3 && app.Bus.Sent<UpdateOfficerContact>().Count == 3,
            "three OfficerEnrolled published and three UpdateOfficerContact sent");

        var officers = await app.OfficersAsync();
        foreach (var enrolled in app.Bus.Published<OfficerEnrolled>())
        {
            using var json = JsonDocument.Parse(JsonSerializer.Serialize(enrolled, Json));
            Assert.Equal(["officerId", "sectorId", "role", "enrolledAt"], json.RootElement.EnumerateObject().Select(p => p.Name));
            Assert.Contains(enrolled.OfficerId, officers.Select(o => o.Id));
        }
        // No published event of any type carries a phone, a name or a badge.
        foreach (var published in app.Bus.AllPublished)
        {
            var text = JsonSerializer.Serialize(published.Message, published.Message.GetType(), Json);
            foreach (var secret in Rosters.GoodPhones.Concat(Rosters.GoodNames).Concat(["B-001", "B-002", "B-003"]))
                Assert.DoesNotContain(secret, text);
        }
        // The phone travels only in the command to Messaging's own queue.
        Assert.Equal(Rosters.GoodPhones.Select(p => "+52" + p).Order(), app.Bus.Sent<UpdateOfficerContact>().Select(s => ((UpdateOfficerContact)s.Message).PhoneE164).Order());
        Assert.All(app.Bus.Sent<UpdateOfficerContact>(), s => Assert.EndsWith($"/{QueueNames.UpdateOfficerContact}", s.Destination!.AbsolutePath));
    }

    [Fact]
    public async Task Each_event_is_published_with_its_own_message_id()
    {
        await ReportAsync(await app.PostRosterAsync(Rosters.Good), HttpStatusCode.OK);
        await Eventually.UntilAsync(app, () => app.Bus.AllPublished.Count == 5, "three OfficerEnrolled and two SectorRegistered are published");

        var ids = app.Bus.AllPublished.Select(p => p.MessageId).ToList();
        Assert.DoesNotContain(null, ids);
        Assert.Equal(5, ids.Distinct().Count());
    }

    [Fact]
    public async Task Importing_without_a_key_is_401_and_with_a_trainer_key_403()
    {
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.PostRosterAsync(Rosters.Good, key: null)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.PostRosterAsync(Rosters.Good, key: "not-a-key")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await app.PostRosterAsync(Rosters.Good, key: EnrollmentApp.TrainerKey)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await app.PostRosterAsync(Rosters.Good, key: EnrollmentApp.ResearcherKey)).StatusCode);
        Assert.Empty(await app.OfficersAsync());
    }

    [Fact]
    public async Task Officers_with_names_and_phones_are_for_managers_only_sectors_also_for_researchers()
    {
        Assert.Equal(HttpStatusCode.Forbidden, (await app.Client(EnrollmentApp.ResearcherKey).GetAsync("/api/enrollment/officers")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await app.Client(EnrollmentApp.TrainerKey).GetAsync("/api/enrollment/officers")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await app.Client(EnrollmentApp.ResearcherKey).GetAsync("/api/enrollment/sectors")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.Client(null).GetAsync("/api/enrollment/sectors")).StatusCode);
    }

    [Fact]
    public async Task An_unknown_mode_is_400_problem_details()
    {
        var response = await app.PostRosterAsync(Rosters.Good, mode: "yolo");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Empty(await app.OfficersAsync());
    }

    [Fact]
    public async Task A_roster_over_the_size_limit_is_413()
    {
        var body = new byte[20 * 1024 * 1024 + 1];
        Array.Fill(body, (byte)'a');

        var response = await app.PostRosterAsync(body);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    static readonly Dictionary<string, Func<byte[]>> Garbage = new()
    {
        ["empty"] = () => [],
        ["whitespace"] = () => "  \r\n\r\n "u8.ToArray(),
        ["header only"] = () => Encoding.UTF8.GetBytes(Rosters.Header),
        ["json"] = () => """{"badge":"B-001","phone":"5512345678"}"""u8.ToArray(),
        ["binary"] = () => Enumerable.Range(0, 4096).Select(i => (byte)(i * 7919 % 256)).ToArray(),
        ["nul bytes"] = () => new byte[1024],
        ["invalid utf-8"] = () => [0xC3, 0x28, 0xA0, 0xA1, 0xE2, 0x28, 0xA1, 0xF0, 0x28, 0x8C, 0xBC, (byte)',', 0xFF, (byte)'\n'],
        ["unterminated quote"] = () => Encoding.UTF8.GetBytes(Rosters.Header + "\n\"B-001,Ana,officer,S01,5512345678,yes\n"),
        ["stray quotes"] = () => Encoding.UTF8.GetBytes(Rosters.Header + "\nB-0\"01,An\"a,officer,S01,\"55\"12345678,yes\n"),
        ["short and long rows"] = () => Encoding.UTF8.GetBytes(Rosters.Header + "\nB-001\nB-002,Juan,officer,S01,5523456789,yes,extra,extra,extra\n,,,,,\n"),
        ["huge cell"] = () => Encoding.UTF8.GetBytes(Rosters.Header + "\nB-001," + new string('x', 2_000_000) + ",officer,S01,5512345678,yes\n"),
        ["many columns"] = () => Encoding.UTF8.GetBytes(string.Join(",", Enumerable.Range(0, 20_000).Select(i => $"c{i}")) + "\n"),
        ["duplicate headers"] = () => Encoding.UTF8.GetBytes("badge,badge,name,role,sector,phone,phone,consent\nB-001,B-002,Ana,officer,S01,5512345678,5523456789,yes\n"),
        ["long phone"] = () => Encoding.UTF8.GetBytes(Rosters.Header + "\nB-001,Ana,officer,S01," + new string('5', 5000) + ",yes\n"),
        ["utf-16"] = () => Encoding.Unicode.GetPreamble().Concat(Encoding.Unicode.GetBytes(Rosters.Good)).ToArray(),
    };

    public static TheoryData<string> GarbageKinds => new(Garbage.Keys);

    [Theory]
    [MemberData(nameof(GarbageKinds))]
    public async Task Garbage_bodies_never_give_a_server_error(string kind)
    {
        var body = Garbage[kind]();
        foreach (var mode in new[] { "dry-run", "apply" })
        {
            var response = await app.PostRosterAsync(body, mode);
            Assert.True((int)response.StatusCode < 500, $"{kind} ({mode}): {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
    }

    [Fact]
    public async Task A_wrong_content_type_is_a_client_error_not_a_server_error()
    {
        var response = await app.Client().PostAsync("/api/enrollment/roster?mode=apply", JsonContent.Create(new { badge = "B-001" }));

        Assert.True((int)response.StatusCode < 500, $"{(int)response.StatusCode}");
    }
}
