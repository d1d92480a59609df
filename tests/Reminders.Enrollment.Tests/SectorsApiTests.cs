using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Reminders.Contracts;
using Reminders.Enrollment.Roster;
using Reminders.Enrollment.Sectors;
using Reminders.Enrollment.Tests.Infrastructure;

namespace Reminders.Enrollment.Tests;

/// <summary>POST and GET /api/enrollment/sectors: code, name and named strata, all or nothing, frozen once randomized.</summary>
public sealed class SectorsApiTests : IAsyncLifetime
{
    EnrollmentApp app = null!;

    public async Task InitializeAsync() => app = await EnrollmentApp.StartAsync();
    public async Task DisposeAsync() => await app.DisposeAsync();

    static (int, string, string, string) Tuple(RosterError e) => (e.Line, e.Column, e.Value, e.Reason);

    async Task<SectorImportReport> LoadAsync(string body, string mode = "apply", string contentType = "text/csv", HttpStatusCode expected = HttpStatusCode.OK) =>
        await EnrollmentApp.ReportAsync<SectorImportReport>(await app.PostSectorsAsync(body, mode, contentType), expected);

    static Dictionary<string, string> Strata(params (string Key, string Value)[] pairs) => pairs.ToDictionary(p => p.Key, p => p.Value);

    [Fact]
    public async Task A_csv_loads_codes_names_and_every_other_column_as_a_stratum()
    {
        var csv = "Código;Nombre;Alcaldía;Tamaño\r\nCUH-01;Cuauhtémoc Centro;Cuauhtémoc;grande\r\n\r\nIZT-01;\"Iztapalapa; Oriente\";Iztapalapa;chico\r\n";

        var report = await LoadAsync(csv);

        Assert.Equal(("apply", 2, 2, 0, 0, true), (report.Mode, report.Rows, report.Created, report.Updated, report.Unchanged, report.Written));
        var sectors = await app.SectorsAsync();
        Assert.Equal([("CUH-01", "Cuauhtémoc Centro"), ("IZT-01", "Iztapalapa; Oriente")], sectors.Select(s => (s.Code, s.Name)));
        Assert.Equal(Strata(("Alcaldía", "Cuauhtémoc"), ("Tamaño", "grande")), sectors[0].Strata);
        Assert.Equal(Strata(("Alcaldía", "Iztapalapa"), ("Tamaño", "chico")), sectors[1].Strata);
        Assert.All(sectors, s => Assert.Equal((null, 0L, 0L), (s.Arm, s.Officers, s.Commanders)));
        await Eventually.UntilAsync(app, () => app.Bus.Published<SectorRegistered>().Count == 2, "two SectorRegistered are published");
        Assert.Equal(["CUH-01", "IZT-01"], app.Bus.Published<SectorRegistered>().Select(s => s.SectorCode).Order());
    }

    [Theory]
    [InlineData("code,name\nS01,Uno\n")]
    [InlineData("CODIGO,NOMBRE\nS01,Uno\n")]
    [InlineData("clave\tnombre\nS01\tUno\n")]
    [InlineData("sector;name\nS01;Uno\n")]
    [InlineData("\uFEFFcode,name\r\nS01,Uno\r\n")]
    public async Task Code_and_name_headers_in_english_or_spanish(string csv)
    {
        await LoadAsync(csv);

        var sector = Assert.Single(await app.SectorsAsync());
        Assert.Equal(("S01", "Uno"), (sector.Code, sector.Name));
        Assert.Empty(sector.Strata);
    }

    [Fact]
    public async Task A_windows_1252_csv_keeps_its_accents()
    {
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        var body = new ByteArrayContent(Encoding.GetEncoding(1252).GetBytes("codigo,nombre,alcaldia\nCOY-01,Coyoacán Centro,Coyoacán\n"));
        body.Headers.ContentType = new("text/csv");

        Assert.Equal(HttpStatusCode.OK, (await app.Client().PostAsync("/api/enrollment/sectors?mode=apply", body)).StatusCode);

        var sector = Assert.Single(await app.SectorsAsync());
        Assert.Equal(("Coyoacán Centro", "Coyoacán"), (sector.Name, sector.Strata["alcaldia"]));
    }

