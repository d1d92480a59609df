using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Localization;
using Microsoft.Playwright;
using Reminders.Local.Sample;
using Reminders.Web.Components.Pages.Roster;
using Reminders.Web.Components.Shared;

namespace Reminders.Console.Tests;

/// <summary>A manager loads the sectors, then a roster with a bad row: dry run first, the row report, the rejects file, then the valid rows.</summary>
public sealed class RosterPageTests(ConsoleFixture fixture) : IClassFixture<ConsoleFixture>
{
    static readonly Encoding Windows1252 = CodePage(1252);

    static Encoding CodePage(int number)
    {
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        return Encoding.GetEncoding(number);
    }

    /// <summary>The sample roster's header and first 40 officers, then a row whose role no study knows, saved by Excel: semicolons, Windows-1252.</summary>
    static (byte[] File, string Header, string BadRow) RosterWithABadRow()
    {
        var lines = Encoding.UTF8.GetString(SampleFiles.Roster).TrimStart('\uFEFF').Split(["\r\n", "\n"], StringSplitOptions.RemoveEmptyEntries);
        const string bad = "SSC-999999;José Núñez Peña;sargento;IZP-01;+52 55 9999 0001;sí;matutino";
        var text = string.Join("\r\n", lines.Take(41).Append(bad)) + "\r\n";
        return (Windows1252.GetBytes(text), lines[0], bad);
    }

