using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Reminders.Attendance.Tests.Infrastructure;
using Reminders.Contracts;
using static Reminders.Attendance.Tests.Infrastructure.AttendanceHost;
using static Reminders.Attendance.Tests.RollCallSession;

namespace Reminders.Attendance.Tests;

/// <summary>
/// A principal bound to a trainer (the trainer_id claim) records and reads attendance only for that trainer's sessions, as
/// the Scheduler last staffed them (TrainingSessionScheduled.TrainerId); anything else is a 403 naming the session.
/// </summary>
public sealed class TrainerScopeTests
{
    static async Task<JsonElement> ForbiddenAsync(HttpResponseMessage response, string field = "sessionId")
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"{(int)response.StatusCode} {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(text).RootElement.Clone();
        Assert.Equal(field, problem.GetProperty("field").GetString());
        return problem;
    }

    static async Task<HttpResponseMessage> GetAsync(RollCallSession s, string path, string key)
    {
        using var client = s.Host.Client(key);
        return await client.GetAsync(path);
    }

    [Theory]
    [MemberData(nameof(Databases), MemberType = typeof(RollCallSession))]
    public async Task The_sessions_trainer_records_and_reads_it_and_another_trainer_is_403_everywhere_with_nothing_written(string database)
    {
        await using var s = await StartAsync(database);
        var recorded = await s.Host.PostAsync($"/api/attendance/sessions/{s.SessionId}/events", new { officerId = s.A, kind = "check_in", at = "09:00" }, PazKey);
        Assert.Equal(HttpStatusCode.Created, recorded.StatusCode);
        var eventId = (await recorded.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("eventId").GetGuid();
        Assert.True((await s.UploadAsync($"officer_id,check_in,check_out\n{s.B},09:00,12:00\n", key: PazKey)).IsSuccessStatusCode);
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(s, $"/api/attendance/sessions/{s.SessionId}", PazKey)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(s, $"/api/attendance/sessions/{s.SessionId}/events", PazKey)).StatusCode);
        var stored = await s.StoredEventsAsync();

        var refused = await ForbiddenAsync(await s.Host.PostAsync($"/api/attendance/sessions/{s.SessionId}/events",
            new { officerId = s.C, kind = "check_in", at = "09:00" }, RuizKey));
        Assert.Contains("another trainer", refused.GetProperty("detail").GetString());
        await ForbiddenAsync(await s.UploadAsync($"officer_id,check_in,check_out\n{s.C},09:00,12:00\n", reason: "lista corregida", key: RuizKey));
        await ForbiddenAsync(await s.Host.PostAsync($"/api/attendance/events/{eventId}/corrections", new { at = "09:30", reason = "llegó tarde" }, RuizKey));
        await ForbiddenAsync(await GetAsync(s, $"/api/attendance/sessions/{s.SessionId}", RuizKey));
        await ForbiddenAsync(await GetAsync(s, $"/api/attendance/sessions/{s.SessionId}/events", RuizKey));

        Assert.Equal(stored, await s.StoredEventsAsync());
        Assert.Equal(1, await s.Host.ScalarAsync<long>("SELECT COUNT(*) FROM roll_calls"));
        Assert.Equal(0, await s.Host.ScalarAsync<long>("SELECT COUNT(*) FROM attendance_events WHERE superseded_at IS NOT NULL"));
        var correction = await s.Host.PostAsync($"/api/attendance/events/{eventId}/corrections", new { at = "09:30", reason = "llegó tarde" }, PazKey);
        Assert.Equal(HttpStatusCode.OK, correction.StatusCode);
    }

    [Fact]
    public async Task A_bound_trainer_reads_the_summary_and_closures_of_a_cohort_they_train_only_and_no_sectors_summary()
    {
        await using var s = await StartAsync("sqlite");

        Assert.Equal(HttpStatusCode.OK, (await GetAsync(s, $"/api/attendance/cohorts/{s.CohortId}/summary", PazKey)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(s, $"/api/attendance/cohorts/{s.CohortId}/closures", PazKey)).StatusCode);
        foreach (var path in new[] { $"/api/attendance/cohorts/{s.CohortId}/summary", $"/api/attendance/cohorts/{s.CohortId}/closures" })
            Assert.Equal("cohortId", (await ForbiddenAsync(await GetAsync(s, path, RuizKey), field: "cohortId")).GetProperty("field").GetString());
        await ForbiddenAsync(await GetAsync(s, $"/api/attendance/sectors/{s.SectorId}/summary", PazKey), field: "sectorId");
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(s, $"/api/attendance/sectors/{s.SectorId}/summary", TrainerKey)).StatusCode);
    }

    [Fact]
    public async Task Re_staffing_the_session_to_another_trainer_moves_the_scope_with_it()
    {
        await using var s = await StartAsync("sqlite");

        // The Scheduler re-staffs a session by publishing it again, later, with the new trainer.
        await s.Host.DeliverAsync(new TrainingSessionScheduled(s.SessionId, s.CohortId, s.SectorId, "officer", 1, Day, Start, End,
            "Sede Centro", RuizTrainerId, "v-test", Local(2026, 12, 1, 10, 0)));

        Assert.Equal(HttpStatusCode.Created, (await s.Host.PostAsync($"/api/attendance/sessions/{s.SessionId}/events",
            new { officerId = s.A, kind = "check_in", at = "09:00" }, RuizKey)).StatusCode);
        await ForbiddenAsync(await s.Host.PostAsync($"/api/attendance/sessions/{s.SessionId}/events", new { officerId = s.B, kind = "check_in", at = "09:00" }, PazKey));
        await ForbiddenAsync(await GetAsync(s, $"/api/attendance/sessions/{s.SessionId}", PazKey));
    }

    [Fact]
    public async Task A_session_whose_trainer_attendance_does_not_know_is_403_for_a_bound_key_saying_so()
    {
        await using var s = await StartAsync("sqlite");
        // As a session scheduled before Attendance kept the trainer.
        await using (var connection = await s.Host.Database.OpenAsync())
            await Dapper.SqlMapper.ExecuteAsync(connection, "UPDATE sessions SET trainer_id = NULL");

        var refused = await ForbiddenAsync(await GetAsync(s, $"/api/attendance/sessions/{s.SessionId}", PazKey));
        Assert.Contains("trainer", refused.GetProperty("detail").GetString());
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(s, $"/api/attendance/sessions/{s.SessionId}", ManagerKey)).StatusCode);
    }

    [Fact]
    public async Task Managers_researchers_and_trainer_keys_bound_to_no_trainer_keep_their_access_and_an_unknown_session_is_still_404()
    {
        await using var s = await StartAsync("sqlite");

        Assert.Equal(HttpStatusCode.Created, (await s.Host.PostAsync($"/api/attendance/sessions/{s.SessionId}/events",
            new { officerId = s.A, kind = "check_in", at = "09:00" }, TrainerKey)).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await s.Host.PostAsync($"/api/attendance/sessions/{s.SessionId}/events",
            new { officerId = s.B, kind = "check_in", at = "09:00" }, ManagerKey)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(s, $"/api/attendance/sessions/{s.SessionId}/events", ResearcherKey)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await GetAsync(s, $"/api/attendance/sessions/{Guid.NewGuid()}", PazKey)).StatusCode);
    }
}
