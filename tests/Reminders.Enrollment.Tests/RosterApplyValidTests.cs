using System.Globalization;
using System.Net;
using CsvHelper;
using CsvHelper.Configuration;
using Reminders.Enrollment.Roster;
using Reminders.Enrollment.Tests.Infrastructure;

namespace Reminders.Enrollment.Tests;

/// <summary>apply-valid: the good rows are written, the bad ones come back as a CSV to fix and upload again.</summary>
public sealed class RosterApplyValidTests : IAsyncLifetime
{
    EnrollmentApp app = null!;

    public async Task InitializeAsync() => app = await EnrollmentApp.StartWithSectorsAsync();
    public async Task DisposeAsync() => await app.DisposeAsync();

    static List<string[]> ReadCsv(string csv, string delimiter = ",")
    {
        using var parser = new CsvParser(new StringReader(csv), new CsvConfiguration(CultureInfo.InvariantCulture) { Delimiter = delimiter });
        var records = new List<string[]>();
        while (parser.Read()) records.Add(parser.Record!);
        return records;
    }

    static string WriteCsv(IEnumerable<string[]> records) =>
        string.Concat(records.Select(r => string.Join(",", r.Select(f => "\"" + f.Replace("\"", "\"\"") + "\"")) + "\r\n"));

    const string Messy =
        "placa,nombre,rol,sector,teléfono,consentimiento,turno\n" +
        "B-001,Ana López,policía,S01,55 1234 5601,sí,Nocturno\n" +
        "B-002,\"=HYPERLINK(\"\"http://example.com\"\",\"\"clic\"\")\",policía,S01,55 1234 5602,quizá,Matutino\n" +
        "B-003,-Rosa,policía,S02,55 1234,sí,\n" +
        "B-004,@Luis,policía,S99,+52 (55) 1234-5604,sí,\n" +
        "B-005,+Beto,sargento,S02,+52 (55) 1234-5605,sí,Vespertino\n" +
        "B-006,Lupe\n" +
        "B-007,Juan Pérez,mando medio,S02,55 1234 5607,no,\n";

    [Fact]
    public async Task Good_rows_are_written_and_the_rejects_come_back_in_their_original_columns_with_the_reason()
    {
        var report = await app.ImportAsync(Messy, mode: "apply-valid");

        Assert.Equal(("apply-valid", 7, 2, true), (report.Mode, report.Rows, report.Imported, report.Written));
        Assert.Equal(
            [
                (3, "consent", "quizá"), (4, "phone", "55 1234"), (5, "sector", "S99"), (6, "role", "sargento"),
                (7, "consent", ""), (7, "phone", ""), (7, "role", ""), (7, "sector", ""),
            ],
            report.Rejected.Select(e => (e.Line, e.Column, e.Value)).OrderBy(e => e.Line).ThenBy(e => e.Column));
        Assert.Equal(["B-001", "B-007"], (await app.OfficersAsync()).Select(o => o.Badge));

        var rejects = ReadCsv(report.RejectsCsv!);
        Assert.Equal(["placa", "nombre", "rol", "sector", "teléfono", "consentimiento", "turno", RosterParser.ImportErrorColumn], rejects[0]);
        Assert.Equal(["B-002", "B-003", "B-004", "B-005", "B-006"], rejects.Skip(1).Select(r => r[0]));
        Assert.All(rejects, r => Assert.Equal(8, r.Length));
        // Formula cells are neutralized in the export: a spreadsheet shows them as text.
        Assert.Equal(["'=HYPERLINK(\"http://example.com\",\"clic\")", "'-Rosa", "'@Luis", "'+Beto", "Lupe"], rejects.Skip(1).Select(r => r[1]));
        Assert.Equal(["B-002", "'=HYPERLINK(\"http://example.com\",\"clic\")", "policía", "S01", "55 1234 5602", "quizá", "Matutino",
            "consent: Consent must be yes/no, sí/no, 1/0 or true/false."], rejects[1]);
        Assert.Equal("sector: Sector S99 is not registered; load the sectors first.", rejects[3][7]);
        Assert.Equal("role: Role must be officer (policía, oficial) or commander (mando, mando medio, comandante).", rejects[4][7]);
        Assert.Equal(["B-006", "Lupe", "", "", "", "", ""], rejects[5][..7]);
        Assert.Contains("phone: Phone is required.", rejects[5][7]);
    }

