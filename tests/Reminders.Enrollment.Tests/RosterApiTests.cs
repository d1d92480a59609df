using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Reminders.Contracts;
using Reminders.Enrollment.Roster;
using Reminders.Enrollment.Tests.Infrastructure;

namespace Reminders.Enrollment.Tests;

/// <summary>POST /api/enrollment/roster through the real host (SQLite in a temp folder, the in-memory bus, API keys), sectors loaded first.</summary>
public sealed class RosterApiTests : IAsyncLifetime
{
    EnrollmentApp app = null!;

    public async Task InitializeAsync() => app = await EnrollmentApp.StartWithSectorsAsync();
    public async Task DisposeAsync() => await app.DisposeAsync();

    static (int, string, string, string) Tuple(RosterError e) => (e.Line, e.Column, e.Value, e.Reason);

    [Fact]
    public async Task Apply_of_a_good_roster_creates_the_officers_in_their_loaded_sectors()
    {
        var report = await app.ImportAsync(Rosters.Good);

        Assert.Equal(("apply", "utf-8", 3, 3, 0, 0, true), (report.Mode, report.Encoding, report.Rows, report.Imported, report.Updated, report.Unchanged, report.Written));
        Assert.Empty(report.Rejected);
        Assert.Null(report.RejectsCsv);
        var officers = await app.OfficersAsync();
        Assert.Equal(
            [("B-001", "Ana López", "officer", "S01", "+52******5678", true, "active"), ("B-002", "Juan Pérez", "officer", "S01", "+52******6789", true, "active"),
             ("B-003", "María García", "commander", "S02", "+52******7890", false, "active")],
            officers.Select(o => (o.Badge, o.Name, o.Role, o.SectorCode, o.PhoneMasked, o.Consent, o.Status)));
        Assert.All(officers, o => Assert.Null(o.RandomizedArm));
        Assert.Equal([("S01", 2L, 0L), ("S02", 0L, 1L), ("S03", 0L, 0L), ("S04", 0L, 0L)],
            (await app.SectorsAsync()).Select(s => (s.Code, s.Officers, s.Commanders)));
    }

    [Fact]
    public async Task A_name_typed_on_two_lines_of_its_cell_with_alt_enter_is_imported_with_a_space()
    {
        // Excel writes Alt+Enter as a bare LF inside the quoted cell, in a file whose records end in CRLF.
        var csv = "placa,nombre,rol,sector,teléfono,consentimiento\r\n" +
                  "B-001,\"Juan\nPérez\",policía,S01,55 1234 5678,sí\r\n" +
                  "B-002,\"María\r\nGarcía\",\"mando\nmedio\",S02,55 2345 6789,sí\r\n" +
                  "B-003,Rosa,policía,S01,55 1234,sí\r\n";

        var report = await app.ImportAsync(csv, mode: "apply-valid");

        Assert.Equal((2, true), (report.Imported, report.Written));
        Assert.Equal([(7, "phone", "55 1234")], report.Rejected.Select(e => (e.Line, e.Column, e.Value)));
        Assert.Equal([("B-001", "Juan Pérez", "officer"), ("B-002", "María García", "commander")],
            (await app.OfficersAsync()).Select(o => (o.Badge, o.Name, o.Role)));
    }

    [Fact]
    public async Task A_row_in_a_sector_that_was_never_loaded_is_rejected()
    {
        var csv = Rosters.Csv("B-001,Ana,officer,S01,5512345678,yes", "B-002,Juan,officer,S99,5523456789,yes", "B-003,Rosa,officer,s02,5534567890,yes");

        var report = await app.ImportAsync(csv, expected: HttpStatusCode.UnprocessableEntity);

        Assert.Equal([(3, "sector", "S99", "Sector S99 is not registered; load the sectors first.")], report.Rejected.Select(Tuple));
        Assert.False(report.Written);
        Assert.Empty(await app.OfficersAsync());
        // Sector codes match whatever their case, and stay the sector's own spelling.
        await app.ImportAsync(Rosters.Csv("B-003,Rosa,officer,s02,5534567890,yes"));
        Assert.Equal("S02", (await app.OfficerAsync("B-003")).SectorCode);
    }

