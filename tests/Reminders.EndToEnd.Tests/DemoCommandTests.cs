using System.Globalization;
using System.Text.Json;
using CsvHelper;
using CsvHelper.Configuration;
using Reminders.Enrollment.Roster;
using Reminders.Local.Demo;
using Reminders.Local.Sample;
using Reminders.Platform.Csv;
using Reminders.Protocol;

namespace Reminders.EndToEnd.Tests;

/// <summary>
/// The demo on the committed 60-sector sample: two runs give byte-identical allocations and the same study; its dosage.csv
/// agrees with the provider's log officer by officer; each edge of the study shows in its outputs; the audit is clean;
/// another seed gives another allocation.
/// </summary>
public sealed class DemoCommandTests : IDisposable
{
    readonly string root = Path.Combine(Path.GetTempPath(), "reminders-demo-tests-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task Two_demo_runs_write_byte_identical_allocations_and_all_their_outputs()
    {
        var first = Path.Combine(root, "first");
        var second = Path.Combine(root, "second");
        // At once: each run is a host of its own (its own port, data folder and clock), and together they take little more than one.
        var exitCodes = await Task.WhenAll(DemoCommand.RunAsync(["--out", first]), DemoCommand.RunAsync(["--out", second]));
        Assert.Equal(new[] { 0, 0 }, exitCodes);

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
        // Every invitation reached the provider but those to officers whose roster says consent = no (never sent) and to the demo's
        // five numbers the provider refuses (invalid, opted out at the carrier).
        var noConsentTreated = ReadCsv(await File.ReadAllTextAsync(Path.Combine(first, "dosage.csv"))).Rows.Count(r => r["consent"] == "0" && r["arm"] == "treatment");
        Assert.True(noConsentTreated > 0);
        var invitations = plan.GetProperty("invitations").GetInt32() - noConsentTreated;
        Assert.InRange(log.Split("Curso de Justicia Procedimental: inicia").Length - 1, invitations - 5, invitations);
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

        // The edges of the study: the same section twice, each edge as its files show it.
        static async Task<string[]> EdgeLines(string dir) => (await File.ReadAllLinesAsync(Path.Combine(dir, "summary.txt")))
            .SkipWhile(l => !l.StartsWith("Edges of the study", StringComparison.Ordinal)).TakeWhile(l => !l.StartsWith("Study summary", StringComparison.Ordinal)).ToArray();
        var edgeLines = await EdgeLines(first);
        Assert.Equal(10, edgeLines.Length);
        // summary.txt names each edge, and says what reached the phones that must get nothing.
        foreach (var edge in new[] { "  Consent = no: ", "  BAJA then ALTA: ", "  STOP then START: ", "  Same-arm transfer: ", "  Cross-arm transfer: ",
                                     "  Control officer into treatment: ", "  Corrected roll call: ", "  Late enrollee: ", "  Time zones: " })
            Assert.Single(edgeLines, l => l.StartsWith(edge, StringComparison.Ordinal));
        Assert.Contains("SMS to their phones in the provider's log: 0;", edgeLines.Single(l => l.StartsWith("  Consent = no: ", StringComparison.Ordinal)));
        Assert.EndsWith("; 0 SMS to them in the provider's log.", edgeLines.Single(l => l.StartsWith("  Control officer into treatment: ", StringComparison.Ordinal)));
        Assert.Contains("enrolled_after_randomization = 1;", edgeLines.Single(l => l.StartsWith("  Late enrollee: ", StringComparison.Ordinal)));
        Assert.Equal(edgeLines, await EdgeLines(second));
        await AssertEdgesAsync(first, log);

        await AssertDosageAgreesWithProviderLogAsync(first, log);
    }

    /// <summary>
    /// Each edge of the study from the demo's outputs: dosage.csv's rows, the provider's log (what reached a phone),
    /// reminders.csv, the training plan and edges.json (the officers involved and the corrected session's history).
    /// </summary>
    static async Task AssertEdgesAsync(string dir, string providerLog)
    {
        var dosage = ReadCsv(await File.ReadAllTextAsync(Path.Combine(dir, "dosage.csv"))).Rows.ToDictionary(r => r["officer_id"]);
        var reminders = ReadCsv(await File.ReadAllTextAsync(Path.Combine(dir, "reminders.csv"))).Rows.ToLookup(r => r["officer_id"]);
        var edges = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(dir, DemoCommand.EdgesFile))).RootElement;
        var messagesTo = ReadCsv(providerLog).Rows.ToLookup(m => m["to"]);
        var phoneByOfficer = await PhoneByOfficerAsync(dir);
        int SmsTo(string officerId) => messagesTo[phoneByOfficer[officerId]].Count();
        static int Int(Dictionary<string, string> row, string column) => int.Parse(row[column], CultureInfo.InvariantCulture);
        static string Id(JsonElement edge) => edge.GetProperty("officerId").GetGuid().ToString();

