using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Reminders.Platform.Auth;
using static Reminders.EndToEnd.Tests.AttendanceRecordingTests;

namespace Reminders.EndToEnd.Tests;

/// <summary>Closing a cohort's attendance: totals per officer, once; the Scheduler learns who is eligible for reminders.</summary>
public sealed class CohortClosingTests(SeededLocalHostFixture seeded) : IClassFixture<SeededLocalHostFixture>
{
    [Fact]
    public async Task Closing_publishes_totals_once_the_scheduler_records_eligibility_and_a_reopened_corrected_cohort_closed_again_plans_the_reminders()
    {
        var host = seeded.Host;
        var (sessionId, start, members) = await PlannedSessions.FirstOfficerSessionAsync(seeded);
        using var trainer = PlannedSessions.As(host, Roles.Trainer);
        await RecordAsync(trainer, sessionId, members[0], "check_in", start);
        await RecordAsync(trainer, sessionId, members[0], "check_out", start.AddHours(2));
        var cohortId = (await trainer.GetFromJsonAsync<JsonElement>($"/api/attendance/sessions/{sessionId}")).GetProperty("cohortId").GetGuid();

        // Only a manager closes, after seeing what closing will do.
        Assert.Equal(HttpStatusCode.Forbidden, (await trainer.PostAsync($"/api/attendance/cohorts/{cohortId}/close", null)).StatusCode);
        using var manager = PlannedSessions.As(host, Roles.Manager);
        var preview = await manager.GetFromJsonAsync<JsonElement>($"/api/attendance/cohorts/{cohortId}/close-preview");
        Assert.Equal((1, 1), (preview.GetProperty("eligible").GetInt32(), preview.GetProperty("notEligible").GetInt32()));
        var closed = await manager.PostAsync($"/api/attendance/cohorts/{cohortId}/close", null);
        Assert.Equal(HttpStatusCode.OK, closed.StatusCode);
        var totals = (await closed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("officers").EnumerateArray()
            .ToDictionary(o => o.GetProperty("officerId").GetGuid());
        Assert.Equal((120, 540, 1, 3), (totals[members[0]].GetProperty("minutesAttended").GetInt32(), totals[members[0]].GetProperty("minutesPlanned").GetInt32(),
            totals[members[0]].GetProperty("sessionsAttended").GetInt32(), totals[members[0]].GetProperty("sessions").GetInt32()));
        Assert.Equal(0, totals[members[1]].GetProperty("sessionsAttended").GetInt32());

        Assert.Equal(HttpStatusCode.Conflict, (await manager.PostAsync($"/api/attendance/cohorts/{cohortId}/close", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await RecordAsync(trainer, sessionId, members[1], "check_in", start)).StatusCode);

        // Summaries: planned vs attended minutes, completion and absentees, for the cohort and its sector.
        var summary = await trainer.GetFromJsonAsync<JsonElement>($"/api/attendance/cohorts/{cohortId}/summary");
        Assert.Equal((2, 1080L, 120L, 0, true), (summary.GetProperty("members").GetInt32(), summary.GetProperty("minutesPlanned").GetInt64(),
            summary.GetProperty("minutesAttended").GetInt64(), summary.GetProperty("completed").GetInt32(), summary.GetProperty("closed").GetBoolean()));
        Assert.Equal(members[1], Assert.Single(summary.GetProperty("absentees").EnumerateArray()).GetGuid());
        var sectorId = seeded.Flow.Dosage[members[0]].GetProperty("sectorId").GetGuid();
        var sector = await trainer.GetFromJsonAsync<JsonElement>($"/api/attendance/sectors/{sectorId}/summary");
        Assert.True(sector.GetProperty("members").GetInt32() >= 2);
        Assert.Equal(HttpStatusCode.NotFound, (await trainer.GetAsync($"/api/attendance/cohorts/{Guid.NewGuid()}/summary")).StatusCode);

        // The protocol's rule (at least one session attended) decides eligibility in the Scheduler.
        IReadOnlyList<long> eligible = [];
        for (var i = 0; i < 200 && eligible.Count < 2; i++, await Task.Delay(25))
            eligible = await host.QueryAsync<long>("scheduler", "SELECT eligible FROM training_outcomes WHERE cohort_id = @id ORDER BY sessions_attended DESC",
                new { id = cohortId.ToString() });
        Assert.Equal([1L, 0L], eligible);
        await WaitForRemindersAsync(host, members[1], r => r.Count == 6 && r.All(x => x.Reason == "not_eligible"));

        // The roll call missed members[1]: reopened with a reason, corrected, closed again.
        var noReason = await manager.PostAsJsonAsync($"/api/attendance/cohorts/{cohortId}/reopen", new { reason = "" });
        Assert.Equal(HttpStatusCode.BadRequest, noReason.StatusCode);
        Assert.Equal("reason", (await noReason.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("field").GetString());
        Assert.Equal(HttpStatusCode.OK, (await manager.PostAsJsonAsync($"/api/attendance/cohorts/{cohortId}/reopen", new { reason = "Asistió; faltó en la lista" })).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await RecordAsync(trainer, sessionId, members[1], "check_in", start)).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await RecordAsync(trainer, sessionId, members[1], "check_out", start.AddHours(3))).StatusCode);
        var again = await manager.PostAsync($"/api/attendance/cohorts/{cohortId}/close", null);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(2, (await again.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("eligible").GetInt32());

        // The Scheduler plans what is still ahead (and skips what has passed its window); the ledger shows the same.
        var rows = await WaitForRemindersAsync(host, members[1], r => r.All(x => x.Reason != "not_eligible"));
        // (One inside its late window when the cohort closed again goes at once: dispatched.)
        Assert.All(rows, r => Assert.True(r.Status is "planned" or "dispatched" || r.Reason == "missed_window", $"{r.Status} {r.Reason}"));
        Assert.Contains(rows, r => r.Status == "planned");
        IReadOnlyList<(string, string?)> ledger = [];
        for (var i = 0; i < 200; i++, await Task.Delay(50))
        {
            var dose = await manager.GetFromJsonAsync<JsonElement>($"/api/attendance/dosage/officers/{members[1]}");
            ledger = dose.GetProperty("reminders").EnumerateArray()
                .Select(r => (r.GetProperty("status").GetString()!, r.GetProperty("skipReason").ValueKind == JsonValueKind.String ? r.GetProperty("skipReason").GetString() : null))
                .ToList();
            if (ledger.Count == 6 && ledger.All(l => l.Item2 != "not_eligible")) break;
        }
        Assert.Equal(rows.Count(r => r.Reason == "missed_window"), ledger.Count(l => l == ("skipped", "missed_window")));
        Assert.Equal(rows.Count(r => r.Status is "planned" or "dispatched"), ledger.Count(l => l.Item1 != "skipped"));
        var history = await manager.GetFromJsonAsync<JsonElement>($"/api/attendance/cohorts/{cohortId}/closures");
        Assert.Equal(["closed", "reopened", "closed"], history.EnumerateArray().Select(h => h.GetProperty("action").GetString()));
    }

    sealed record ReminderRow(long Number, string Status, string? Reason);

    static async Task<IReadOnlyList<ReminderRow>> WaitForRemindersAsync(LocalHostFixture host, Guid officerId, Func<IReadOnlyList<ReminderRow>, bool> done)
    {
        IReadOnlyList<ReminderRow> rows = [];
        for (var i = 0; i < 200; i++, await Task.Delay(50))
        {
            rows = await host.QueryAsync<ReminderRow>("scheduler",
                "SELECT reminder_number AS Number, status AS Status, reason AS Reason FROM planned_sms WHERE officer_id = @id AND kind = 'reminder' ORDER BY reminder_number",
                new { id = officerId.ToString() });
            if (rows.Count == 6 && done(rows)) return rows;
        }
        Assert.Fail($"The Scheduler's reminders of {officerId} never settled: {string.Join(", ", rows)}");
        return rows;
    }
}