    [Fact]
    public async Task A_manager_loads_the_sectors_then_a_roster_sees_the_bad_row_downloads_the_rejects_as_uploaded_and_applies_the_valid_rows()
    {
        await using var page = await fixture.SignInAsync("ana");
        var p = page.Page;

        await p.GotoAsync("/sectors");
        await Assertions.Expect(p.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Sectores");
        await Assertions.Expect(p.GetByText("Todavía no hay sectores")).ToBeVisibleAsync();
        await page.CheckAsync("sectors-empty");

        await p.GetByLabel("Archivo CSV de sectores").SetInputFilesAsync(new FilePayload { Name = "sectores.csv", MimeType = "text/csv", Buffer = SampleFiles.Sectors });
        await p.GetByRole(AriaRole.Button, new() { Name = "Revisar el archivo" }).ClickAsync();
        await Assertions.Expect(p.GetByText("Esto fue una prueba: todavía no se guardó nada.")).ToBeVisibleAsync();
        Assert.Empty((await fixture.Client.SectorsAsync()).EnumerateArray());
        await page.CheckAsync("sectors-dry-run");

        await p.GetByRole(AriaRole.Button, new() { Name = "Cargar los 60 sectores" }).ClickAsync();
        await Assertions.Expect(p.GetByRole(AriaRole.Status)).ToContainTextAsync("60 sectores nuevos");
        await Assertions.Expect(p.GetByRole(AriaRole.Heading, new() { Name = "Sectores registrados (60)" })).ToBeVisibleAsync();
        await Assertions.Expect(p.GetByRole(AriaRole.Row, new() { Name = "AOB-01" })).ToContainTextAsync("Álvaro Obregón");
        Assert.Equal(60, (await fixture.Client.SectorsAsync()).GetArrayLength());
        await page.CheckAsync("sectors-loaded");

        await p.GetByRole(AriaRole.Link, new() { Name = "Subir el padrón de policías" }).ClickAsync();
        await Assertions.Expect(p.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Subir el padrón de policías");
        await page.CheckAsync("roster-upload");

        var (file, header, badRow) = RosterWithABadRow();
        await p.GetByLabel("Archivo CSV del padrón").SetInputFilesAsync(new FilePayload { Name = "padron.csv", MimeType = "text/csv", Buffer = file });
        await p.GetByRole(AriaRole.Button, new() { Name = "Revisar el archivo" }).ClickAsync();
        await Assertions.Expect(p.GetByRole(AriaRole.Heading, new() { Name = "Resultado de la revisión" })).ToBeVisibleAsync();
        var counts = p.GetByRole(AriaRole.Table, new() { Name = "Lo que haría el archivo al aplicarlo" });
        Assert.Equal(["40", "0", "0", "0", "1"], (await counts.GetByRole(AriaRole.Cell).AllInnerTextsAsync()).Select(t => t.Trim()));
        var report = p.GetByRole(AriaRole.Table, new() { Name = "Problemas por fila" });
        await Assertions.Expect(report.GetByRole(AriaRole.Row)).ToHaveCountAsync(2);
        var cells = report.GetByRole(AriaRole.Row).Nth(1).GetByRole(AriaRole.Cell);
        Assert.Equal(["42", "rol", "sargento", "El rol debe ser policía (u oficial) o mando (mando medio, comandante)."],
            (await cells.AllInnerTextsAsync()).Select(t => t.Trim()));
        Assert.Equal(0, await OfficerCountAsync());
        await page.CheckAsync("roster-dry-run");

        var download = await p.RunAndWaitForDownloadAsync(() => p.GetByRole(AriaRole.Link, new() { Name = "Descargar el archivo de rechazos" }).ClickAsync());
        Assert.Equal("rechazos-padron.csv", download.SuggestedFilename);
        var rejects = await ReadAllAsync(download);
        var rejectsText = Windows1252.GetString(rejects);
        Assert.Equal(Windows1252.GetBytes(rejectsText), rejects);
        Assert.Contains((byte)0xFA, rejects);  // the ú of Número and Núñez as Windows-1252 writes it, not UTF-8's two bytes
        Assert.DoesNotContain("Ãº", rejectsText);
        var rejectLines = rejectsText.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(header + ";import_error", rejectLines[0]);
        Assert.StartsWith(badRow + ";", rejectLines[1]);
        Assert.Equal(2, rejectLines.Length);
        Assert.Equal(0, await OfficerCountAsync());

        await p.GetByRole(AriaRole.Button, new() { Name = "Aplicar solo las 40 filas válidas" }).ClickAsync();
        await Assertions.Expect(p.GetByRole(AriaRole.Heading, new() { Name = "Padrón aplicado" })).ToBeVisibleAsync();
        await Assertions.Expect(p.GetByRole(AriaRole.Status)).ToContainTextAsync("40 policías nuevos o con cambios");
        await page.CheckAsync("roster-applied");

        Assert.Equal(40, await OfficerCountAsync());
        Assert.Equal(0, await OfficerCountAsync("search=SSC-999999"));
        var first = (await fixture.Manager.GetFromJsonAsync<JsonElement>("/api/enrollment/officers?search=SSC-100003")).EnumerateArray().Single();
        Assert.Equal(("Iván Moreno Torres", "IZP-01"), (first.GetProperty("name").GetString(), first.GetProperty("sectorCode").GetString()));

        // Back and applying again (a reload, a second click) writes nothing more: the upload was applied once.
        await p.GoBackAsync();
        await Assertions.Expect(p.GetByRole(AriaRole.Heading, new() { Name = "Padrón aplicado" })).ToBeVisibleAsync();
        Assert.Equal(40, await OfficerCountAsync());
    }

    [Fact]
    public async Task An_upload_is_only_its_owners_and_a_page_for_an_unknown_one_says_to_upload_again()
    {
        var upload = UploadedFiles.Shared.Add("otra-persona", RosterEndpoints.RosterKind, "padron.csv", Encoding.UTF8.GetBytes("placa;nombre\n"));
        await using var page = await fixture.SignInAsync("ana");

        await page.Page.GotoAsync($"/sectors/roster/{upload.Id}");

        await Assertions.Expect(page.Page.GetByRole(AriaRole.Alert)).ToContainTextAsync("Súbalo de nuevo");
        await page.CheckAsync("roster-upload-gone");
        // Nor can its rejects be asked for: the link leads back to the same page.
        var rejects = await page.Page.APIRequest.GetAsync(RosterEndpoints.RejectsPath(upload.Id));
        Assert.EndsWith($"/sectors/roster/{upload.Id}", rejects.Url);
        Assert.StartsWith("text/html", rejects.Headers["content-type"]);
    }

    async Task<long> OfficerCountAsync(string query = "")
    {
        using var response = await fixture.Manager.GetAsync($"/api/enrollment/officers?pageSize=1&{query}");
        response.EnsureSuccessStatusCode();
        return long.Parse(response.Headers.GetValues("X-Total-Count").Single(), CultureInfo.InvariantCulture);
    }

    static async Task<byte[]> ReadAllAsync(IDownload download)
    {
        await using var stream = await download.CreateReadStreamAsync();
        using var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer);
        return buffer.ToArray();
    }
}

/// <summary>The upload store keeps the exact bytes checked and lets them be applied once, by their owner only.</summary>
public sealed class UploadedFilesTests
{
    sealed class ManualClock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;
        public override DateTimeOffset GetUtcNow() => Now;
    }