        // Consent = no: no SMS of any kind reached them; the treatment ones were trained and their reminders skipped as no_consent.
        var refused = dosage.Values.Where(r => r["consent"] == "0").ToList();
        Assert.True(refused.Count > 30, $"{refused.Count} officers with consent = no");
        Assert.All(refused, r => Assert.Equal((0, 0, 0), (SmsTo(r["officer_id"]), Int(r, "reminders_sent"), Int(r, "logistics_sent"))));
        var refusedTreated = refused.Where(r => r["arm"] == "treatment").ToList();
        Assert.NotEmpty(refusedTreated);
        Assert.All(refusedTreated, r => Assert.True(Int(r, "reminders_skipped_no_consent") > 0 && Int(r, "training_minutes_planned") > 0, string.Join(",", r)));

        // A same-arm transfer keeps the reminders; a cross-arm one skips the rest as transferred_cross_arm, still in the denominator.
        var same = dosage[Id(edges.GetProperty("sameArmTransfer"))];
        Assert.Equal(("treatment", "0", 0), (same["arm"], same["cross_arm_transfer"], Int(same, "reminders_skipped")));
        Assert.NotEqual(same["sector_id"], same["current_sector_id"]);
        Assert.Equal(Int(same, "reminders_planned"), Int(same, "reminders_sent"));
        var cross = dosage[Id(edges.GetProperty("crossArmTransfer"))];
        Assert.Equal(("treatment", "1"), (cross["arm"], cross["cross_arm_transfer"]));
        Assert.True(Int(cross, "reminders_sent") > 0 && Int(cross, "reminders_skipped_transferred_cross_arm") > 0, string.Join(",", cross));
        Assert.Equal(Int(cross, "reminders_planned"), Int(cross, "reminders_sent") + Int(cross, "reminders_skipped_transferred_cross_arm"));

        // A control officer moved into a treatment sector stays control: not trained, nothing planned, no SMS.
        var controlOfficer = dosage[Id(edges.GetProperty("controlIntoTreatment"))];
        Assert.Equal(("control", "1"), (controlOfficer["arm"], controlOfficer["cross_arm_transfer"]));
        Assert.NotEqual(controlOfficer["sector_id"], controlOfficer["current_sector_id"]);
        Assert.Equal((0, 0, 0, 0), (Int(controlOfficer, "training_minutes_planned"), Int(controlOfficer, "training_minutes_attended"),
            Int(controlOfficer, "reminders_planned"), Int(controlOfficer, "logistics_sent")));
        Assert.Equal(0, SmsTo(controlOfficer["officer_id"]));

        // The late enrollee takes their sector's arm, flagged, and is trained and reminded like the others.
        var late = dosage[Id(edges.GetProperty("lateEnrollee"))];
        Assert.Equal(("treatment", "1"), (late["arm"], late["enrolled_after_randomization"]));
        Assert.Single(dosage.Values, r => r["enrolled_after_randomization"] == "1");
        Assert.True(Int(late, "training_minutes_attended") > 0 && Int(late, "reminders_sent") > 0 && SmsTo(late["officer_id"]) > 0, string.Join(",", late));

        // BAJA then ALTA, STOP then START: opted out once, active again; nothing sent while out, no reminder left planned or cancelled.
        var optOuts = edges.GetProperty("optOuts").EnumerateArray().ToList();
        Assert.Equal(["BAJA", "STOP"], optOuts.Select(o => o.GetProperty("outKeyword").GetString()));
        Assert.Equal(["ALTA", "START"], optOuts.Select(o => o.GetProperty("inKeyword").GetString()));
        foreach (var optOut in optOuts)
        {
            var row = dosage[Id(optOut)];
            Assert.Equal("active", row["study_status"]);
            Assert.NotEqual("", row["sms_opted_out_at"]);
            Assert.True(Int(row, "reminders_sent") > 0, string.Join(",", row));
            var (outAt, inAt) = (optOut.GetProperty("outAt").GetDateTimeOffset(), optOut.GetProperty("inAt").GetDateTimeOffset());
            var mine = reminders[Id(optOut)].ToList();
            Assert.Equal(6, mine.Count);
            Assert.DoesNotContain(mine, r => r["status"] is "planned" or "cancelled");
            Assert.DoesNotContain(mine, r => r["status"] == "dispatched" && DateTimeOffset.Parse(r["dispatched_at"], CultureInfo.InvariantCulture) is var at && at >= outAt && at < inAt);
        }

