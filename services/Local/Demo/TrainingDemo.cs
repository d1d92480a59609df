using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Reminders.Platform.Csv;

namespace Reminders.Local.Demo;

/// <summary>
/// The demo's training part: venues and trainers, the 30 treatment sectors planned in the weeks ahead, invitations and
/// day-before reminders sent as the study clock runs through them, then (once the last session is over) realistic
/// attendance (mostly present, some late, some leaving early, a few absent and excused, a few walk-ins from control
/// sectors) uploaded as roll calls and every cohort closed, which plans the reminders.
/// The random choices come from the demo's seed, so the same seed gives the same attendance.
/// </summary>
static class TrainingDemo
{
    static readonly TimeZoneInfo Zone = Reminders.Protocol.ProtocolLoader.LoadDefault().TimeZone;

    /// <summary>The trainings are planned in the weeks from a week after <paramref name="today"/>.</summary>
    public static DateOnly PlanFrom(DateOnly today) => today.AddDays(7);

    public static DateOnly PlanTo(DateOnly today) => today.AddDays(60);

    /// <summary>One session's roll call as uploaded, and the members it left out (absent, not even excused).</summary>
    public sealed record RollCall(Guid SessionId, DateTimeOffset StartsAt, DateTimeOffset EndsAt, string Csv, IReadOnlyList<Guid> Absent);