    [Fact]
    public async Task Without_loaded_sectors_every_row_is_rejected()
    {
        await using var empty = await EnrollmentApp.StartAsync();

        var report = await EnrollmentApp.ReportAsync<RosterImportReport>(await empty.PostRosterAsync(Rosters.Good), HttpStatusCode.UnprocessableEntity);

        Assert.Equal([(2, "sector", "S01"), (3, "sector", "S01"), (4, "sector", "S02")], report.Rejected.Select(e => (e.Line, e.Column, e.Value)));
        Assert.Empty(await empty.OfficersAsync());
    }

    [Fact]
    public async Task Apply_with_one_bad_row_is_422_with_the_row_error_and_writes_and_publishes_nothing()
    {
        var csv = Rosters.Csv(
            "B-001,Ana López,officer,S01,55 1234 5678,yes",
            "B-002,Juan Pérez,officer,S01,55 1234 567,yes",
            "B-003,María García,commander,S02,55 3456 7890,no");

        var report = await app.ImportAsync(csv, expected: HttpStatusCode.UnprocessableEntity);

        Assert.Equal([(3, "phone", "55 1234 567", "Not a valid phone number for MX (9 digits).")], report.Rejected.Select(Tuple));
        Assert.Equal(("apply", 3, 2, false), (report.Mode, report.Rows, report.Imported, report.Written));
        Assert.Empty(await app.OfficersAsync());
        Assert.Equal(0, await app.CountAsync("SELECT COUNT(*) FROM officers"));

        // Nothing reached the outbox either: after a later good import, only its own events are on the bus.
        await app.ImportAsync(Rosters.Csv("B-009,Otro,officer,S03,55 9999 0000,yes"));
        await Eventually.UntilAsync(app, () => app.Bus.Published<OfficerEnrolled>().Count >= 1, "the good import's OfficerEnrolled is published");
        Assert.Single(app.Bus.Published<OfficerEnrolled>());
        Assert.Single(app.Bus.Sent<UpdateOfficerContact>());
    }

    [Fact]
    public async Task Dry_run_reports_what_apply_would_do_and_writes_nothing()
    {
        var report = await app.ImportAsync(Rosters.Good, mode: "dry-run");

        Assert.Equal(("dry-run", 3, 3, false), (report.Mode, report.Rows, report.Imported, report.Written));
        Assert.Empty(await app.OfficersAsync());
        Assert.Equal(0, await app.CountAsync("SELECT COUNT(*) FROM outbox_messages WHERE message_type LIKE '%Officer%'"));
    }

    [Fact]
    public async Task Dry_run_of_a_bad_roster_is_200_with_the_rejected_rows()
    {
        var report = await app.ImportAsync(Rosters.Csv("B-001,Ana,sargento,S01,5512345678,yes", "B-002,Juan,officer,S01,5523456789,yes"), mode: "dry-run");

        Assert.Equal([(2, "role", "sargento", "Role must be officer (policía, oficial) or commander (mando, mando medio, comandante).")],
            report.Rejected.Select(Tuple));
        Assert.Equal((2, 1, false), (report.Rows, report.Imported, report.Written));
        Assert.StartsWith("B-001,Ana,sargento,S01,5512345678,yes,\"role: Role must be officer", report.RejectsCsv!.Split("\r\n")[1]);
        Assert.Empty(await app.OfficersAsync());
    }

    [Fact]
    public async Task Dry_run_is_the_default_mode()
    {
        var response = await app.Client().PostAsync("/api/enrollment/roster", new StringContent(Rosters.Good, Encoding.UTF8, "text/csv"));

        Assert.Equal("dry-run", (await EnrollmentApp.ReportAsync<RosterImportReport>(response, HttpStatusCode.OK)).Mode);
        Assert.Empty(await app.OfficersAsync());
    }

