using System.Globalization;
using CsvHelper;
using CsvHelper.Configuration;
using Reminders.Enrollment.Roster;
using Reminders.Local.Demo;
using Reminders.Local.Sample;
using Reminders.Platform.Csv;
using Reminders.Platform.Protocol;

namespace Reminders.EndToEnd.Tests;

/// <summary>
/// The demo on the committed 60-sector sample: two runs give byte-identical allocations and the same study; its dosage.csv
/// agrees with the provider's log officer by officer; the audit is clean; another seed gives another allocation.
/// </summary>
public sealed class DemoCommandTests : IDisposable
{
    readonly string root = Path.Combine(Path.GetTempPath(), "reminders-demo-tests-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task Two_demo_runs_write_byte_identical_allocations_and_all_their_outputs()
    {
        var first = Path.Combine(root, "first");
        var second = Path.Combine(root, "second");
        Assert.Equal(0, await DemoCommand.RunAsync(["--out", first]));
        Assert.Equal(0, await DemoCommand.RunAsync(["--out", second]));

        foreach (var file in new[] { "allocation.csv", "balance.csv", "randomization.json", "roster-report.json", "sectors-report.json",
                     "sms.json", "dosage.json", "simulator-log.csv", "summary.txt", "balance.json", "training-plan.json", "attendance.csv", "attendance-summary.csv" })
            Assert.True(File.Exists(Path.Combine(first, file)), $"{file} missing");
        foreach (var file in DemoCommand.Outputs)
            Assert.True(File.Exists(Path.Combine(first, file)), $"{file} missing");
        Assert.Equal(await File.ReadAllBytesAsync(Path.Combine(first, "allocation.csv")), await File.ReadAllBytesAsync(Path.Combine(second, "allocation.csv")));
        Assert.Equal(await File.ReadAllBytesAsync(Path.Combine(first, "balance.csv")), await File.ReadAllBytesAsync(Path.Combine(second, "balance.csv")));

        var allocation = (await File.ReadAllLinesAsync(Path.Combine(first, "allocation.csv"))).Skip(1).ToList();
        Assert.Equal(60, allocation.Count);
        Assert.Equal(30, allocation.Count(l => l.EndsWith(",treatment", StringComparison.Ordinal)));
        // One test SMS per treatment sector and one invitation per planned officer reached the provider, none to control.
        var log = await File.ReadAllTextAsync(Path.Combine(first, "simulator-log.csv"));
        Assert.Equal(30, log.Split(DemoCommand.MessageBody).Length - 1);
        var plan = System.Text.Json.JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(first, "training-plan.json"))).RootElement;
        Assert.Equal(0, plan.GetProperty("unplaced").GetArrayLength());
        // Every invitation reached the provider but those to the demo's five numbers the provider refuses (invalid, opted out at the carrier).
        Assert.InRange(log.Split("Curso de Justicia Procedimental: inicia").Length - 1, plan.GetProperty("invitations").GetInt32() - 5, plan.GetProperty("invitations").GetInt32());
        Assert.Equal(await File.ReadAllBytesAsync(Path.Combine(first, "attendance-summary.csv")), await File.ReadAllBytesAsync(Path.Combine(second, "attendance-summary.csv")));

        // The reminder period is the same study twice: same reminders sent, skipped, delivered and answered.
        static async Task<string[]> ReminderLines(string dir) => (await File.ReadAllLinesAsync(Path.Combine(dir, "summary.txt")))
            .Where(l => l.StartsWith("Reminder period", StringComparison.Ordinal) || l.StartsWith("Replies:", StringComparison.Ordinal)).ToArray();
        var reminderLines = await ReminderLines(first);
        Assert.Equal(2, reminderLines.Length);
        Assert.Equal(reminderLines, await ReminderLines(second));
        Assert.Contains("(0 late)", reminderLines[0]);
        // Six reminders planned per treatment officer and commander, each with its fate, none left planned.
        var reminders = (await File.ReadAllLinesAsync(Path.Combine(first, "reminders.csv"))).Skip(1).Select(l => l.Split(',')).ToList();
        Assert.Equal(6 * plan.GetProperty("officers").GetInt32(), reminders.Count);
        Assert.DoesNotContain(reminders, r => r[3] == "planned");
        Assert.True(reminders.Count(r => r[3] == "dispatched") > 0.95 * reminders.Count);