    [Fact]
    public async Task The_rejects_csv_fixed_and_uploaded_again_imports_the_fixed_rows_as_they_were_meant()
    {
        var first = await app.ImportAsync(Messy, mode: "apply-valid");
        var rejects = ReadCsv(first.RejectsCsv!);

        // The manager fixes only the bad cells and leaves the rest (the apostrophes, the error column) as exported.
        var fixes = new Dictionary<string, (int Column, string Value)[]>
        {
            ["B-002"] = [(5, "sí")],
            ["B-003"] = [(4, "55 1234 5603")],
            ["B-004"] = [(3, "S02")],
            ["B-005"] = [(2, "comandante")],
            ["B-006"] = [(2, "policía"), (3, "S01"), (4, "55 1234 5606"), (5, "no")],
        };
        foreach (var row in rejects.Skip(1))
            foreach (var (column, value) in fixes[row[0]])
                row[column] = value;

        var second = await app.ImportAsync(WriteCsv(rejects), mode: "apply-valid");

        Assert.Empty(second.Rejected);
        Assert.Null(second.RejectsCsv);
        Assert.Equal(5, second.Imported);
        var officers = await app.OfficersAsync();
        Assert.Equal(
            [
                ("B-001", "Ana López", "S01", "+52******5601"),
                ("B-002", "=HYPERLINK(\"http://example.com\",\"clic\")", "S01", "+52******5602"),
                ("B-003", "-Rosa", "S02", "+52******5603"),
                ("B-004", "@Luis", "S02", "+52******5604"),
                ("B-005", "+Beto", "S02", "+52******5605"),
                ("B-006", "Lupe", "S01", "+52******5606"),
                ("B-007", "Juan Pérez", "S02", "+52******5607"),
            ],
            officers.Select(o => (o.Badge, o.Name, o.SectorCode, o.PhoneMasked)));
        // The export's own error column is not an attribute of the officer; the roster's own extra columns are.
        Assert.Equal(new Dictionary<string, string> { ["turno"] = "Matutino" }, (await app.OfficerDetailAsync(officers[1].Id)).Attributes);
        Assert.Equal(new Dictionary<string, string> { ["turno"] = "Vespertino" }, (await app.OfficerDetailAsync(officers[4].Id)).Attributes);
    }

    /// <summary>The bytes a spreadsheet saves: Excel's "CSV" in a Spanish locale is semicolon Windows-1252, its "Unicode text" tab UTF-16LE.</summary>
    static byte[] Saved(string text, string encoding)
    {
        System.Text.Encoding.RegisterProvider(System.Text.CodePagesEncodingProvider.Instance);
        return encoding switch
        {
            "windows-1252" => System.Text.Encoding.GetEncoding(1252).GetBytes(text),
            "utf-16le" => [.. System.Text.Encoding.Unicode.GetPreamble(), .. System.Text.Encoding.Unicode.GetBytes(text)],
            "utf-16be" => [.. System.Text.Encoding.BigEndianUnicode.GetPreamble(), .. System.Text.Encoding.BigEndianUnicode.GetBytes(text)],
            "utf-8-bom" => [.. System.Text.Encoding.UTF8.GetPreamble(), .. System.Text.Encoding.UTF8.GetBytes(text)],
            _ => System.Text.Encoding.UTF8.GetBytes(text),
        };
    }

    static string Upload(string d) => string.Join("\r\n",
        string.Join(d, "placa", "nombre", "rol", "sector", "teléfono", "consentimiento", "turno"),
        string.Join(d, "B-001", "Ana López", "policía", "S01", "55 1234 5601", "sí", "Nocturno"),
        string.Join(d, "B-002", "José Peña", "policía", "S01", "55 1234 5602", "quizá", "Matutino"),
        string.Join(d, "B-003", $"\"{NameWith(d)}\"", "policía", "S99", "55 1234 5603", "sí", "Vespertino"), "");

    /// <summary>A name holding the delimiter, quoted in the file (a tab in a name is refused: it holds a comma then).</summary>
    static string NameWith(string d) => $"Muñoz{(d == "\t" ? "," : d)} Rosa";

    public static TheoryData<string, string, string> UploadFormats => new()
    {
        { ";", "semicolon", "windows-1252" },
        { "\t", "tab", "utf-16le" },
        { "\t", "tab", "utf-16be" },
        { ",", "comma", "utf-8-bom" },
        { ";", "semicolon", "utf-8" },
    };

    [Theory]
    [MemberData(nameof(UploadFormats))]
    public async Task The_rejects_file_keeps_the_delimiter_and_encoding_of_the_upload(string delimiter, string delimiterName, string encoding)
    {
        var report = await app.ImportAsync(Saved(Upload(delimiter), encoding), mode: "apply-valid");

        Assert.Equal((encoding, 1, delimiterName, encoding), (report.Encoding, report.Imported, report.RejectsDelimiter, report.RejectsEncoding));
        Assert.Equal(Saved(report.RejectsCsv!, encoding), report.RejectsFile);
        Assert.Equal(RejectsRows(delimiter), ReadCsv(report.RejectsCsv!, delimiter));
        Assert.StartsWith(string.Join(delimiter, "placa", "nombre", "rol") + delimiter, report.RejectsCsv);
    }

    static List<string[]> RejectsRows(string d) =>
    [
        ["placa", "nombre", "rol", "sector", "teléfono", "consentimiento", "turno", RosterParser.ImportErrorColumn],
        ["B-002", "José Peña", "policía", "S01", "55 1234 5602", "quizá", "Matutino", "consent: Consent must be yes/no, sí/no, 1/0 or true/false."],
        ["B-003", NameWith(d), "policía", "S99", "55 1234 5603", "sí", "Vespertino", "sector: Sector S99 is not registered; load the sectors first."],
    ];