    [Fact]
    public async Task A_json_array_loads_sectors_with_their_strata()
    {
        var json = """
            [ {"code": "CUH-01", "name": "Cuauhtémoc Centro", "strata": {"alcaldia": "Cuauhtémoc", "size": "large"}},
              {"code": " IZT-01 ", "name": "Iztapalapa Oriente", "strata": {"alcaldia": "Iztapalapa", "size": "small"}},
              {"code": "TLP-01", "name": "Tlalpan"} ]
            """;

        var report = await LoadAsync(json, contentType: "application/json");

        Assert.Equal((3, 3), (report.Rows, report.Created));
        var sectors = await app.SectorsAsync();
        Assert.Equal(["CUH-01", "IZT-01", "TLP-01"], sectors.Select(s => s.Code));
        Assert.Equal(Strata(("alcaldia", "Iztapalapa"), ("size", "small")), sectors[1].Strata);
        Assert.Empty(sectors[2].Strata);
    }

    [Fact]
    public async Task A_dry_run_reports_and_writes_nothing()
    {
        var report = await LoadAsync(Rosters.Sectors, mode: "dry-run");

        Assert.Equal(("dry-run", 4, 4, false), (report.Mode, report.Rows, report.Created, report.Written));
        Assert.Empty(await app.SectorsAsync());
        // dry-run is the default.
        var response = await app.Client().PostAsync("/api/enrollment/sectors", new StringContent(Rosters.Sectors, Encoding.UTF8, "text/csv"));
        Assert.Equal("dry-run", (await EnrollmentApp.ReportAsync<SectorImportReport>(response, HttpStatusCode.OK)).Mode);
        Assert.Empty(await app.SectorsAsync());
    }

    [Fact]
    public async Task Reloading_updates_names_and_strata_until_randomization()
    {
        await LoadAsync(Rosters.Sectors);

        var report = await LoadAsync("code,name,zone,size\nS01,Sector Uno,A,large\nS02,Sector Dos Norte,B,small\nS03,Sector Tres,A,large\nS04,Sector Cuatro,B,small\nS05,Sector Cinco,A,small\n");

        Assert.Equal((5, 1, 4, 0), (report.Rows, report.Created, report.Updated, report.Unchanged));
        var sectors = await app.SectorsAsync();
        Assert.Equal(("S02", "Sector Dos Norte"), (sectors[1].Code, sectors[1].Name));
        Assert.Equal(Strata(("size", "small"), ("zone", "B")), sectors[1].Strata);
        var unchanged = await LoadAsync("code,name,zone,size\nS01,Sector Uno,A,large\n");
        Assert.Equal((0, 0, 1), (unchanged.Created, unchanged.Updated, unchanged.Unchanged));
    }

    [Fact]
    public async Task After_randomization_strata_are_frozen_names_may_change_and_no_sector_may_join()
    {
        await LoadAsync(Rosters.Sectors);
        await app.RandomizeAllAsync();

        var changedStratum = await LoadAsync(Rosters.Sectors.Replace("S02,Sector Dos,B", "S02,Sector Dos,A"), expected: HttpStatusCode.UnprocessableEntity);
        var newSector = await LoadAsync("code,name,zone\nS05,Sector Cinco,A\n", expected: HttpStatusCode.UnprocessableEntity);
        var renamed = await LoadAsync(Rosters.Sectors.Replace("Sector Dos", "Sector Dos Norte"));

        Assert.Equal([(3, "strata", "{\"zone\":\"A\"}", "The sector is randomized: its strata are frozen.")], changedStratum.Rejected.Select(Tuple));
        Assert.Equal([(2, "code", "S05", "The sectors are randomized: a new sector cannot join the allocation.")], newSector.Rejected.Select(Tuple));
        Assert.False(changedStratum.Written || newSector.Written);
        Assert.Equal((1, 3), (renamed.Updated, renamed.Unchanged));
        var sectors = await app.SectorsAsync();
        Assert.Equal(["S01", "S02", "S03", "S04"], sectors.Select(s => s.Code));
        Assert.Equal(("Sector Dos Norte", "B"), (sectors[1].Name, sectors[1].Strata["zone"]));
        Assert.All(sectors, s => Assert.NotNull(s.Arm));
    }

