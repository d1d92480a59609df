using System.Text.Json;
using System.Text.RegularExpressions;
using Reminders.Attendance.Dosage;
using Reminders.Protocol;

namespace Reminders.Attendance.Tests;

/// <summary>The codebook and the CSV come from one list: every column documented exactly once, in the file's order.</summary>
public sealed class DosageCodebookTests
{
    static readonly StudyProtocol Protocol = ProtocolLoader.LoadDefault();
    static readonly IReadOnlyList<DosageColumn> Columns = DosageCodebook.Columns(DosageCodebook.ReminderCount(Protocol));

    static async Task<string[]> HeaderAsync() => (await DosageExport.CsvAsync(Columns, [])).TrimEnd('\r', '\n').Split(',');

    [Fact]
    public async Task The_json_codebook_lists_every_csv_column_once_in_order_with_type_and_definition()
    {
        var json = JsonSerializer.Deserialize<JsonElement>(DosageCodebook.Json(Columns, Protocol));
        var documented = json.GetProperty("columns").EnumerateArray().ToList();
        Assert.Equal(await HeaderAsync(), documented.Select(c => c.GetProperty("name").GetString()));
        Assert.All(documented, c =>
        {
            Assert.False(string.IsNullOrWhiteSpace(c.GetProperty("type").GetString()));
            Assert.False(string.IsNullOrWhiteSpace(c.GetProperty("definition").GetString()));
            Assert.False(string.IsNullOrWhiteSpace(c.GetProperty("derivation").GetString()));
        });
        Assert.Equal("1 = true, 0 = false", json.GetProperty("format").GetProperty("boolean").GetString());
    }

    [Fact]
    public async Task The_markdown_codebook_has_one_table_row_per_csv_column_in_order()
    {
        var md = DosageCodebook.Markdown(Columns, Protocol);
        var names = Regex.Matches(md, @"^\| \d+ \| `([a-z0-9_]+)` \|", RegexOptions.Multiline).Select(m => m.Groups[1].Value);
        Assert.Equal(await HeaderAsync(), names);
        Assert.Contains("Stata", md);
        Assert.Contains("`1` (true) and `0` (false)", md);
    }

    [Fact]
    public async Task There_is_one_column_per_reminder_of_the_protocol_and_per_skip_reason()
    {
        var header = await HeaderAsync();
        var k = Protocol.Reminders!.Schedule.Length;
        Assert.Contains($"reminder_{k}_acknowledged_at", header);
        Assert.DoesNotContain($"reminder_{k + 1}_status", header);
        foreach (var reason in new[] { "opted_out", "withdrawn", "wrong_number", "inactive", "missed_window", "after_cutoff", "not_eligible", "arm_mismatch", "no_consent", "transferred_cross_arm", "arm_unknown", "no_contact", "quiet_hours", "other" })
            Assert.Contains($"reminders_skipped_{reason}", header);
    }

    [Theory]
    [InlineData("no_consent", "consent")]
    [InlineData("transferred_cross_arm", "transfers.crossArm")]
    [InlineData("arm_mismatch", "arm of randomization")]
    [InlineData("missed_window", "window")]
    public void The_codebook_names_and_defines_each_skip_reason_of_the_study_edges(string reason, string definedBy)
    {
        var json = JsonSerializer.Deserialize<JsonElement>(DosageCodebook.Json(Columns, Protocol));
        var column = json.GetProperty("columns").EnumerateArray().Single(c => c.GetProperty("name").GetString() == $"reminders_skipped_{reason}");
        Assert.Contains(definedBy, column.GetProperty("definition").GetString());
        Assert.Contains($"`reminders_skipped_{reason}`", DosageCodebook.Markdown(Columns, Protocol));
    }

    [Fact]
    public async Task Every_property_of_the_dosage_row_has_its_column()
    {
        var header = (await HeaderAsync()).ToHashSet();
        var expanded = new[] { nameof(DosageRow.Reminders), nameof(DosageRow.RemindersSkippedByReason) };
        foreach (var property in typeof(DosageRow).GetProperties().Where(p => !expanded.Contains(p.Name) && p.Name != "EqualityContract"))
        {
            var column = Regex.Replace(property.Name, "(?<!^)([A-Z])", "_$1").ToLowerInvariant();
            Assert.True(header.Contains(column), $"DosageRow.{property.Name} has no column {column} in dosage.csv");
        }
        foreach (var property in typeof(ReminderDose).GetProperties().Where(p => p.Name is not ("Number" or "SmsId" or "EqualityContract")))
        {
            var column = "reminder_1_" + Regex.Replace(property.Name, "(?<!^)([A-Z])", "_$1").ToLowerInvariant();
            Assert.True(header.Contains(column), $"ReminderDose.{property.Name} has no column {column}");
        }
    }
}