    /// <summary>
    /// Returns the training plan (cohorts with their sessions), from which the endlines follow. <paramref name="beforeClosing"/>
    /// sees each cohort's roll calls before it is closed (a correction must come before).
    /// </summary>
    public static async Task<JsonElement> RunAsync(ReminderClient client, StudyTimeline timeline, Func<Task> answerReplies, TextWriter console, string outDir,
        long seed, DateOnly today, IReadOnlyDictionary<string, string?> arms, IReadOnlyList<JsonElement> people,
        Func<JsonElement, IReadOnlyList<RollCall>, Task>? beforeClosing = null)
    {
        using var manager = client.ManagerHttp();
        for (var i = 1; i <= 12; i++)
            await manager.PostAsJsonAsync("/api/scheduler/venues", new { name = $"Academia de Policía, Aula {i}", capacity = 40 + 10 * (i % 3) });
        foreach (var name in new[] { "Mtra. Ruiz", "Mtro. Salas", "Lic. Ortega", "Mtra. Campos", "Lic. Peña", "Mtro. Ibarra", "Lic. Rivas", "Mtra. Solís", "Mtro. Vela", "Lic. Arce" })
            await manager.PostAsJsonAsync("/api/scheduler/trainers", new { name });

        var planResponse = await manager.PostAsJsonAsync("/api/scheduler/plans", new
        {
            from = PlanFrom(today).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            to = PlanTo(today).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        });
        var plan = await planResponse.Content.ReadFromJsonAsync<JsonElement>();
        if (!planResponse.IsSuccessStatusCode) throw new InvalidOperationException($"Planning failed: {plan}");
        await File.WriteAllTextAsync(Path.Combine(outDir, "training-plan.json"), JsonSerializer.Serialize(plan, ReminderClient.Json));
        console.WriteLine($"Planned {plan.GetProperty("cohorts").GetInt32()} cohorts ({plan.GetProperty("sessions").GetInt32()} sessions) for " +
                          $"{plan.GetProperty("officers").GetInt32()} officers and commanders of the treatment sectors; {plan.GetProperty("unplaced").GetArrayLength()} unplaced; " +
                          $"{plan.GetProperty("invitations").GetInt32()} invitations and {plan.GetProperty("dayBeforeReminders").GetInt32()} day-before reminders planned.");

        // The weeks of training pass: invitations now, each day-before reminder at its time; each cohort's roll calls are
        // recorded and its attendance closed an hour after its last session, which plans its reminders; the reminders of
        // the cohorts trained first go out while later ones are still training, and officers answer them.
        var cohorts = plan.GetProperty("plan").EnumerateArray().ToList();
        static DateTimeOffset LastEnd(JsonElement cohort) => cohort.GetProperty("sessions").EnumerateArray().Max(x => x.GetProperty("endsAt").GetDateTimeOffset());
        var random = new Random(unchecked((int)seed));
        var badges = people.ToDictionary(p => p.GetProperty("id").GetGuid(), p => p.GetProperty("badge").GetString()!);
        var walkIns = people.Where(p => arms.GetValueOrDefault(p.GetProperty("sectorCode").GetString()!) == "control").Take(3)
            .Select(p => p.GetProperty("id").GetGuid()).ToList();
        var walkInSessions = 0;
        var closings = new List<(Guid CohortId, JsonElement Closed)>();
        var steps = 0;
        foreach (var group in cohorts.GroupBy(LastEnd).OrderBy(g => g.Key))
        {
            steps += await timeline.RunUntilAsync(group.Key, answerReplies);
            timeline.JumpTo(group.Key.AddHours(1));
            foreach (var cohort in group)
            {
                var rollCalls = new List<RollCall>();
                foreach (var session in cohort.GetProperty("sessions").EnumerateArray())
                {
                    var (rollCall, walkedIn) = await RecordRollCallAsync(manager, cohort, session, random, badges, walkIns, walkInSessions);
                    rollCalls.Add(rollCall);
                    walkInSessions = walkedIn;
                }
                if (beforeClosing is not null) await beforeClosing(cohort, rollCalls);
                var cohortId = cohort.GetProperty("cohortId").GetGuid();
                using var close = await manager.PostAsync($"/api/attendance/cohorts/{cohortId}/close", null);
                if (!close.IsSuccessStatusCode) throw new InvalidOperationException($"Closing {cohortId} refused: {await close.Content.ReadAsStringAsync()}");
                closings.Add((cohortId, await close.Content.ReadFromJsonAsync<JsonElement>()));
            }
        }
        var logistics = (await timeline.DispatchAsync()).GetProperty("counts").EnumerateArray().Where(c => c.GetProperty("purpose").GetString() == "logistics")
            .Select(c => $"{c.GetProperty("count").GetInt64()} {c.GetProperty("kind").GetString()} {c.GetProperty("status").GetString()}" +
                         (c.GetProperty("reason").GetString() is { } reason ? $" ({reason})" : ""));
        console.WriteLine($"Training weeks run in {steps} clock jumps to {TimeZoneInfo.ConvertTime(timeline.Now, Zone):yyyy-MM-dd HH:mm}; logistics SMS: {string.Join(", ", logistics)}.");

        var sectorByOfficer = people.ToDictionary(p => p.GetProperty("id").GetGuid(), p => p.GetProperty("sectorCode").GetString()!);
        var roleByOfficer = people.ToDictionary(p => p.GetProperty("id").GetGuid(), p => p.GetProperty("role").GetString()!);
        var attendance = new StringBuilder(CsvText.Line(["officer_id", "sector_code", "role", "cohort_id", "minutes_attended", "minutes_planned", "sessions_attended", "sessions", "walk_in"]));
        long attended = 0, planned = 0;
        int completed = 0, memberCount = 0, absent = 0, walkInRows = 0;
        foreach (var (cohortId, closed) in closings)
        {
            foreach (var o in closed.GetProperty("officers").EnumerateArray())
            {
                var officerId = o.GetProperty("officerId").GetGuid();
                var walkIn = o.GetProperty("walkIn").GetBoolean();
                attendance.Append(CsvText.Line([officerId.ToString(), sectorByOfficer.GetValueOrDefault(officerId, ""), roleByOfficer.GetValueOrDefault(officerId, ""),
                    cohortId.ToString(), o.GetProperty("minutesAttended").GetInt32().ToString(CultureInfo.InvariantCulture),
                    o.GetProperty("minutesPlanned").GetInt32().ToString(CultureInfo.InvariantCulture), o.GetProperty("sessionsAttended").GetInt32().ToString(CultureInfo.InvariantCulture),
                    o.GetProperty("sessions").GetInt32().ToString(CultureInfo.InvariantCulture), walkIn ? "true" : "false"]));
                if (walkIn) { walkInRows++; continue; }
                memberCount++;
                attended += o.GetProperty("minutesAttended").GetInt32();
                planned += o.GetProperty("minutesPlanned").GetInt32();
                if (o.GetProperty("sessionsAttended").GetInt32() == o.GetProperty("sessions").GetInt32()) completed++;
                if (o.GetProperty("sessionsAttended").GetInt32() == 0) absent++;
            }
        }
        await File.WriteAllTextAsync(Path.Combine(outDir, "attendance.csv"), attendance.ToString());
        var summary = new StringBuilder(CsvText.Line(["sector_code", "members", "minutes_planned", "minutes_attended", "completion_rate", "absentees"]));
        var sectorIds = (await client.SectorsAsync()).EnumerateArray().ToDictionary(x => x.GetProperty("code").GetString()!, x => x.GetProperty("id").GetGuid());
        foreach (var sector in cohorts.Select(c => c.GetProperty("sectorCode").GetString()!).Distinct().Order(StringComparer.Ordinal))
        {
            var s = await manager.GetFromJsonAsync<JsonElement>($"/api/attendance/sectors/{sectorIds[sector]}/summary");
            summary.Append(CsvText.Line([sector, s.GetProperty("members").GetInt32().ToString(CultureInfo.InvariantCulture),
                s.GetProperty("minutesPlanned").GetInt64().ToString(CultureInfo.InvariantCulture), s.GetProperty("minutesAttended").GetInt64().ToString(CultureInfo.InvariantCulture),
                s.GetProperty("completionRate").GetDouble().ToString("0.####", CultureInfo.InvariantCulture), s.GetProperty("absentees").GetArrayLength().ToString(CultureInfo.InvariantCulture)]));
        }
        await File.WriteAllTextAsync(Path.Combine(outDir, "attendance-summary.csv"), summary.ToString());
        console.WriteLine($"Attendance recorded from roll calls and closed: {attended:N0} of {planned:N0} planned minutes ({100.0 * attended / Math.Max(1, planned):F1}%), " +
                          $"{completed} of {memberCount} completed every session, {absent} attended none, {walkInRows} walk-ins from control sectors flagged.");
        return plan;
    }