        // The corrected roll call replaced the first: its events superseded by the second, which gives the session more minutes.
        var correction = edges.GetProperty("correctedRollCall");
        var rollCalls = correction.GetProperty("events").GetProperty("rollCalls").EnumerateArray().ToList();
        Assert.Equal(2, rollCalls.Count);
        var (firstCall, secondCall) = (rollCalls[0], rollCalls[1]);
        Assert.False(firstCall.GetProperty("current").GetBoolean());
        Assert.True(secondCall.GetProperty("current").GetBoolean());
        Assert.Equal(secondCall.GetProperty("rollCallId").GetGuid(), firstCall.GetProperty("supersededBy").GetGuid());
        Assert.Equal(firstCall.GetProperty("rollCallId").GetGuid(), secondCall.GetProperty("replaces").GetGuid());
        Assert.False(string.IsNullOrWhiteSpace(secondCall.GetProperty("reason").GetString()));
        var events = correction.GetProperty("events").GetProperty("events").EnumerateArray().ToList();
        Assert.All(events.Where(e => !e.GetProperty("current").GetBoolean()), e => Assert.Equal(secondCall.GetProperty("rollCallId").GetGuid(), e.GetProperty("supersededByRollCall").GetGuid()));
        Assert.All(events.Where(e => e.GetProperty("current").GetBoolean()), e => Assert.Equal(secondCall.GetProperty("rollCallId").GetGuid(), e.GetProperty("rollCallId").GetGuid()));
        Assert.Equal(firstCall.GetProperty("events").GetInt32(), events.Count(e => !e.GetProperty("current").GetBoolean()));
        Assert.True(correction.GetProperty("minutesAfter").GetInt32() > correction.GetProperty("minutesBefore").GetInt32());

        // The Tijuana sector trains at 09:00 and is reminded at 10:00 on its own wall clock, across the US daylight-saving change.
        Assert.Equal((SyntheticSample.TijuanaSector, SyntheticSample.TijuanaZone), (edges.GetProperty("timeZoneSector").GetString(), edges.GetProperty("timeZone").GetString()));
        var tijuana = TimeZoneInfo.FindSystemTimeZoneById(SyntheticSample.TijuanaZone);
        var cohorts = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(dir, "training-plan.json"))).RootElement.GetProperty("plan").EnumerateArray()
            .Where(c => c.GetProperty("sectorCode").GetString() == SyntheticSample.TijuanaSector).ToList();
        Assert.NotEmpty(cohorts);
        Assert.All(cohorts.SelectMany(c => c.GetProperty("sessions").EnumerateArray()), s =>
            Assert.Equal(new TimeSpan(9, 0, 0), TimeZoneInfo.ConvertTime(s.GetProperty("startsAt").GetDateTimeOffset(), tijuana).TimeOfDay));
        var cohortIds = cohorts.Select(c => c.GetProperty("cohortId").GetGuid().ToString()).ToHashSet();
        var due = reminders.SelectMany(g => g).Where(r => cohortIds.Contains(r["cohort_id"]))
            .Select(r => TimeZoneInfo.ConvertTime(DateTimeOffset.Parse(r["due_at"], CultureInfo.InvariantCulture), tijuana)).ToList();
        Assert.NotEmpty(due);
        Assert.All(due, d => Assert.Equal(new TimeSpan(10, 0, 0), d.TimeOfDay));
        Assert.Equal([TimeSpan.FromHours(-8), TimeSpan.FromHours(-7)], due.Select(d => d.Offset).Distinct().Order());
    }

    /// <summary>Officer id → phone: the demo's link file (id → badge) and the last roster the demo uploaded (badge → phone, late enrollee included).</summary>
    static async Task<Dictionary<string, string>> PhoneByOfficerAsync(string dir)
    {
        var roster = RosterParser.Parse(CsvText.Decode(await File.ReadAllBytesAsync(Path.Combine(dir, DemoCommand.RosterUpdates[^1]))).Text).Rows;
        var phoneByBadge = roster.ToDictionary(r => r.Badge, r => r.PhoneE164);
        return ReadCsv(await File.ReadAllTextAsync(Path.Combine(dir, DemoCommand.RosterLinkFile))).Rows.ToDictionary(r => r["officer_id"], r => phoneByBadge[r["badge"]]);
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
        // The sample roster and the late enrollee.
        var roster = RosterParser.Parse(CsvText.Decode(SampleFiles.Roster).Text).Rows;
        Assert.Equal(roster.Count + 1, dosage.Count);
        var phoneByOfficer = await PhoneByOfficerAsync(dir);
        var protocol = ProtocolLoader.LoadDefault();
        var reminderTexts = protocol.Reminders!.Schedule.SelectMany(s => new[] { s.Template.Officer.Render(), s.Template.Commander.Render() }).ToHashSet();
        var reminders = ReadCsv(providerLog).Rows.Where(m => reminderTexts.Contains(m["body"])).ToLookup(m => m["to"]);
        Assert.True(reminders.Sum(g => g.Count()) > 6000);

        var sentToControl = 0;
        foreach (var officer in dosage)
        {
            var messages = reminders[phoneByOfficer[officer["officer_id"]]].ToList();
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