    [Fact]
    public async Task Reimporting_the_same_roster_changes_nothing_and_creates_no_duplicates()
    {
        await app.ImportAsync(Rosters.Good);
        var officersBefore = await app.OfficersAsync();

        var report = await app.ImportAsync(Rosters.Good);

        Assert.Equal((0, 0, 3, 0, 0), (report.Imported, report.Updated, report.Unchanged, report.Transferred, report.Reactivated));
        Assert.Equal(officersBefore, await app.OfficersAsync());
        // A later new officer is the only enrollment announced after the first three.
        await app.ImportAsync(Rosters.Csv("B-004,Luis,officer,S01,55 4567 8901,yes"));
        await Eventually.UntilAsync(app, () => app.Bus.Published<OfficerEnrolled>().Count >= 4, "four OfficerEnrolled are published");
        await Task.Delay(200);
        Assert.Equal(4, app.Bus.Published<OfficerEnrolled>().Select(e => e.OfficerId).Distinct().Count());
        Assert.Equal(4, app.Bus.Published<OfficerEnrolled>().Count);
        Assert.Equal(4, app.Bus.Sent<UpdateOfficerContact>().Count);
    }

    public static TheoryData<string, byte[], string> SpreadsheetExports()
    {
        // Excel in a Spanish locale: semicolons, Spanish headers, CRLF, accents; "mando medio" is a commander.
        const string csv = "NÚMERO_EMPLEADO;Nombre;Rol;Sector;Teléfono;Consentimiento\r\n" +
                           "B-001;José Peña;Policía;S01;044 55 1234 5678;Sí\r\n" +
                           "B-002;Begoña Núñez;Mando Medio;S01;+52 1 55 2345 6789;No\r\n";
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        return new()
        {
            { "utf-8", Encoding.UTF8.GetBytes(csv), "utf-8" },
            { "utf-8 with BOM", [.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes(csv)], "utf-8-bom" },
            { "windows-1252", Encoding.GetEncoding(1252).GetBytes(csv), "windows-1252" },
            { "utf-16 LE", [.. Encoding.Unicode.GetPreamble(), .. Encoding.Unicode.GetBytes(csv)], "utf-16le" },
            { "utf-16 BE", [.. Encoding.BigEndianUnicode.GetPreamble(), .. Encoding.BigEndianUnicode.GetBytes(csv)], "utf-16be" },
            { "utf-8, LF, tabs", Encoding.UTF8.GetBytes(csv.Replace("\r\n", "\n").Replace(';', '\t')), "utf-8" },
        };
    }

    [Theory]
    [MemberData(nameof(SpreadsheetExports))]
    public async Task A_spreadsheet_export_in_any_encoding_is_imported_with_its_accents(string kind, byte[] body, string encoding)
    {
        var report = await app.ImportAsync(body);

        Assert.True((encoding, 2) == (report.Encoding, report.Imported), kind);
        Assert.Equal([("B-001", "José Peña", "officer", "+52******5678", true), ("B-002", "Begoña Núñez", "commander", "+52******6789", false)],
            (await app.OfficersAsync()).Select(o => (o.Badge, o.Name, o.Role, o.PhoneMasked, o.Consent)));
    }

