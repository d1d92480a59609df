using System.Net;
using System.Text;
using System.Text.Json;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Reminders.Enrollment.Roster;
using Reminders.Enrollment.Tests.Infrastructure;
using Reminders.Platform.Csv;
using Reminders.Platform.Data;
using Reminders.Testing;
using Xunit.Abstractions;

namespace Reminders.Enrollment.Tests;

/// <summary>
/// Generated malformed rosters (broken quoting, wrong encodings, huge fields, thousands of columns, empty files,
/// injection strings, control characters) from a recorded seed. Every case: never a 5xx; a refusal names the problem
/// (ProblemDetails with a field, or rejected rows each with line and reason; the column too unless the whole file is at fault); a dry run or a refused apply
/// writes nothing. A failure prints FUZZ_SEED and the case: <c>FUZZ_SEED=n FUZZ_CASE=i dotnet test --filter RosterFuzz</c>
/// replays exactly that case.
/// </summary>
public sealed class RosterFuzzTests(ITestOutputHelper output)
{
    const int HttpCases = 600;
    const int ParserCases = 3000;

    [Fact]
    public void The_parser_never_throws_and_every_error_names_line_column_and_reason()
    {
        var seed = FuzzSeed.Resolve(output.WriteLine);
        var slowest = new List<(TimeSpan Elapsed, string Case)>();
        foreach (var i in FuzzSeed.Cases(ParserCases))
        {
            var random = FuzzSeed.ForCase(seed, i);
            var body = MalformedRoster.Generate(random, out var description);
            var where = $"FUZZ_SEED={seed} FUZZ_CASE={i} ({description})";
            RosterParseResult result;
            var watch = System.Diagnostics.Stopwatch.StartNew();
            try
            {
                result = RosterParser.Parse(CsvText.Decode(body).Text);
                slowest.Add((watch.Elapsed, where));
            }
            catch (Exception ex)
            {
                Assert.Fail($"{where}: the parser threw {ex.GetType().Name}: {ex.Message}");
                throw;
            }
            Assert.All(result.Errors, e => Assert.True(e.Line >= 1 && e.Reason.Length > 0, $"{where}: unnamed error {e}"));
            Assert.All(result.Rows, r => Assert.True(r.Badge.Length > 0 && r.PhoneE164.StartsWith('+'), $"{where}: a row without badge or phone {r}"));
        }
        foreach (var (elapsed, where) in slowest.OrderByDescending(s => s.Elapsed).Take(5)) output.WriteLine($"{elapsed.TotalMilliseconds:F0} ms: {where}");
    }

    [Fact]
    public async Task Dry_run_apply_and_apply_valid_of_malformed_rosters_never_give_a_server_error_nor_a_half_applied_import()
    {
        var seed = FuzzSeed.Resolve(output.WriteLine);
        await using var app = await EnrollmentApp.StartWithSectorsAsync();
        var modes = new[] { "dry-run", "apply", "apply-valid" };
        var statuses = new Dictionary<int, int>();
        foreach (var i in FuzzSeed.Cases(HttpCases))
        {
            var random = FuzzSeed.ForCase(seed, i);
            var body = MalformedRoster.Generate(random, out var description);
            var mode = modes[random.Next(modes.Length)];
            var query = random.Next(10) == 0 ? "fullRoster=true" : null;
            var where = $"FUZZ_SEED={seed} FUZZ_CASE={i} ({description}, {mode}{(query is null ? "" : ", " + query)})";

            var before = await SnapshotAsync(app);
            using var response = await app.PostRosterAsync(body, mode, query: query);
            var text = await response.Content.ReadAsStringAsync();
            var status = (int)response.StatusCode;
            statuses[status] = statuses.GetValueOrDefault(status) + 1;
            Assert.True(status < 500, $"{where}: {status} {Shorten(text)}");
            Assert.True(status is 200 or 400 or 409 or 413 or 415 or 422, $"{where}: unexpected {status} {Shorten(text)}");

            if (status >= 400) AssertNamesTheProblem(response, text, where);
            if (status >= 400 || mode == "dry-run")
                Assert.True(before == await SnapshotAsync(app), $"{where}: answered {status} but the officers changed");
            if (status == 200 && mode == "apply")
                Assert.Empty(JsonSerializer.Deserialize<RosterImportReport>(text, JsonSerializerOptions.Web)!.Rejected);
            if (status == 200 && mode == "apply-valid")
                AssertRejectsCsvIsNeutralized(JsonSerializer.Deserialize<RosterImportReport>(text, JsonSerializerOptions.Web)!, where);
        }
        output.WriteLine($"{HttpCases} rosters posted: " + string.Join(", ", statuses.OrderBy(p => p.Key).Select(p => $"{p.Key}×{p.Value}")));
    }