    [Fact]
    public async Task Any_bad_row_is_422_with_every_reason_and_nothing_is_written()
    {
        var csv = "code,name,zone\n" +
                  "S01,Sector Uno,A\n" +
                  "s01,Otra vez,A\n" +
                  ",Sin código,B\n" +
                  "S04,,B\n" +
                  $"{new string('c', 65)},Largo,A\n" +
                  $"S06,Sector Seis,{new string('z', 101)}\n" +
                  "S07,Sector\u0007Siete,A\n" +
                  "S08,Sector Ocho,A\n";

        var report = await LoadAsync(csv, expected: HttpStatusCode.UnprocessableEntity);

        Assert.Equal(
            [
                (3, "code", "s01", "Sector s01 appears twice (also on line 2)."),
                (4, "code", "", "Code is required."),
                (5, "name", "", "Name is required."),
                (6, "code", new string('c', 65), "A code has at most 64 characters and no control characters."),
                (7, "zone", new string('z', 101), "A stratum value has at most 100 characters and no control characters."),
                (8, "name", "Sector\u0007Siete", "A name has at most 200 characters and no control characters."),
            ],
            report.Rejected.Select(Tuple));
        Assert.False(report.Written);
        Assert.Empty(await app.SectorsAsync());
    }

    [Fact]
    public async Task The_timeZone_header_sets_each_sectors_zone_and_a_zone_that_is_not_iana_is_refused_row_by_row()
    {
        var bad = "code,name,alcaldia,timeZone\n" +
                  "TIJ-01,Tijuana Centro,Tijuana,America/Tijuana\n" +
                  "CUH-01,Cuauhtémoc,Cuauhtémoc,\n" +
                  "TIJ-02,Tijuana Playas,Tijuana,Tijuana\n" +
                  "CUH-02,Centro,Cuauhtémoc,UTC-6 Mexico City\n";

        var refused = await LoadAsync(bad, expected: HttpStatusCode.UnprocessableEntity);

        const string reason = "Not a time zone name: use an IANA name such as America/Mexico_City or America/Tijuana, or leave it empty for the protocol's.";
        Assert.Equal([(4, "timeZone", "Tijuana", reason), (5, "timeZone", "UTC-6 Mexico City", reason)], refused.Rejected.Select(Tuple));
        Assert.False(refused.Written);
        Assert.Empty(await app.SectorsAsync());

        await LoadAsync(bad.Replace(",Tijuana\n", ",America/Tijuana\n").Replace(",UTC-6 Mexico City\n", ",America/Mexico_City\n"));

        var zones = (await app.SectorsAsync()).ToDictionary(s => s.Code, s => s.TimeZone);
        Assert.Equal(("America/Tijuana", null, "America/Tijuana", "America/Mexico_City"), (zones["TIJ-01"], zones["CUH-01"], zones["TIJ-02"], zones["CUH-02"]));
        // The zone is a column of its own, never a stratum.
        Assert.All(await app.SectorsAsync(), s => Assert.Equal(["alcaldia"], s.Strata.Keys));
        await Eventually.UntilAsync(app, () => app.Bus.Published<SectorRegistered>().Count == 4, "four SectorRegistered are published");
        Assert.Equal("America/Tijuana", app.Bus.Published<SectorRegistered>().Single(s => s.SectorCode == "TIJ-02").TimeZone);
    }

    [Theory]
    [InlineData("name,zone\nUno,A\n", "code", "Missing column 'code' (or codigo, clave, sector).")]
    [InlineData("code,zone\nS01,A\n", "name", "Missing column 'name' (or nombre).")]
    [InlineData("", "", "The file is empty: a header row is required.")]
    public async Task A_missing_column_is_422_on_the_header_line(string csv, string column, string reason)
    {
        var report = await LoadAsync(csv, expected: HttpStatusCode.UnprocessableEntity);

        Assert.Contains((1, column, "", reason), report.Rejected.Select(Tuple));
        Assert.Empty(await app.SectorsAsync());
    }