    [Fact]
    public async Task Every_phone_format_of_the_issue_is_stored_as_plus_52_and_ten_digits()
    {
        string[] formats = ["55 1234 5601", "(55) 1234-5602", "+52 1 55 1234 5603", "044 55 1234 5604", "045 55 1234 5605", "525512345606", "+52 55 1234 5607", "5512345608"];
        var csv = Rosters.Csv([.. formats.Select((phone, i) => $"B-{i:000},Officer {i},officer,S01,{phone},yes")]);

        var report = await app.ImportAsync(csv);

        Assert.Equal(8, report.Imported);
        await Eventually.UntilAsync(app, () => app.Bus.Sent<UpdateOfficerContact>().Count == 8, "eight contacts are sent to Messaging");
        Assert.Equal(Enumerable.Range(1, 8).Select(i => $"+52551234560{i}"),
            app.Bus.Sent<UpdateOfficerContact>().Select(s => ((UpdateOfficerContact)s.Message).PhoneE164).Order());
        Assert.Equal(Enumerable.Range(1, 8).Select(i => $"+52******560{i}"), (await app.OfficersAsync()).Select(o => o.PhoneMasked));
    }

    [Fact]
    public async Task Phones_that_are_not_a_valid_mexican_mobile_are_refused_with_their_reason()
    {
        var csv = Rosters.Csv(
            "B-001,Ana,officer,S01,55 1234 56,yes",
            "B-002,Juan,officer,S01,+1 415 555 2671,yes",
            "B-003,Rosa,officer,S01,55 12AB 5678,yes",
            "B-004,Luis,officer,S01,800 123 4567,yes");

        var report = await app.ImportAsync(csv, expected: HttpStatusCode.UnprocessableEntity);

        Assert.Equal(
            [
                (2, "phone", "55 1234 56", "Not a valid phone number for MX (8 digits)."),
                (3, "phone", "+1 415 555 2671", "Not a Mexican number (+1); allowed: MX."),
                (4, "phone", "55 12AB 5678", "A phone may contain only digits, spaces, + ( ) - and dots."),
                (5, "phone", "800 123 4567", "Not a mobile number (toll free)."),
            ],
            report.Rejected.Select(Tuple));
    }

    [Fact]
    public async Task Another_country_is_accepted_when_the_configuration_allows_it()
    {
        await using var withUs = await EnrollmentApp.StartWithSectorsAsync(settings: new Dictionary<string, string?>
        {
            ["Enrollment:AllowedPhoneRegions:0"] = "MX", ["Enrollment:AllowedPhoneRegions:1"] = "US",
        });
        var csv = Rosters.Csv("B-001,Ana,officer,S01,+1 415 555 2671,yes", "B-002,Juan,officer,S01,55 2345 6789,yes", "B-003,Rosa,officer,S01,+34 612 345 678,yes");

        var report = await EnrollmentApp.ReportAsync<RosterImportReport>(await withUs.PostRosterAsync(csv, "apply-valid"), HttpStatusCode.OK);

        Assert.Equal([(4, "phone", "+34 612 345 678", "Not a Mexican number (+34); allowed: MX, US.")], report.Rejected.Select(Tuple));
        var officers = await withUs.OfficersAsync();
        Assert.Equal(["B-001", "B-002"], officers.Select(o => o.Badge));
        Assert.Equal("+52******6789", officers[1].PhoneMasked);
        Assert.EndsWith("2671", officers[0].PhoneMasked);
        Assert.DoesNotContain("555", officers[0].PhoneMasked);
        await Eventually.UntilAsync(withUs, () => withUs.Bus.Sent<UpdateOfficerContact>().Count == 2, "both contacts are sent");
        Assert.Contains(withUs.Bus.Sent<UpdateOfficerContact>(), s => ((UpdateOfficerContact)s.Message).PhoneE164 == "+14155552671");
    }

