using System.Diagnostics;
using System.Text.Json;
using Reminders.Messaging.Audit;
using Reminders.Protocol;

namespace Reminders.Local.Demo;

/// <summary>
/// The end of the demo's study: the clock passes every cohort's endline, so Attendance's endline job freezes each
/// cohort; the manager then freezes the whole study (control officers have no cohort, so only this freezes them); the
/// consistency audit runs; and the researcher's exports are written beside the demo's other files, each officer as frozen
/// at their endline (their cohort's, or the manager's freeze for the control arm).
/// </summary>
static class EndlineDemo
{
    public const string FreezeReason = "demo endline";

    /// <summary>The researcher's files the demo writes, and where Attendance serves each (by default each officer's endline row).</summary>
    public static readonly (string File, string Path)[] Exports =
    [
        ("dosage.csv", "/api/attendance/dosage.csv"),
        ("codebook.md", "/api/attendance/dosage/codebook.md"),
        ("codebook.json", "/api/attendance/dosage/codebook.json"),
        ("summary-arms.csv", "/api/attendance/dosage/summaries/arms.csv"),
        ("summary-arms.json", "/api/attendance/dosage/summaries/arms.json"),
        ("summary-sectors.csv", "/api/attendance/dosage/summaries/sectors.csv"),
        ("summary-sectors.json", "/api/attendance/dosage/summaries/sectors.json"),
    ];

    static readonly TimeSpan FreezeTimeout = TimeSpan.FromSeconds(60);

    /// <summary>Moves the clock to the last cohort's endline and waits for the endline job; returns the study-wide snapshot's version.</summary>
    public static async Task<int> FreezeAsync(ReminderClient client, StudyTimeline timeline, StudyProtocol protocol, JsonElement plan, TextWriter console)
    {
        var rules = protocol.Reminders ?? throw new InvalidOperationException("The protocol has no reminders, so no endline.");
        var cohorts = plan.GetProperty("plan").EnumerateArray().ToList();
        var endline = cohorts.Select(c => rules.EndlineFor(LastTrainingDay(c, protocol.TimeZone))).Max();
        timeline.JumpTo(QuietHours.AtLocal(endline, TimeOnly.MinValue, protocol.TimeZone));

        var stopwatch = Stopwatch.StartNew();
        List<JsonElement> byJob;
        while (true)
        {
            byJob = (await client.SnapshotsAsync()).EnumerateArray().Where(s => s.GetProperty("takenBy").GetString() == "endline").ToList();
            if (byJob.Count >= cohorts.Count) break;
            if (stopwatch.Elapsed > FreezeTimeout)
                throw new TimeoutException($"The endline job froze {byJob.Count} of {cohorts.Count} cohorts in {FreezeTimeout.TotalSeconds:F0} s.");
            await Task.Delay(200);
        }
        var study = await client.FreezeStudyAsync(FreezeReason);
        var version = study.GetProperty("version").GetInt32();
        console.WriteLine($"Endline: the clock passed the last cohort's endline ({endline:yyyy-MM-dd}); the endline job froze {byJob.Count} cohorts " +
                          $"({byJob.Sum(s => s.GetProperty("officers").GetInt32()):N0} officers and walk-ins), then the manager froze the whole study: " +
                          $"snapshot {version}, {study.GetProperty("officers").GetInt32():N0} officers of both arms.");
        return version;
    }

    /// <summary>The consistency audit, printed in full (counts per source, differences by kind).</summary>
    public static async Task<AuditReport> AuditAsync(ReminderClient client, TextWriter console)
    {
        var report = await client.AuditAsync();
        Audit.AuditCommand.Print(report, console);
        return report;
    }

    /// <summary>Writes every researcher export into <paramref name="outDir"/>.</summary>
    public static async Task ExportAsync(ReminderClient client, string outDir)
    {
        foreach (var (file, path) in Exports)
            await File.WriteAllTextAsync(Path.Combine(outDir, file), await client.ResearchExportAsync(path));
    }

    static DateOnly LastTrainingDay(JsonElement cohort, TimeZoneInfo zone) =>
        cohort.GetProperty("sessions").EnumerateArray()
            .Select(s => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(s.GetProperty("startsAt").GetDateTimeOffset(), zone).DateTime)).Max();
}