    [Theory]
    [InlineData("code,name,zone,zone\nS01,Uno,A,B\n")]
    [InlineData("code,name,Zone, zone \nS01,Uno,A,B\n")]
    [InlineData("code,code,name\nS01,S02,Uno\n")]
    public async Task A_column_given_twice_is_refused_not_a_server_error(string csv)
    {
        var report = await LoadAsync(csv, expected: HttpStatusCode.UnprocessableEntity);

        var error = Assert.Single(report.Rejected);
        Assert.Equal(1, error.Line);
        Assert.Equal($"Column '{error.Column}' appears twice in the header.", error.Reason);
        Assert.Empty(await app.SectorsAsync());
    }

    [Theory]
    [InlineData("{\"code\":\"S01\"}")]
    [InlineData("[{\"code\":")]
    [InlineData("null")]
    [InlineData("")]
    public async Task Json_that_is_not_an_array_of_sectors_is_400_naming_the_body(string json)
    {
        var response = await app.PostSectorsAsync(json, contentType: "application/json");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("body", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("field").GetString());
    }

    [Fact]
    public async Task Json_naming_a_stratum_twice_is_400_not_a_server_error()
    {
        var response = await app.PostSectorsAsync("""[{"code":"S01","name":"Uno","strata":{"zone":"A"," Zone ":"B"}}]""", contentType: "application/json");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("body", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("field").GetString());
        Assert.Empty(await app.SectorsAsync());
    }

    [Fact]
    public async Task Json_with_missing_fields_or_duplicates_is_422()
    {
        var report = await LoadAsync("""[{"code":"S01","name":"Uno"},{"code":"S01","name":"Dos"},{"name":"Tres"},null]""", contentType: "application/json",
            expected: HttpStatusCode.UnprocessableEntity);

        Assert.Equal([(2, "code", "S01"), (3, "code", ""), (4, "code", ""), (4, "name", "")], report.Rejected.Select(e => (e.Line, e.Column, e.Value)));
        Assert.Empty(await app.SectorsAsync());
    }

    [Fact]
    public async Task An_unknown_mode_is_400()
    {
        var response = await app.PostSectorsAsync(Rosters.Sectors, mode: "apply-valid");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("mode", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("field").GetString());
    }

    [Fact]
    public async Task The_list_counts_officers_and_commanders_and_researchers_may_read_it()
    {
        await LoadAsync(Rosters.Sectors);
        await app.ImportAsync(Rosters.Good);

        var sectors = (await app.Client(EnrollmentApp.ResearcherKey).GetFromJsonAsync<List<SectorsApi.SectorSummary>>("/api/enrollment/sectors"))!;

        Assert.Equal([("S01", 2L, 0L), ("S02", 0L, 1L), ("S03", 0L, 0L), ("S04", 0L, 0L)], sectors.Select(s => (s.Code, s.Officers, s.Commanders)));
        // Pseudonymous: no names or phones of officers in it.
        var text = await app.Client(EnrollmentApp.ResearcherKey).GetStringAsync("/api/enrollment/sectors");
        Assert.DoesNotContain("Ana", text);
        Assert.DoesNotContain("5678", text);
    }

    [Fact]
    public async Task Loading_is_for_managers_listing_for_managers_and_researchers()
    {
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.PostSectorsAsync(Rosters.Sectors, key: null)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await app.PostSectorsAsync(Rosters.Sectors, key: EnrollmentApp.TrainerKey)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await app.PostSectorsAsync(Rosters.Sectors, key: EnrollmentApp.ResearcherKey)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.Client(null).GetAsync("/api/enrollment/sectors")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await app.Client(EnrollmentApp.TrainerKey).GetAsync("/api/enrollment/sectors")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await app.Client(EnrollmentApp.ResearcherKey).GetAsync("/api/enrollment/sectors")).StatusCode);
        Assert.Empty(await app.SectorsAsync());
    }
}