    [Fact]
    public async Task Unknown_columns_are_kept_as_attributes_of_the_officer()
    {
        var csv = "placa,nombre,rol,sector,celular,consentimiento,Turno,Fecha de ingreso,Observaciones\n" +
                  "B-001,Ana,policía,S01,5512345678,sí,Nocturno,2019-03-01,\"Habla náhuatl, inglés\"\n" +
                  "B-002,Juan,policía,S01,5523456789,sí,,,\n";

        await app.ImportAsync(csv);

        var ana = await app.OfficerDetailAsync((await app.OfficerAsync("B-001")).Id);
        Assert.Equal(new Dictionary<string, string> { ["Turno"] = "Nocturno", ["Fecha de ingreso"] = "2019-03-01", ["Observaciones"] = "Habla náhuatl, inglés" },
            ana.Attributes);
        Assert.Empty((await app.OfficerDetailAsync((await app.OfficerAsync("B-002")).Id)).Attributes);

        // A changed attribute is an update.
        var report = await app.ImportAsync(csv.Replace("Nocturno", "Matutino"));
        Assert.Equal((1, 1), (report.Updated, report.Unchanged));
        Assert.Equal("Matutino", (await app.OfficerDetailAsync(ana.Officer.Id)).Attributes["Turno"]);
    }

    [Fact]
    public async Task Duplicates_in_the_file_are_reported_for_badge_and_phone()
    {
        var csv = Rosters.Csv(
            "B-001,Ana,officer,S01,55 1234 5678,yes",
            "B-002,Juan,officer,S01,55 2345 6789,yes",
            "B-001,Ana Otra,officer,S02,55 3456 7890,yes",
            "B-004,Luis,officer,S02,+52 1 55 2345 6789,yes");

        var report = await app.ImportAsync(csv, expected: HttpStatusCode.UnprocessableEntity);

        Assert.Equal(
            [
                (4, "badge", "B-001", "Badge B-001 appears twice in the file (also on line 2)."),
                (5, "phone", "+52 1 55 2345 6789", "The same phone is given for two officers in the file (also on line 3)."),
            ],
            report.Rejected.Select(Tuple));
        Assert.Empty(await app.OfficersAsync());
    }

    [Fact]
    public async Task A_phone_that_belongs_to_another_enrolled_officer_is_refused()
    {
        await app.ImportAsync(Rosters.Good);

        var report = await app.ImportAsync(Rosters.Csv("B-004,Luis,officer,S01,(55) 1234-5678,yes"), expected: HttpStatusCode.UnprocessableEntity);

        Assert.Equal([(2, "phone", "+525512345678", "This phone belongs to officer B-001.")], report.Rejected.Select(Tuple));
        Assert.Equal(3, (await app.OfficersAsync()).Count);
    }

    [Fact]
    public async Task Two_officers_may_swap_phones_in_one_import()
    {
        await app.ImportAsync(Rosters.Good);
        var swapped = Rosters.Good.Replace("55 1234 5678", "TEMP").Replace("55 2345 6789", "55 1234 5678").Replace("TEMP", "55 2345 6789");

        var report = await app.ImportAsync(swapped);

        Assert.Equal((2, 1), (report.Updated, report.Unchanged));
        Assert.Equal([("B-001", "+52******6789"), ("B-002", "+52******5678"), ("B-003", "+52******7890")],
            (await app.OfficersAsync()).Select(o => (o.Badge, o.PhoneMasked)));
    }

    [Fact]
    public async Task A_phone_freed_by_another_officer_in_the_same_file_may_be_taken()
    {
        await app.ImportAsync(Rosters.Good);

        // B-002 gets a new number; a new officer takes B-002's old one.
        var report = await app.ImportAsync(Rosters.Csv("B-002,Juan Pérez,officer,S01,55 9876 5432,yes", "B-004,Luis,officer,S01,55 2345 6789,yes"));

        Assert.Equal((1, 1), (report.Imported, report.Updated));
        Assert.Equal("+52******6789", (await app.OfficerAsync("B-004")).PhoneMasked);
    }

