using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Reminders.Contracts;
using Reminders.Enrollment.Roster;
using Reminders.Local.Sample;
using Reminders.Platform.Csv;
using Reminders.Protocol;

namespace Reminders.Local.Demo;

/// <summary>
/// The study's edges, acted out where a real study meets them and reported in summary.txt ("Edges of the study"):
/// officers whose roster says consent = no and one sector on Tijuana's clock (both in the sample); a late enrollee and a
/// control officer moved into a treatment sector, in a roster re-imported after the randomization and before the
/// trainings are planned; one session's roll call uploaded again with a reason before its cohort closes; and during the
/// reminder months one officer replying BAJA then ALTA, another STOP then START, and a roster re-import moving one officer
/// within the treatment arm and another to a control sector. Every choice follows from the allocation, the plan and the
/// badges, so the same seed gives the same edges. edges.json names the officers (pseudonymous ids only) and keeps the
/// corrected session's history.
/// </summary>
sealed class EdgesDemo(ReminderClient client, StudyTimeline timeline, StudyProtocol protocol, string outDir)
{
    /// <summary>The late enrollee: the next badge after the sample's, a number past its 2,240 (still in the +52 55 0 block no phone uses).</summary>
    const string LateEnrolleeBadge = "SSC-102240";
    const string LateEnrolleePhone = "+525500009001";

    const string CorrectionReason = "the trainer's second sheet: officers present but missing from the first";
    static readonly TimeSpan WaitTimeout = TimeSpan.FromSeconds(30);
    /// <summary>How long to wait for the Scheduler to give reminders skipped while opted out a new fate after an opt-in.</summary>
    static readonly TimeSpan RestoreWait = TimeSpan.FromSeconds(3);
    static readonly TimeOnly Noon = new(12, 0);

    public sealed record Moved(Guid OfficerId, string From, string To, string FromArm, string ToArm, DateOnly On);
    public sealed record Enrolled(Guid OfficerId, string SectorCode, DateOnly On);
    public sealed record OptOut(Guid OfficerId, string SectorCode, string OutKeyword, DateTimeOffset OutAt, string InKeyword, DateTimeOffset InAt);
    public sealed record Correction(Guid SessionId, string SectorCode, string Role, string Date, string Reason, int OfficersAdded,
        int MinutesBefore, int MinutesAfter, JsonElement Events);
    public sealed record Edges(Enrolled? LateEnrollee, Moved? ControlIntoTreatment, Moved? SameArmTransfer, Moved? CrossArmTransfer,
        IReadOnlyList<OptOut> OptOuts, Correction? CorrectedRollCall, string TimeZoneSector, string TimeZone);

    readonly HashSet<string> scripted = [];
    readonly Dictionary<string, string> phoneByBadge = RosterParser.Parse(CsvText.Decode(SampleFiles.Roster).Text).Rows
        .ToDictionary(r => r.Badge, r => r.PhoneE164);
    string roster = CsvText.Decode(SampleFiles.Roster).Text;
    Enrolled? lateEnrollee;
    Moved? controlIntoTreatment, sameArm, crossArm;
    readonly List<OptOut> optOuts = [];
    Correction? correction;

    /// <summary>Phones that answer only what the demo scripts for them (no random replies).</summary>
    public IReadOnlySet<string> ScriptedPhones => scripted;