    [Fact]
    public async Task The_rejects_file_downloads_as_semicolon_windows_1252_bytes_when_the_upload_was()
    {
        var upload = new ByteArrayContent(Saved(Upload(";"), "windows-1252"));
        upload.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("text/csv");
        var client = app.Client();
        client.DefaultRequestHeaders.Accept.ParseAdd("text/csv");

        var response = await client.PostAsync("/api/enrollment/roster?mode=apply-valid", upload);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(("text/csv", "windows-1252"), (response.Content.Headers.ContentType?.MediaType, response.Content.Headers.ContentType?.CharSet));
        Assert.Equal("attachment", response.Content.Headers.ContentDisposition?.DispositionType);
        Assert.Equal(("semicolon", "windows-1252"), (response.Headers.GetValues("X-Rejects-Delimiter").Single(), response.Headers.GetValues("X-Rejects-Encoding").Single()));
        var bytes = await response.Content.ReadAsByteArrayAsync();
        var text = System.Text.Encoding.GetEncoding(1252).GetString(bytes);
        Assert.Equal(Saved(text, "windows-1252"), bytes);
        Assert.Contains((byte)0xED, bytes);  // the í of policía as Windows-1252 writes it, not UTF-8's two bytes
        Assert.Equal(RejectsRows(";"), ReadCsv(text, ";"));
        Assert.Equal(["B-001"], (await app.OfficersAsync()).Select(o => o.Badge));
    }

    [Fact]
    public async Task A_dry_run_downloads_the_rejects_file_apply_valid_would_leave_and_writes_nothing()
    {
        var upload = new ByteArrayContent(Saved(Upload(";"), "windows-1252"));
        upload.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("text/csv");
        var client = app.Client();
        client.DefaultRequestHeaders.Accept.ParseAdd("text/csv");

        var response = await client.PostAsync("/api/enrollment/roster?mode=dry-run", upload);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(("text/csv", "windows-1252"), (response.Content.Headers.ContentType?.MediaType, response.Content.Headers.ContentType?.CharSet));
        Assert.Equal(("semicolon", "windows-1252"), (response.Headers.GetValues("X-Rejects-Delimiter").Single(), response.Headers.GetValues("X-Rejects-Encoding").Single()));
        var bytes = await response.Content.ReadAsByteArrayAsync();
        Assert.Equal(RejectsRows(";"), ReadCsv(System.Text.Encoding.GetEncoding(1252).GetString(bytes), ";"));
        Assert.Empty(await app.OfficersAsync());
        var report = await app.ImportAsync(Saved(Upload(";"), "windows-1252"), mode: "dry-run");
        Assert.False(report.Written);
        Assert.Equal(bytes, report.RejectsFile);
        Assert.Equal(bytes, (await app.ImportAsync(Saved(Upload(";"), "windows-1252"), mode: "apply-valid")).RejectsFile);
    }

    [Fact]
    public async Task A_download_with_no_rejected_row_is_204()
    {
        var client = app.Client();
        client.DefaultRequestHeaders.Accept.ParseAdd("text/csv");
        var upload = new ByteArrayContent(System.Text.Encoding.UTF8.GetBytes(Rosters.Good));
        upload.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("text/csv");

        var response = await client.PostAsync("/api/enrollment/roster?mode=apply-valid", upload);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal(3, (await app.OfficersAsync()).Count);
    }

    [Fact]
    public async Task A_rejects_file_windows_1252_cannot_hold_is_written_as_utf8_with_a_bom_and_says_so()
    {
        await app.ImportAsync(Rosters.Csv("Ł-001,Łucja,officer,S01,55 9999 0001,yes"));

        var report = await app.ImportAsync(Saved(string.Join("\r\n", Rosters.Header.Replace(',', ';'), "B-010;José;officer;S01;55 9999 0001;yes", ""), "windows-1252"),
            mode: "apply-valid");

        Assert.Equal(("semicolon", "utf-8-bom"), (report.RejectsDelimiter, report.RejectsEncoding));
        Assert.Equal(Saved(report.RejectsCsv!, "utf-8-bom"), report.RejectsFile);
        Assert.Contains("This phone belongs to officer Ł-001.", report.RejectsCsv);
    }

    [Fact]
    public async Task Apply_with_the_same_messy_file_writes_nothing_and_returns_no_csv()
    {
        var report = await app.ImportAsync(Messy, mode: "apply", expected: HttpStatusCode.UnprocessableEntity);

        Assert.Equal((2, false), (report.Imported, report.Written));
        Assert.Null(report.RejectsCsv);
        Assert.Empty(await app.OfficersAsync());
    }

    [Fact]
    public async Task Apply_valid_of_a_clean_file_has_no_rejects_csv()
    {
        var report = await app.ImportAsync(Rosters.Good, mode: "apply-valid");

        Assert.Equal((3, true), (report.Imported, report.Written));
        Assert.Null(report.RejectsCsv);
    }
}