    readonly ManualClock clock = new(new DateTimeOffset(2026, 12, 7, 16, 0, 0, TimeSpan.Zero));

    [Fact]
    public void An_upload_is_applied_once_by_its_owner_with_the_hash_the_dry_run_showed()
    {
        var store = new UploadedFiles(clock);
        var upload = store.Add("ana", "roster", "padron.csv", [1, 2, 3]);

        Assert.Null(store.Find(upload.Id, "beto", "roster"));
        Assert.Null(store.Find(upload.Id, "ana", "sectors"));
        Assert.Null(store.Claim(upload.Id, "ana", "roster", "another-hash"));
        var claimed = store.Claim(upload.Id, "ana", "roster", upload.Sha256);
        Assert.Equal([1, 2, 3], claimed!.Bytes);
        Assert.Null(store.Claim(upload.Id, "ana", "roster", upload.Sha256));  // a second click while the first applies

        store.Release(upload.Id);
        Assert.NotNull(store.Claim(upload.Id, "ana", "roster", upload.Sha256));
        store.Applied(upload.Id, "report");
        Assert.Null(store.Claim(upload.Id, "ana", "roster", upload.Sha256));
        Assert.Equal("report", store.Find(upload.Id, "ana", "roster")!.Applied!.Report);
    }

    [Fact]
    public void An_upload_is_gone_after_thirty_minutes()
    {
        var store = new UploadedFiles(clock);
        var upload = store.Add("ana", "roster", "padron.csv", [1]);
        clock.Now += UploadedFiles.Lifetime - TimeSpan.FromSeconds(1);
        Assert.NotNull(store.Find(upload.Id, "ana", "roster"));
        clock.Now += TimeSpan.FromSeconds(1);
        Assert.Null(store.Find(upload.Id, "ana", "roster"));
    }
}

/// <summary>Enrollment's row problems, which it words in English, read in Spanish on a Spanish page; anything unknown as it came.</summary>
public sealed class RowReasonsTests : IDisposable
{
    readonly CultureInfo before = CultureInfo.CurrentUICulture;
    readonly IStringLocalizer<RowReasonWords> words = Localizer<RowReasonWords>();

    public void Dispose() => CultureInfo.CurrentUICulture = before;

    static void InSpanish() => CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo("es-MX");

    internal static IStringLocalizer<T> Localizer<T>() =>
        new ServiceCollection().AddLogging().AddLocalization(o => o.ResourcesPath = "Resources").BuildServiceProvider().GetRequiredService<IStringLocalizer<T>>();

    [Theory]
    [InlineData("Sector S99 is not registered; load the sectors first.", "El sector S99 no está registrado: cárguelo primero en Sectores.")]
    [InlineData("Badge B-1 appears twice in the file (also on line 7).", "La placa B-1 aparece dos veces en el archivo (también en la línea 7).")]
    [InlineData("This phone belongs to officer SSC-100001.", "Este teléfono ya es del policía con placa SSC-100001.")]
    [InlineData("Not a valid phone number for MX (6 digits).", "No es un número válido para MX (6 dígitos).")]
    [InlineData("Consent must be yes/no, sí/no, 1/0 or true/false.", "El consentimiento debe ser sí o no (también 1/0).")]
    [InlineData("Something new the service says.", "Something new the service says.")]
    public void A_reason_is_read_in_spanish(string reason, string spanish)
    {
        InSpanish();
        Assert.Equal(spanish, RowReasons.Translate(reason, words));
    }

    [Fact]
    public void A_reason_stays_as_the_service_wrote_it_in_english()
    {
        CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo("en");
        Assert.Equal("Consent must be yes/no, sí/no, 1/0 or true/false.", RowReasons.Translate("Consent must be yes/no, sí/no, 1/0 or true/false.", words));
    }

    [Fact]
    public void A_known_column_is_named_in_spanish_and_the_files_own_column_as_written()
    {
        InSpanish();
        Assert.Equal(("teléfono", "consentimiento", "turno"), (RowReasons.Column("phone", words), RowReasons.Column("consent", words), RowReasons.Column("turno", words)));
    }
}