    [Fact]
    public async Task A_utf8_bom_followed_by_bytes_that_are_not_utf8_is_read_not_a_server_error()
    {
        // Found by this fuzzer (a BOM typed into the first cell, then a byte flipped): CsvText.Decode threw, the import answered 500.
        await using var app = await EnrollmentApp.StartWithSectorsAsync();
        byte[] body = [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes(Rosters.Header + "\nB-001,Jos"), 0xE9, .. Encoding.UTF8.GetBytes(",officer,S01,55 1234 5678,yes\n")];

        var report = await app.ImportAsync(body);

        Assert.Equal(("windows-1252", 1), (report.Encoding, report.Imported));
        Assert.Equal("José", (await app.OfficerAsync("B-001")).Name);
    }

    static void AssertNamesTheProblem(HttpResponseMessage response, string text, string where)
    {
        var json = JsonDocument.Parse(text).RootElement;
        if (response.Content.Headers.ContentType?.MediaType == "application/problem+json")
        {
            Assert.True(json.TryGetProperty("field", out _) || json.TryGetProperty("errors", out _), $"{where}: ProblemDetails without a field: {Shorten(text)}");
            Assert.True(json.TryGetProperty("detail", out var detail) && detail.GetString()!.Length > 0, $"{where}: ProblemDetails without a detail: {Shorten(text)}");
            return;
        }
        var report = json.Deserialize<RosterImportReport>(JsonSerializerOptions.Web)!;
        Assert.False(report.Written, $"{where}: refused but written");
        Assert.True(report.Rejected.Count > 0, $"{where}: refused without a rejected row: {Shorten(text)}");
        Assert.All(report.Rejected, e => Assert.True(e.Line >= 1 && e.Reason.Length > 0, $"{where}: unnamed error {e}"));
    }

    /// <summary>No cell of the rejects file a manager opens in a spreadsheet may run as a formula.</summary>
    static void AssertRejectsCsvIsNeutralized(RosterImportReport report, string where)
    {
        if (report.RejectsCsv is null) return;
        foreach (var cell in CsvCells(report.RejectsCsv))
            Assert.True(cell.Length == 0 || cell[0] is not ('=' or '@'), $"{where}: a formula in the rejects CSV: {Shorten(cell)}");
    }

    /// <summary>The cells of an RFC 4180 file in any of the three delimiters (quoted cells may hold delimiters, quotes and line breaks).</summary>
    static IEnumerable<string> CsvCells(string csv)
    {
        var cell = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < csv.Length; i++)
        {
            var c = csv[i];
            if (quoted)
            {
                if (c != '"') cell.Append(c);
                else if (i + 1 < csv.Length && csv[i + 1] == '"') { cell.Append('"'); i++; }
                else quoted = false;
            }
            else if (c == '"' && cell.Length == 0) quoted = true;
            else if (c is ',' or ';' or '\t' or '\n' or '\r') { yield return cell.ToString(); cell.Clear(); }
            else cell.Append(c);
        }
        yield return cell.ToString();
    }

    /// <summary>Every officer row, so a refused import that changed anything (a name, a phone, a status) shows.</summary>
    static async Task<string> SnapshotAsync(EnrollmentApp app)
    {
        await using var connection = await app.Services.GetRequiredService<EnrollmentDatabase>().OpenAsync();
        var officers = await connection.QueryAsync<string>(
            "SELECT badge || '|' || name || '|' || role || '|' || sector_id || '|' || phone_e164 || '|' || consent || '|' || updated_at FROM officers ORDER BY badge");
        var sectors = await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM sectors");
        return $"{sectors} sectors\n" + string.Join("\n", officers);
    }

    static string Shorten(string text) => text.Length <= 400 ? text : text[..400] + "…";
}