    /// <summary>
    /// After the randomization, before the trainings are planned: the manager re-imports the roster with one new officer in a
    /// treatment sector (a late enrollee, who takes that sector's arm) and one control officer moved into a treatment sector
    /// (a cross-arm transfer: they stay control). Waits until the Scheduler would plan the late enrollee.
    /// </summary>
    public async Task BeforeTrainingAsync(IReadOnlyDictionary<string, string?> arms, IReadOnlyList<JsonElement> officers, DateOnly today, DateOnly planFrom, DateOnly planTo)
    {
        var treatment = SectorsOf(arms, StudyArms.Treatment);
        var control = SectorsOf(arms, StudyArms.Control);
        var (lateSector, intoSector, fromSector) = (treatment[0], treatment[1], control[^1]);
        // The last officer by badge of the last control sector: never one of the demo's walk-ins (the first control officers).
        var mover = officers.Where(o => Text(o, "sectorCode") == fromSector && Text(o, "role") == StudyRoles.Officer && o.GetProperty("consent").GetBoolean())
            .OrderBy(o => Text(o, "badge"), StringComparer.Ordinal).Last();
        async Task<int> TraineesAsync()
        {
            // Before any venue is registered nobody is placed: count the unplaced trainees too.
            var dryRun = await client.DryRunPlanAsync(planFrom, planTo, [lateSector, intoSector]);
            return dryRun.GetProperty("officers").GetInt32() + dryRun.GetProperty("unplaced").EnumerateArray().Sum(u => u.GetProperty("trainees").GetInt32());
        }
        var before = await TraineesAsync();

        roster = WithSector(roster, Text(mover, "badge"), intoSector)
                 + string.Join(';', LateEnrolleeBadge, "Itzel Ramírez Núñez", "policía", lateSector, "55 0000 9001", "sí", "matutino") + "\r\n";
        phoneByBadge[LateEnrolleeBadge] = LateEnrolleePhone;
        var report = await ImportAsync(DemoCommand.RosterUpdates[0], today);
        if (report.GetProperty("imported").GetInt32() != 1 || report.GetProperty("crossArmTransfers").GetInt32() != 1)
            throw new InvalidOperationException($"The roster re-import before the trainings did not enroll one officer and move one across arms: {report}");

        await WaitAsync(async () => await TraineesAsync() == before + 1, "the Scheduler to plan the late enrollee");
        var late = (await client.OfficersAsync()).EnumerateArray().Single(o => Text(o, "badge") == LateEnrolleeBadge);
        lateEnrollee = new Enrolled(late.GetProperty("id").GetGuid(), lateSector, today);
        controlIntoTreatment = new Moved(mover.GetProperty("id").GetGuid(), fromSector, intoSector, StudyArms.Control, StudyArms.Treatment, today);
        scripted.Add(LateEnrolleePhone);
        scripted.Add(phoneByBadge[Text(mover, "badge")]);
    }

    /// <summary>
    /// Before the first cohort with an absentee closes: the trainer's second sheet shows the absentees of one session were there
    /// after all; the roll call is uploaded again with a reason and replaces the first (its events superseded, not added to).
    /// </summary>
    public async Task CorrectRollCallAsync(JsonElement cohort, IReadOnlyList<TrainingDemo.RollCall> rollCalls)
    {
        if (correction is not null || rollCalls.FirstOrDefault(r => r.Absent.Count > 0) is not { } rollCall) return;
        var before = await MinutesAsync(rollCall.SessionId);
        var sheet = new StringBuilder(rollCall.Csv);
        foreach (var officerId in rollCall.Absent)
            sheet.Append(CsvText.Line([officerId.ToString(), rollCall.StartsAt.AddMinutes(3).ToString("O", CultureInfo.InvariantCulture),
                rollCall.EndsAt.ToString("O", CultureInfo.InvariantCulture), ""]));
        await client.UploadRollCallAsync(rollCall.SessionId, sheet.ToString(), CorrectionReason);
        var session = cohort.GetProperty("sessions").EnumerateArray().First(s => s.GetProperty("sessionId").GetGuid() == rollCall.SessionId);
        correction = new Correction(rollCall.SessionId, Text(cohort, "sectorCode"), Text(cohort, "role"), Text(session, "date"), CorrectionReason,
            rollCall.Absent.Count, before, await MinutesAsync(rollCall.SessionId), await client.SessionEventsAsync(rollCall.SessionId));
    }