    [Fact]
    public async Task A_phone_is_not_freed_by_an_officer_whose_own_row_is_rejected()
    {
        await app.ImportAsync(Rosters.Good);

        // B-002 would move to another number, but their row names an unknown sector: their phone stays theirs, so B-004 cannot take it.
        var csv = Rosters.Csv("B-004,Luis,officer,S01,55 2345 6789,yes", "B-002,Juan Pérez,officer,S99,55 9876 5432,yes", "B-005,Rosa,officer,S02,55 5555 0005,yes");
        var report = await app.ImportAsync(csv, mode: "apply-valid");

        Assert.Equal(
            [(2, "phone", "+525523456789", "This phone belongs to officer B-002."), (3, "sector", "S99", "Sector S99 is not registered; load the sectors first.")],
            report.Rejected.Select(Tuple));
        Assert.Equal([("B-001", "+52******5678"), ("B-002", "+52******6789"), ("B-003", "+52******7890"), ("B-005", "+52******0005")],
            (await app.OfficersAsync()).Select(o => (o.Badge, o.PhoneMasked)));
        // The next import still works (no two officers share a phone).
        Assert.Equal(4, (await app.ImportAsync(Rosters.Good + "B-005,Rosa,officer,S02,55 5555 0005,yes\n")).Unchanged);
    }

    [Theory]
    [InlineData("=HYPERLINK(\"\"http://example.com\"\",\"\"clic\"\")", "=HYPERLINK(\"http://example.com\",\"clic\")")]
    [InlineData("+Ana", "+Ana")]
    [InlineData("-Ana", "-Ana")]
    [InlineData("@Ana", "@Ana")]
    public async Task A_formula_in_a_name_is_stored_as_text(string cell, string stored)
    {
        await app.ImportAsync(Rosters.Csv($"B-001,\"{cell}\",officer,S01,5512345678,yes"));

        Assert.Equal(stored, (await app.OfficerAsync("B-001")).Name);
    }

    [Fact]
    public async Task Control_characters_and_over_long_cells_are_refused()
    {
        var csv = Rosters.Csv($"B-001,Ana\u0007,officer,S01,5512345678,yes", $"B-002,{new string('x', 201)},officer,S01,5523456789,yes", $"{new string('b', 65)},Rosa,officer,S01,5534567890,yes");

        var report = await app.ImportAsync(csv, expected: HttpStatusCode.UnprocessableEntity);

        Assert.Equal(
            [
                (2, "name", "Ana\u0007", "Contains control characters."),
                (3, "name", new string('x', 40) + "…", "At most 200 characters."),
                (4, "badge", new string('b', 40) + "…", "At most 64 characters."),
            ],
            report.Rejected.Select(Tuple));
    }