/// <summary>Roster files as a careless spreadsheet, a wrong export or an attacker would send them.</summary>
static class MalformedRoster
{
    static readonly string[] Sectors = ["S01", "S02", "S03", "S04", "s01", "S99", ""];
    static readonly string[] Roles = ["officer", "commander", "Oficial", "mando", "janitor", ""];
    static readonly string[] Consents = ["yes", "no", "si", "sí", "1", "0", "maybe", ""];
    static readonly string[] Names = ["Ana López", "Juan Pérez", "María García", "José Ñúñez", "O'Brien", "Zoë \"Z\" Ruiz"];

    public static readonly string[] Injections =
    [
        "'; DROP TABLE officers; --", "\" OR 1=1 --", "Robert'); DELETE FROM sectors;--", "=cmd|' /C calc'!A0", "=HYPERLINK(\"http://x\")",
        "+52 55 1234 5678", "-2+3", "@SUM(A1:A9)", "\t=1+1", "\r=1+1", "\0", "a\0b", "\u202Eevil\u202C", "\u200B", "\uFEFF", "\u0007\u0008\u001B[31m",
        "<script>alert(1)</script>", "${jndi:ldap://x}", "{{7*7}}", "%s%s%n", "../../etc/passwd", "🙂🚓", "\uD800", "\\", "\"", "\"\"", ",", ";", "\n", "\r\n",
    ];

    /// <summary>A roster body and a short description of what was done to it.</summary>
    public static byte[] Generate(Random random, out string description)
    {
        var steps = new List<string>();
        string text;
        switch (random.Next(20))
        {
            case 0:
                description = "empty";
                return random.Next(2) == 0 ? [] : Encoding.UTF8.GetBytes(new string(' ', random.Next(1, 5)) + "\r\n\n");
            case 1:
                description = "random bytes";
                var bytes = new byte[random.Next(1, 4096)];
                random.NextBytes(bytes);
                return bytes;
            case 2:
                text = Rosters.Header + (random.Next(2) == 0 ? "\n" : "");
                steps.Add("header only");
                break;
            default:
                text = ValidLooking(random);
                var mutations = random.Next(1, 4);
                for (var m = 0; m < mutations; m++) text = Mutate(random, text, steps);
                break;
        }
        var encoded = Encode(random, text, steps);
        description = string.Join(", ", steps);
        return encoded;
    }

    static string ValidLooking(Random random)
    {
        var rows = new List<string[]> { Rosters.Header.Split(',') };
        for (var i = random.Next(1, 8); i > 0; i--)
            rows.Add([
                $"B-{random.Next(1, 60):D3}", Pick(random, Names), Pick(random, Roles[..2]), Pick(random, Sectors[..4]),
                $"55 {random.Next(1000, 9999)} {random.Next(1000, 9999)}", Pick(random, Consents[..2]),
            ]);
        // Mostly good rows, so both accepted and refused imports happen.
        if (random.Next(3) == 0)
        {
            var row = rows[random.Next(1, rows.Count)];
            var column = random.Next(row.Length);
            row[column] = column switch { 2 => Pick(random, Roles), 3 => Pick(random, Sectors), 5 => Pick(random, Consents), _ => row[column] };
        }
        return string.Join("\n", rows.Select(r => string.Join(",", r))) + "\n";
    }