    /// <summary>
    /// The reminder months' script, timed on the reminders of the officer cohort trained last (so all of it falls after the
    /// training weeks), with four of its officers chosen by badge: one replies BAJA two days before their 2nd reminder and ALTA
    /// four days after it (its late window closed meanwhile); another replies STOP the day after their 3rd and START four days
    /// later; and two days after their 2nd, a roster re-import moves a third to another treatment sector and a fourth to a
    /// control sector.
    /// </summary>
    public async Task<IReadOnlyList<StudyTimeline.ScriptedStep>> ScriptReminderMonthsAsync(
        JsonElement plan, IReadOnlyList<JsonElement> people, IReadOnlyDictionary<string, string?> arms)
    {
        var reminders = StudySummary.ParseCsv(await client.TextAsync("scheduler", "/api/scheduler/reminders.csv"));
        var cohort = plan.GetProperty("plan").EnumerateArray()
            .Where(c => Text(c, "role") == StudyRoles.Officer && Text(c, "sectorCode") != SyntheticSample.TijuanaSector)
            .OrderByDescending(c => c.GetProperty("sessions").EnumerateArray().Max(s => s.GetProperty("endsAt").GetDateTimeOffset()))
            .ThenBy(c => Text(c, "sectorCode"), StringComparer.Ordinal).First();
        var cohortId = cohort.GetProperty("cohortId").GetGuid().ToString();
        var sector = Text(cohort, "sectorCode");
        var badgeById = people.ToDictionary(p => p.GetProperty("id").GetGuid().ToString(), p => Text(p, "badge"));
        var count = protocol.Reminders!.Schedule.Length;
        // Officers with every reminder still to come (eligible, consenting, active); the first by badge got the demo's test SMS.
        var chosen = reminders.Where(r => r["cohort_id"] == cohortId).GroupBy(r => r["officer_id"])
            .Where(g => g.Count() == count && g.All(r => r["status"] == "planned") && badgeById.ContainsKey(g.Key))
            .OrderBy(g => badgeById[g.Key], StringComparer.Ordinal).Skip(1).Take(4).ToList();
        if (chosen.Count < 4) throw new InvalidOperationException($"Cohort {cohortId} of {sector} has fewer than 5 officers with every reminder planned.");
        foreach (var officer in chosen) scripted.Add(phoneByBadge[badgeById[officer.Key]]);

        var zone = protocol.TimeZone;
        var due = chosen[0].ToDictionary(r => int.Parse(r["reminder_number"], CultureInfo.InvariantCulture), r => DateTimeOffset.Parse(r["due_at"], CultureInfo.InvariantCulture));
        DateTimeOffset NoonAfter(int reminder, int days) =>
            QuietHours.AtLocal(DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(due[reminder], zone).DateTime).AddDays(days), Noon, zone);
        var (a, b, same, cross) = (Guid.Parse(chosen[0].Key), Guid.Parse(chosen[1].Key), Guid.Parse(chosen[2].Key), Guid.Parse(chosen[3].Key));
        optOuts.Add(new OptOut(a, sector, "BAJA", NoonAfter(2, -2), "ALTA", NoonAfter(2, 4)));
        optOuts.Add(new OptOut(b, sector, "STOP", NoonAfter(3, 1), "START", NoonAfter(3, 5)));
        var transferAt = NoonAfter(2, 2);
        var transferOn = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(transferAt, zone).DateTime);
        var sameTo = SectorsOf(arms, StudyArms.Treatment).First(s => s != sector);
        sameArm = new Moved(same, sector, sameTo, StudyArms.Treatment, StudyArms.Treatment, transferOn);
        crossArm = new Moved(cross, sector, SectorsOf(arms, StudyArms.Control)[0], StudyArms.Treatment, StudyArms.Control, transferOn);

        string PhoneOf(Guid officerId) => phoneByBadge[badgeById[officerId.ToString()]];
        return
        [
            .. optOuts.SelectMany(o => new StudyTimeline.ScriptedStep[]
            {
                new(o.OutAt, $"{o.OutKeyword} from an officer of {sector}", () => OptOutAsync(o.OfficerId, PhoneOf(o.OfficerId), o.OutKeyword)),
                new(o.InAt, $"{o.InKeyword} from the same officer", () => OptInAsync(o.OfficerId, PhoneOf(o.OfficerId), o.InKeyword)),
            }),
            new(transferAt, "roster re-import with two transfers", () => TransferAsync(badgeById[same.ToString()], badgeById[cross.ToString()])),
        ];
    }

    async Task OptOutAsync(Guid officerId, string phone, string keyword)
    {
        await client.SimulateReplyAsync(phone, await SenderAsync(phone), keyword);
        await WaitAsync(async () => await StudyStatusAsync(officerId) == OfficerStatuses.SmsOptedOut, $"{keyword} to opt the officer out");
        await WaitAsync(async () => (await RemindersOfAsync(officerId)).All(r => r["status"] != "planned"), $"the Scheduler to stop reminders after {keyword}");
    }

    async Task OptInAsync(Guid officerId, string phone, string keyword)
    {
        await client.SimulateReplyAsync(phone, await SenderAsync(phone), keyword);
        await WaitAsync(async () => await StudyStatusAsync(officerId) == OfficerStatuses.Active, $"{keyword} to opt the officer back in");
        // Restored reminders are planned again, sent late or skipped missed_window; a build that does not restore leaves them opted_out.
        await WaitAsync(async () => (await RemindersOfAsync(officerId)).All(r => r["reason"] != SmsSkipReasons.OptedOut),
            $"the Scheduler to restore reminders after {keyword}", RestoreWait, required: false);
    }

    /// <summary>The manager uploads the roster again, two officers in new sectors, with the transfers' date.</summary>
    async Task TransferAsync(string sameBadge, string crossBadge)
    {
        roster = WithSector(WithSector(roster, sameBadge, sameArm!.To), crossBadge, crossArm!.To);
        var report = await ImportAsync(DemoCommand.RosterUpdates[1], sameArm.On);
        if (report.GetProperty("transferred").GetInt32() != 2 || report.GetProperty("crossArmTransfers").GetInt32() != 1)
            throw new InvalidOperationException($"The mid-study roster re-import did not make one same-arm and one cross-arm transfer: {report}");
        var sectorIds = (await client.SectorsAsync()).EnumerateArray().ToDictionary(s => Text(s, "code"), s => s.GetProperty("id").GetGuid());
        foreach (var moved in new[] { sameArm, crossArm })
            await WaitAsync(async () => await client.DosageAsync(moved.OfficerId) is { } row && row.GetProperty("currentSectorId") is { ValueKind: JsonValueKind.String } current
                                        && current.GetGuid() == sectorIds[moved.To], $"the ledger to learn the transfer to {moved.To}");
        if (protocol.Transfers.CrossArm == CrossArmTransfer.Stop)
            await WaitAsync(async () => (await RemindersOfAsync(crossArm.OfficerId)).All(r => r["status"] != "planned"),
                "the Scheduler to stop the cross-arm officer's reminders");
    }

    /// <summary>Prints the "Edges of the study" section from the demo's outputs and writes edges.json.</summary>
    public async Task ReportAsync(TextWriter console, IReadOnlyDictionary<string, string?> arms)
    {
        var dosage = StudySummary.ReadCsv(Path.Combine(outDir, "dosage.csv")).ToDictionary(r => r["officer_id"]);
        var reminders = StudySummary.ReadCsv(Path.Combine(outDir, "reminders.csv")).ToLookup(r => r["officer_id"]);
        var log = StudySummary.ReadCsv(Path.Combine(outDir, "simulator-log.csv")).ToLookup(m => m["to"]);
        var plan = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(outDir, "training-plan.json"))).RootElement;
        var sample = RosterParser.Parse(CsvText.Decode(SampleFiles.Roster).Text).Rows;
        var zone = protocol.TimeZone;
        string Day(DateTimeOffset instant) => TimeZoneInfo.ConvertTime(instant, zone).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        int Int(Dictionary<string, string> row, string column) => int.Parse(row[column], CultureInfo.InvariantCulture);
        int SmsTo(Guid officerId) => log[PhoneOf(officerId)].Count();

        console.WriteLine("Edges of the study:");
        // Consent = no: counted from dosage.csv, and their phones (from the sample roster) in the provider's log.
        var refused = dosage.Values.Where(r => r["consent"] == "0").ToList();
        var refusedTreated = refused.Where(r => r["arm"] == StudyArms.Treatment).ToList();
        var refusedPhones = sample.Where(r => !r.Consent).Select(r => r.PhoneE164).ToList();
        var logisticsNoConsent = (await timeline.DispatchAsync()).GetProperty("counts").EnumerateArray()
            .Where(c => c.GetProperty("purpose").GetString() == SmsPurposes.Logistics && c.GetProperty("reason").GetString() == SmsSkipReasons.NoConsent)
            .Sum(c => c.GetProperty("count").GetInt64());
        var trained = refusedTreated.Where(r => Int(r, "training_minutes_attended") > 0).ToList();
        console.WriteLine($"  Consent = no: {refused.Count} officers and commanders ({refusedTreated.Count} treatment, {refused.Count - refusedTreated.Count} control). " +
                          $"SMS to their phones in the provider's log: {refusedPhones.Sum(p => log[p].Count())}; {refused.Sum(r => Int(r, "reminders_skipped_no_consent"))} reminders " +
                          $"and {logisticsNoConsent} logistics SMS skipped as no_consent. {trained.Count} of the {refusedTreated.Count} in treatment were trained with their " +
                          $"sector (mean {(trained.Count == 0 ? 0 : trained.Average(r => Int(r, "training_minutes_attended"))):F0} minutes).");

        foreach (var o in optOuts)
        {
            var mine = reminders[o.OfficerId.ToString()].Select(r => (Due: DateTimeOffset.Parse(r["due_at"], CultureInfo.InvariantCulture), Fate: Fate(r))).ToList();
            console.WriteLine($"  {o.OutKeyword} then {o.InKeyword}: an officer of {o.SectorCode} replied {o.OutKeyword} on {Day(o.OutAt)} and {o.InKeyword} on {Day(o.InAt)}. " +
                              $"Their {mine.Count} reminders: due before {o.OutKeyword}: {Fates(mine.Where(r => r.Due < o.OutAt).Select(r => r.Fate))}; " +
                              $"due while out: {Fates(mine.Where(r => r.Due >= o.OutAt && r.Due < o.InAt).Select(r => r.Fate))}; " +
                              $"due after {o.InKeyword}: {Fates(mine.Where(r => r.Due >= o.InAt).Select(r => r.Fate))}. " +
                              $"Study status at endline: {dosage[o.OfficerId.ToString()]["study_status"]}; {SmsTo(o.OfficerId)} SMS to them in the provider's log.");
        }

        foreach (var (label, moved) in new[] { ("Same-arm transfer", sameArm), ("Cross-arm transfer", crossArm) })
        {
            if (moved is null) continue;
            var at = QuietHours.AtLocal(moved.On, TimeOnly.MinValue, zone);
            var mine = reminders[moved.OfficerId.ToString()].Select(r => (Due: DateTimeOffset.Parse(r["due_at"], CultureInfo.InvariantCulture), Fate: Fate(r))).ToList();
            console.WriteLine($"  {label}: an officer of {moved.From} ({moved.FromArm}) moved to {moved.To} ({moved.ToArm}) on {moved.On:yyyy-MM-dd}, in a roster re-imported " +
                              $"with that transfer date. Their reminders: due before: {Fates(mine.Where(r => r.Due < at).Select(r => r.Fate))}; " +
                              $"due after: {Fates(mine.Where(r => r.Due >= at).Select(r => r.Fate))}; cross_arm_transfer = {dosage[moved.OfficerId.ToString()]["cross_arm_transfer"]}.");
        }

        if (controlIntoTreatment is { } c)
        {
            var row = dosage[c.OfficerId.ToString()];
            console.WriteLine($"  Control officer into treatment: an officer of control sector {c.From} moved to treatment sector {c.To} on {c.On:yyyy-MM-dd}, " +
                              $"before the trainings were planned. Arm {row["arm"]} (cross_arm_transfer = {row["cross_arm_transfer"]}); " +
                              $"{row["training_minutes_planned"]} training minutes planned, {row["training_minutes_attended"]} attended; " +
                              $"{row["reminders_planned"]} reminders planned; {SmsTo(c.OfficerId)} SMS to them in the provider's log.");
        }

        if (correction is { } k)
        {
            var rollCalls = k.Events.GetProperty("rollCalls").EnumerateArray().ToList();
            var events = k.Events.GetProperty("events").EnumerateArray().ToList();
            console.WriteLine($"  Corrected roll call: the roll call of the {k.Date} session of {k.SectorCode}'s {k.Role} cohort was uploaded again, with " +
                              $"{Officers(k.OfficersAdded)} marked absent now present and the reason \"{k.Reason}\". It replaced the first: " +
                              $"{rollCalls.Count} roll calls, {rollCalls.Count(r => r.GetProperty("current").GetBoolean())} in force; " +
                              $"{events.Count(e => !e.GetProperty("current").GetBoolean())} events superseded, {events.Count(e => e.GetProperty("current").GetBoolean())} in force. " +
                              $"Minutes attended in the session: {k.MinutesBefore:N0} before, {k.MinutesAfter:N0} after.");
        }

        if (lateEnrollee is { } l)
        {
            var row = dosage[l.OfficerId.ToString()];
            console.WriteLine($"  Late enrollee: an officer first imported on {l.On:yyyy-MM-dd}, after the randomization, into {l.SectorCode}. Arm {row["arm"]}, " +
                              $"enrolled_after_randomization = {row["enrolled_after_randomization"]}; trained {row["training_minutes_attended"]} minutes; " +
                              $"{row["reminders_planned"]} reminders planned, {row["reminders_sent"]} sent, {row["reminders_delivered"]} delivered.");
        }

        var tijuana = SyntheticSample.TijuanaSector;
        var tz = (await client.SectorsAsync()).EnumerateArray().Where(s => Text(s, "code") == tijuana)
            .Select(s => s.TryGetProperty("timeZone", out var z) && z.ValueKind == JsonValueKind.String ? z.GetString()! : protocol.TimeZoneId).Single();
        var local = protocol.ZoneOf(tz);
        var cohorts = plan.GetProperty("plan").EnumerateArray().Where(x => Text(x, "sectorCode") == tijuana).ToList();
        if (cohorts.Count == 0)
            console.WriteLine($"  Time zones: {tijuana} runs on {tz} (the others on {protocol.TimeZoneId}); it is a {arms.GetValueOrDefault(tijuana)} sector with this seed, so nothing was planned there.");
        else
        {
            var sessions = cohorts.SelectMany(x => x.GetProperty("sessions").EnumerateArray()).Select(s => s.GetProperty("startsAt").GetDateTimeOffset()).ToList();
            var cohortIds = cohorts.Select(x => x.GetProperty("cohortId").GetGuid().ToString()).ToHashSet();
            var due = reminders.SelectMany(g => g).Where(r => cohortIds.Contains(r["cohort_id"])).Select(r => DateTimeOffset.Parse(r["due_at"], CultureInfo.InvariantCulture)).ToList();
            // Grouped by local time and UTC offset: one group per side of a daylight-saving change.
            string Times(IEnumerable<DateTimeOffset> instants) => string.Join(", and ", instants.Select(i => TimeZoneInfo.ConvertTime(i, local)).GroupBy(i => (i.TimeOfDay, i.Offset))
                .OrderBy(g => g.Min()).Select(g => string.Create(CultureInfo.InvariantCulture,
                    $"{g.Count()} at {g.Key.TimeOfDay:hh\\:mm} local time, UTC{(g.Key.Offset < TimeSpan.Zero ? "−" : "+")}{g.Key.Offset.Duration().TotalHours:0.##} " +
                    $"({g.Min().UtcDateTime:HH:mm} UTC, {TimeZoneInfo.ConvertTime(g.Min(), zone):HH:mm} in Mexico City) from {g.Min():yyyy-MM-dd} to {g.Max():yyyy-MM-dd}")));
            console.WriteLine($"  Time zones: {tijuana} runs on {tz}, the other sectors on {protocol.TimeZoneId}. Its training sessions: {Times(sessions)}. " +
                              $"Its reminders: {Times(due)}.");
        }

        var edges = new Edges(lateEnrollee, controlIntoTreatment, sameArm, crossArm, optOuts, correction, tijuana, tz);
        await File.WriteAllTextAsync(Path.Combine(outDir, DemoCommand.EdgesFile), JsonSerializer.Serialize(edges, ReminderClient.Json));
    }

    static string Officers(int count) => count == 1 ? "1 officer" : $"{count} officers";

    /// <summary>"none", or counts by fate: "1 sent, 4 skipped opted_out".</summary>
    static string Fates(IEnumerable<string> fates)
    {
        var groups = fates.GroupBy(f => f).Select(g => $"{g.Count()} {g.Key}").ToList();
        return groups.Count == 0 ? "none" : string.Join(", ", groups);
    }

    /// <summary>A reminder's fate as reminders.csv has it: sent (late), or skipped / cancelled with the reason.</summary>
    static string Fate(Dictionary<string, string> reminder) => reminder["status"] switch
    {
        "dispatched" => reminder["late"] == "true" ? "sent late" : "sent",
        var status when reminder["reason"].Length > 0 => $"{status} {reminder["reason"]}",
        var status => status,
    };

    string PhoneOf(Guid officerId)
    {
        var badge = File.ReadLines(Path.Combine(outDir, DemoCommand.RosterLinkFile)).Select(l => l.Split(','))
            .First(f => f[0] == officerId.ToString())[1];
        return phoneByBadge[badge];
    }

    async Task<JsonElement> ImportAsync(string file, DateOnly transferDate)
    {
        var bytes = Encoding.UTF8.GetBytes("\uFEFF" + roster);
        await File.WriteAllBytesAsync(Path.Combine(outDir, file), bytes);
        var report = await client.ImportRosterAsync(bytes, "apply", transferDate);
        if (report.GetProperty("rejected").GetArrayLength() > 0) throw new InvalidOperationException($"The roster re-import {file} rejected rows: {report}");
        return report;
    }

    /// <summary>The roster with one officer's sector changed, as the manager edits it in the spreadsheet.</summary>
    static string WithSector(string roster, string badge, string sector)
    {
        var lines = roster.Split("\r\n");
        var index = Array.FindIndex(lines, l => l.StartsWith(badge + ";", StringComparison.Ordinal));
        var fields = lines[index].Split(';');
        fields[3] = sector;
        lines[index] = string.Join(';', fields);
        return string.Join("\r\n", lines);
    }

    async Task<string> SenderAsync(string phone) =>
        StudySummary.ParseCsv(await client.SimulatorLogCsvAsync()).First(m => m["to"] == phone)["from"];

    async Task<string?> StudyStatusAsync(Guid officerId) => (await client.DosageAsync(officerId))?.GetProperty("studyStatus").GetString();

    async Task<List<Dictionary<string, string>>> RemindersOfAsync(Guid officerId)
    {
        var id = officerId.ToString();
        return StudySummary.ParseCsv(await client.TextAsync("scheduler", "/api/scheduler/reminders.csv")).Where(r => r["officer_id"] == id).ToList();
    }

    async Task<int> MinutesAsync(Guid sessionId) =>
        (await client.SessionAttendanceAsync(sessionId)).GetProperty("officers").EnumerateArray().Sum(o => o.GetProperty("minutesAttended").GetInt32());

    static List<string> SectorsOf(IReadOnlyDictionary<string, string?> arms, string arm) =>
        arms.Where(a => a.Value == arm && a.Key != SyntheticSample.TijuanaSector).Select(a => a.Key).Order(StringComparer.Ordinal).ToList();

    static string Text(JsonElement element, string property) => element.GetProperty(property).GetString()!;

    /// <summary>Polls until <paramref name="done"/>; past the timeout a required wait fails the demo, an optional one moves on.</summary>
    static async Task WaitAsync(Func<Task<bool>> done, string what, TimeSpan? timeout = null, bool required = true)
    {
        var stopwatch = Stopwatch.StartNew();
        while (!await done())
        {
            if (stopwatch.Elapsed > (timeout ?? WaitTimeout))
            {
                if (required) throw new TimeoutException($"Waited {(timeout ?? WaitTimeout).TotalSeconds:F0} s for {what}.");
                return;
            }
            await Task.Delay(50);
        }
    }
}