    /// <summary>
    /// One session's roll call, as trainers report it: mostly present, some late, some leaving early, a few absent or
    /// excused; now and then an officer of a control sector turns up (recorded, flagged as a walk-in and contamination).
    /// </summary>
    static async Task<(RollCall RollCall, int WalkInSessions)> RecordRollCallAsync(HttpClient manager, JsonElement cohort, JsonElement session, Random random,
        IReadOnlyDictionary<Guid, string> badges, List<Guid> walkIns, int walkInSessions)
    {
        var sessionId = session.GetProperty("sessionId").GetGuid();
        // By badge, so each officer draws the same attendance from the seed in every run (ids differ from run to run).
        var members = (await MembersAsync(manager, sessionId, cohort.GetProperty("members").GetInt32())).OrderBy(m => badges[m], StringComparer.Ordinal).ToList();
        var start = session.GetProperty("startsAt").GetDateTimeOffset();
        var end = session.GetProperty("endsAt").GetDateTimeOffset();
        var csv = new StringBuilder("officer_id,check_in,check_out,excused\r\n");
        var absent = new List<Guid>();
        foreach (var officerId in members)
        {
            var roll = random.NextDouble();
            var checkIn = start.AddMinutes(random.Next(-10, 6));
            var checkOut = end.AddMinutes(random.Next(0, 8));
            if (roll < 0.04) { absent.Add(officerId); continue; }                        // absent
            if (roll < 0.06) { csv.Append(CsvText.Line([officerId.ToString(), "", "", "1"])); continue; } // excused
            if (roll < 0.12) checkIn = start.AddMinutes(random.Next(15, 50));            // late
            else if (roll < 0.16) checkOut = end.AddMinutes(-random.Next(30, 90));       // left early
            csv.Append(CsvText.Line([officerId.ToString(), checkIn.ToString("O", CultureInfo.InvariantCulture), checkOut.ToString("O", CultureInfo.InvariantCulture), ""]));
        }
        if (walkIns.Count > 0 && random.NextDouble() < 0.02)
            csv.Append(CsvText.Line([walkIns[walkInSessions++ % walkIns.Count].ToString(), start.ToString("O", CultureInfo.InvariantCulture), end.ToString("O", CultureInfo.InvariantCulture), ""]));
        using var content = new StringContent(csv.ToString(), Encoding.UTF8, "text/csv");
        using var upload = await manager.PostAsync($"/api/attendance/sessions/{sessionId}/roll-call", content);
        if (!upload.IsSuccessStatusCode) throw new InvalidOperationException($"Roll call of {sessionId} refused: {await upload.Content.ReadAsStringAsync()}");
        return (new RollCall(sessionId, start, end, csv.ToString(), absent), walkInSessions);
    }

    /// <summary>The session's members, once Attendance has learned them from the Scheduler's events.</summary>
    static async Task<List<Guid>> MembersAsync(HttpClient http, Guid sessionId, int expected)
    {
        for (var i = 0; i < 400; i++)
        {
            using var response = await http.GetAsync($"/api/attendance/sessions/{sessionId}");
            if (response.IsSuccessStatusCode)
            {
                var officers = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("officers").EnumerateArray()
                    .Where(o => !o.GetProperty("walkIn").GetBoolean()).Select(o => o.GetProperty("officerId").GetGuid()).ToList();
                if (officers.Count == expected) return officers;
            }
            await Task.Delay(25);
        }
        throw new TimeoutException($"Attendance never learned the members of session {sessionId}.");
    }
}