    static string Mutate(Random random, string text, List<string> steps)
    {
        var lines = text.Split('\n').ToList();
        switch (random.Next(13))
        {
            case 0:
                steps.Add("stray quote");
                return text.Insert(random.Next(text.Length + 1), "\"");
            case 1:
                steps.Add("unbalanced quoted field");
                return ReplaceCell(random, lines, c => "\"" + c);
            case 2:
                steps.Add("quoted line break");
                return ReplaceCell(random, lines, c => $"\"{c}\n{c}\"");
            case 3:
                var injection = Pick(random, Injections);
                steps.Add($"injection {Escape(injection)}");
                return ReplaceCell(random, lines, c => random.Next(2) == 0 ? injection : c + injection);
            case 4:
                var length = random.Next(100) == 0 ? 2_000_000 : random.Next(1_000, 100_000);
                steps.Add($"huge field ({length})");
                return ReplaceCell(random, lines, _ => new string((char)random.Next('a', 'z' + 1), length));
            case 5:
                var columns = random.Next(1_000, 6_000);
                steps.Add($"{columns} columns");
                var extra = string.Concat(Enumerable.Range(0, columns).Select(i => $",c{i}"));
                lines[0] += extra;
                if (random.Next(2) == 0) for (var i = 1; i < lines.Count; i++) if (lines[i].Length > 0) lines[i] += extra;
                return string.Join("\n", lines);
            case 6:
                steps.Add("truncated");
                return text[..random.Next(text.Length + 1)];
            case 7:
                steps.Add("duplicate row");
                lines.Insert(random.Next(lines.Count + 1), lines[random.Next(lines.Count)]);
                return string.Join("\n", lines);
            case 8:
                var delimiter = random.Next(2) == 0 ? ";" : "\t";
                steps.Add($"delimiter {Escape(delimiter)} on some lines");
                return string.Join("\n", lines.Select(l => random.Next(2) == 0 ? l.Replace(",", delimiter) : l));
            case 9:
                steps.Add("mixed line ends");
                return string.Join("", lines.Select(l => l + Pick(random, ["\n", "\r\n", "\r", "\n\n"])));
            case 10:
                steps.Add("a header column dropped");
                var header = lines[0].Split(',').ToList();
                header.RemoveAt(random.Next(header.Count));
                lines[0] = string.Join(",", header);
                return string.Join("\n", lines);
            case 11:
                steps.Add("control characters");
                var chars = text.ToCharArray();
                for (var i = random.Next(1, 10); i > 0 && chars.Length > 0; i--) chars[random.Next(chars.Length)] = (char)random.Next(0, 32);
                return new string(chars);
            default:
                steps.Add("rows without a header");
                return string.Join("\n", lines.Skip(1));
        }
    }

    static byte[] Encode(Random random, string text, List<string> steps)
    {
        switch (random.Next(12))
        {
            case 0:
                steps.Add("utf-16 without BOM");
                return Encoding.Unicode.GetBytes(text);
            case 1:
                steps.Add("utf-16be without BOM");
                return Encoding.BigEndianUnicode.GetBytes(text);
            case 2:
                steps.Add("utf-16 with BOM");
                return [0xFF, 0xFE, .. Encoding.Unicode.GetBytes(text)];
            case 3:
                steps.Add("latin-1");
                return Encoding.Latin1.GetBytes(text);
            case 4:
                steps.Add("utf-8 BOM");
                return [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes(text)];
            case 5:
                steps.Add("bytes flipped");
                var bytes = Encoding.UTF8.GetBytes(text);
                for (var i = random.Next(1, 8); i > 0 && bytes.Length > 0; i--) bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
                return bytes;
            case 6:
                steps.Add("cut inside a character");
                var utf8 = Encoding.UTF8.GetBytes(text + "ñ");
                return utf8[..^1];
            default:
                return Encoding.UTF8.GetBytes(text);
        }
    }

    static string ReplaceCell(Random random, List<string> lines, Func<string, string> change)
    {
        var line = random.Next(lines.Count);
        var cells = lines[line].Split(',');
        var cell = random.Next(cells.Length);
        cells[cell] = change(cells[cell]);
        lines[line] = string.Join(",", cells);
        return string.Join("\n", lines);
    }

    static T Pick<T>(Random random, IReadOnlyList<T> items) => items[random.Next(items.Count)];

    static string Escape(string text) => text.Length > 30 ? text[..30] + "…" : string.Concat(text.Select(c => c < 32 || c is '\u202E' or '\u200B' or '\uFEFF' ? $"\\u{(int)c:X4}" : c.ToString()));
}