    [Fact]
    public async Task Enrollment_events_on_the_bus_carry_no_phone_number_and_no_name()
    {
        await app.ImportAsync(Rosters.Good);
        await Eventually.UntilAsync(app, () => app.Bus.Published<OfficerEnrolled>().Count == 3 && app.Bus.Sent<UpdateOfficerContact>().Count == 3,
            "three OfficerEnrolled published and three UpdateOfficerContact sent");

        var officers = await app.OfficersAsync();
        foreach (var enrolled in app.Bus.Published<OfficerEnrolled>())
        {
            using var json = JsonDocument.Parse(JsonSerializer.Serialize(enrolled, JsonSerializerOptions.Web));
            Assert.Equal(["officerId", "sectorId", "role", "enrolledAt", "consent"], json.RootElement.EnumerateObject().Select(p => p.Name));
            Assert.Contains(enrolled.OfficerId, officers.Select(o => o.Id));
        }
        // No published event of any type carries a phone, a name or a badge.
        foreach (var published in app.Bus.AllPublished)
        {
            var text = JsonSerializer.Serialize(published.Message, published.Message.GetType(), JsonSerializerOptions.Web);
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
        await app.ImportAsync(Rosters.Good);
        // Four SectorRegistered from loading the sectors, three OfficerEnrolled from the roster.
        await Eventually.UntilAsync(app, () => app.Bus.AllPublished.Count == 7, "four SectorRegistered and three OfficerEnrolled are published");

        var ids = app.Bus.AllPublished.Select(p => p.MessageId).ToList();
        Assert.DoesNotContain(null, ids);
        Assert.Equal(7, ids.Distinct().Count());
    }

    [Fact]
    public async Task Importing_without_a_key_is_401_and_without_the_manager_role_403()
    {
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.PostRosterAsync(Rosters.Good, key: null)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.PostRosterAsync(Rosters.Good, key: "not-a-key")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await app.PostRosterAsync(Rosters.Good, key: EnrollmentApp.TrainerKey)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await app.PostRosterAsync(Rosters.Good, key: EnrollmentApp.ResearcherKey)).StatusCode);
        Assert.Empty(await app.OfficersAsync());
    }

    [Theory]
    [InlineData("mode=yolo", "mode")]
    [InlineData("mode=apply&transferDate=01/02/2025", "transferDate")]
    [InlineData("mode=apply&transferDate=2025-02-30", "transferDate")]
    public async Task A_bad_query_parameter_is_400_problem_details_naming_it(string query, string field)
    {
        var response = await app.Client().PostAsync($"/api/enrollment/roster?{query}", new StringContent(Rosters.Good, Encoding.UTF8, "text/csv"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(field, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("field").GetString());
        Assert.Empty(await app.OfficersAsync());
    }

    [Fact]
    public async Task A_roster_over_20_MB_is_413_whether_its_length_is_declared_or_chunked()
    {
        var body = Encoding.UTF8.GetBytes(Rosters.Header + "\n" + string.Concat(Enumerable.Repeat("B-001,Ana,officer,S01,5512345678,yes\n", 25 * 1024 * 1024 / 37)));
        Assert.True(body.Length > 24 * 1024 * 1024);

        var declared = await app.PostRosterAsync(body);
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/enrollment/roster?mode=apply") { Content = new UnknownLengthContent(body) };
        request.Headers.TransferEncodingChunked = true;
        var streamed = await app.Client().SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, declared.StatusCode);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, streamed.StatusCode);
        Assert.Equal("body", (await streamed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("field").GetString());
        Assert.Empty(await app.OfficersAsync());
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
        ["duplicate unknown headers"] = () => Encoding.UTF8.GetBytes(Rosters.Header + ",turno,Turno,turno\nB-001,Ana,officer,S01,5512345678,yes,a,b,c\n"),
        ["long phone"] = () => Encoding.UTF8.GetBytes(Rosters.Header + "\nB-001,Ana,officer,S01," + new string('5', 5000) + ",yes\n"),
        ["utf-16 without BOM"] = () => Encoding.Unicode.GetBytes(Rosters.Good),
        ["lone utf-16 BOM"] = () => [0xFF, 0xFE, 0x41],
        ["CR only line ends"] = () => Encoding.UTF8.GetBytes(Rosters.Good.Replace("\n", "\r")),
    };

    public static TheoryData<string> GarbageKinds => new(Garbage.Keys);

    [Theory]
    [MemberData(nameof(GarbageKinds))]
    public async Task Garbage_bodies_never_give_a_server_error(string kind)
    {
        var body = Garbage[kind]();
        foreach (var mode in new[] { "dry-run", "apply", "apply-valid" })
        {
            var response = await app.PostRosterAsync(body, mode, query: "fullRoster=true");
            Assert.True((int)response.StatusCode < 500, $"{kind} ({mode}): {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
    }

    [Fact]
    public async Task A_wrong_content_type_is_a_client_error_not_a_server_error()
    {
        var response = await app.Client().PostAsync("/api/enrollment/roster?mode=apply", JsonContent.Create(new { badge = "B-001" }));

        Assert.True((int)response.StatusCode < 500, $"{(int)response.StatusCode}");
    }

    /// <summary>A body sent without a Content-Length, as a chunked upload is.</summary>
    sealed class UnknownLengthContent : HttpContent
    {
        readonly byte[] body;

        public UnknownLengthContent(byte[] body)
        {
            this.body = body;
            Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        }

        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => stream.WriteAsync(body).AsTask();

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
