using Reminders.Local.Demo;

namespace Reminders.EndToEnd.Tests;

/// <summary>The demo on the committed 60-sector sample: two runs give byte-identical allocations; another seed another one.</summary>
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