        // Not one SMS reached a phone of a control sector.
        var arms = allocation.Select(l => l.Split(',')).ToDictionary(f => f[0], f => f[^1]);
        var roster = System.Text.Encoding.UTF8.GetString(Reminders.Local.Sample.SampleFiles.Roster).TrimStart('\uFEFF').Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1)
            .Select(l => l.TrimEnd('\r').Split(';')).ToList();
        var controlPhones = roster.Where(f => arms.GetValueOrDefault(f[3]) == "control")
            .Select(f => "+52" + new string(f[4].Where(char.IsDigit).ToArray())[^10..]).ToHashSet();
        Assert.True(controlPhones.Count > 1000);
        var sent = log.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(l => l.Split(',')[2]).ToList();
        Assert.True(sent.Count > 8000);
        Assert.DoesNotContain(sent, controlPhones.Contains);

        // The closing summary: the same study twice, no SMS to a control officer, a clean audit.
        static async Task<string[]> ClosingLines(string dir) => (await File.ReadAllLinesAsync(Path.Combine(dir, "summary.txt")))
            .SkipWhile(l => !l.StartsWith("Study summary", StringComparison.Ordinal)).TakeWhile(l => !l.StartsWith("Total", StringComparison.Ordinal)).ToArray();
        var closing = await ClosingLines(first);
        Assert.Equal(closing, await ClosingLines(second));
        Assert.Equal(4, closing.Count(l => l.StartsWith("  treatment", StringComparison.Ordinal) || l.StartsWith("  control", StringComparison.Ordinal)));
        Assert.Contains(closing, l => l.StartsWith("SMS to control officers: 0 ", StringComparison.Ordinal));
        Assert.Contains(closing, l => l.StartsWith("Audit: clean", StringComparison.Ordinal));

        await AssertDosageAgreesWithProviderLogAsync(first, log);
    }

    static readonly string[] RequiredDosageColumns =
    [
        "officer_id", "sector_id", "stratum", "arm", "role", "training_minutes_planned", "training_minutes_attended", "training_sessions_attended",
        "reminders_planned", "reminders_sent", "reminders_delivered", "reminders_failed", "reminders_acknowledged", "reminders_skipped",
        "first_reminder_delivered_at", "last_reminder_delivered_at", "sms_opted_out_at", "withdrawn_at", "cross_arm_transfer",
    ];

    /// <summary>
    /// For every officer of both arms, dosage.csv's reminders sent and delivered equal the provider's messages carrying a
    /// reminder's text to that officer's phone, and those whose final status is delivered (officer id → badge from the
    /// demo's link file, badge → phone from the sample roster).
    /// </summary>
    static async Task AssertDosageAgreesWithProviderLogAsync(string dir, string providerLog)
    {
        var (header, dosage) = ReadCsv(await File.ReadAllTextAsync(Path.Combine(dir, "dosage.csv")));
        Assert.Equal(RequiredDosageColumns, header.Take(RequiredDosageColumns.Length));
        var roster = RosterParser.Parse(CsvText.Decode(SampleFiles.Roster).Text).Rows;
        Assert.Equal(roster.Count, dosage.Count);

        var badges = ReadCsv(await File.ReadAllTextAsync(Path.Combine(dir, DemoCommand.RosterLinkFile))).Rows.ToDictionary(r => r["officer_id"], r => r["badge"]);
        var phoneByBadge = roster.ToDictionary(r => r.Badge, r => r.PhoneE164);
        var protocol = ProtocolLoader.LoadDefault();
        var reminderTexts = protocol.Reminders!.Schedule.SelectMany(s => new[] { s.Template.Officer.Render(), s.Template.Commander.Render() }).ToHashSet();
        var reminders = ReadCsv(providerLog).Rows.Where(m => reminderTexts.Contains(m["body"])).ToLookup(m => m["to"]);
        Assert.True(reminders.Sum(g => g.Count()) > 6000);

        var sentToControl = 0;
        foreach (var officer in dosage)
        {
            var messages = reminders[phoneByBadge[badges[officer["officer_id"]]]].ToList();
            var who = $"officer {officer["officer_id"]} ({officer["arm"]}, {officer["role"]})";
            Assert.True(messages.Count == int.Parse(officer["reminders_sent"], CultureInfo.InvariantCulture),
                $"{who}: dosage.csv says {officer["reminders_sent"]} reminders sent, the provider has {messages.Count}");
            Assert.True(messages.Count(m => m["status"] == "delivered") == int.Parse(officer["reminders_delivered"], CultureInfo.InvariantCulture),
                $"{who}: dosage.csv says {officer["reminders_delivered"]} delivered, the provider {messages.Count(m => m["status"] == "delivered")}");
            if (officer["arm"] == "control") sentToControl += messages.Count + int.Parse(officer["reminders_sent"], CultureInfo.InvariantCulture)
                + int.Parse(officer["reminders_delivered"], CultureInfo.InvariantCulture);
        }
        Assert.True(dosage.Count(o => o["arm"] == "control") > 1000);
        Assert.Equal(0, sentToControl);
    }

    static (string[] Header, List<Dictionary<string, string>> Rows) ReadCsv(string text)
    {
        using var csv = new CsvReader(new StringReader(text), new CsvConfiguration(CultureInfo.InvariantCulture));
        csv.Read();
        csv.ReadHeader();
        var header = csv.HeaderRecord!;
        var rows = new List<Dictionary<string, string>>();
        while (csv.Read()) rows.Add(header.ToDictionary(h => h, h => csv.GetField(h) ?? ""));
        return (header, rows);
    }

    [Fact]
    public async Task Another_seed_gives_another_allocation_of_the_same_shape()
    {
        var other = Path.Combine(root, "other-seed");
        Assert.Equal(0, await DemoCommand.RunAsync(["--out", other, "--seed", "7"]));
        var allocation = (await File.ReadAllLinesAsync(Path.Combine(other, "allocation.csv"))).Skip(1).ToList();
        Assert.Equal(30, allocation.Count(l => l.EndsWith(",treatment", StringComparison.Ordinal)));
        Assert.Contains("seed 7", await File.ReadAllTextAsync(Path.Combine(other, "summary.txt")));
    }

    [Fact]
    public async Task A_seed_that_is_not_a_number_is_refused_before_anything_runs()
    {
        Assert.Equal(2, await DemoCommand.RunAsync(["--out", Path.Combine(root, "bad"), "--seed", "abc"]));
        Assert.False(Directory.Exists(Path.Combine(root, "bad", "data")));
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(root, recursive: true); } catch (IOException) { }
    }
}
