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
    public async Task Closing_publishes_totals_once_and_the_scheduler_records_eligibility_and_nothing_more_is_recorded()
    {
        var host = seeded.Host;
        var (sessionId, start, members) = await PlannedSessions.FirstOfficerSessionAsync(seeded);
        using var trainer = PlannedSessions.As(host, Roles.Trainer);
        await RecordAsync(trainer, sessionId, members[0], "check_in", start);
        await RecordAsync(trainer, sessionId, members[0], "check_out", start.AddHours(2));
        var cohortId = (await trainer.GetFromJsonAsync<JsonElement>($"/api/attendance/sessions/{sessionId}")).GetProperty("cohortId").GetGuid();

        var closed = await trainer.PostAsync($"/api/attendance/cohorts/{cohortId}/close", null);
        Assert.Equal(HttpStatusCode.OK, closed.StatusCode);
        var totals = (await closed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("officers").EnumerateArray()
            .ToDictionary(o => o.GetProperty("officerId").GetGuid());
        Assert.Equal((120, 540, 1, 3), (totals[members[0]].GetProperty("minutesAttended").GetInt32(), totals[members[0]].GetProperty("minutesPlanned").GetInt32(),
            totals[members[0]].GetProperty("sessionsAttended").GetInt32(), totals[members[0]].GetProperty("sessions").GetInt32()));
        Assert.Equal(0, totals[members[1]].GetProperty("sessionsAttended").GetInt32());

        Assert.Equal(HttpStatusCode.Conflict, (await trainer.PostAsync($"/api/attendance/cohorts/{cohortId}/close", null)).StatusCode);
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
    }
}
