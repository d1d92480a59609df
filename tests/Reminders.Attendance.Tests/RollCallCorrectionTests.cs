using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Reminders.Attendance.Tests.Infrastructure;
using static Reminders.Attendance.Tests.RollCallSession;

namespace Reminders.Attendance.Tests;

/// <summary>
/// A second, different roll call for a session replaces the first (its events superseded, who, when and why kept);
/// the same roll call again changes nothing; the session's events API lists every event, current and superseded.
/// </summary>
public sealed class RollCallCorrectionTests
{
    [Theory]
    [MemberData(nameof(Databases), MemberType = typeof(RollCallSession))]
    public async Task A_second_roll_call_replaces_the_first_and_the_events_api_lists_what_it_superseded_who_and_why(string database)
    {
        await using var s = await StartAsync(database);
        var first = await s.UploadAsync($"officer_id,check_in,check_out\n{s.A},09:00,12:00\n{s.B},09:00,12:00\n");
        Assert.True(first.IsSuccessStatusCode, await first.Content.ReadAsStringAsync());
        var firstId = (await first.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("rollCallId").GetGuid();

        // A really came at 10:00; B was not there at all.
        s.Host.Clock.Advance(TimeSpan.FromMinutes(30));
        var second = await s.UploadAsync($"officer_id,check_in,check_out\n{s.A},10:00,12:00\n{s.B},,\n", reason: "lista de papel revisada", key: AttendanceHost.ManagerKey);
        Assert.True(second.IsSuccessStatusCode, await second.Content.ReadAsStringAsync());
        var report = await second.Content.ReadFromJsonAsync<JsonElement>();
        var secondId = report.GetProperty("rollCallId").GetGuid();
        Assert.Equal(firstId, report.GetProperty("replaces").GetGuid());
        Assert.Equal(2, report.GetProperty("events").GetInt32());

        // Minutes come from the second roll call only, in the session view and in the cohort's totals.
        Assert.Equal(("late", 120), await s.MinutesAsync(s.A));
        Assert.Equal(("absent", 0), await s.MinutesAsync(s.B));
        using (var manager = s.Host.Client())
            Assert.Equal(120, (await manager.GetFromJsonAsync<JsonElement>($"/api/attendance/cohorts/{s.CohortId}/summary")).GetProperty("minutesAttended").GetInt64());

        var history = await s.EventsAsync();
        var rollCalls = history.GetProperty("rollCalls").EnumerateArray().ToList();
        Assert.Equal([firstId, secondId], rollCalls.Select(r => r.GetProperty("rollCallId").GetGuid()));
        Assert.Equal(("instructor", "coordinadora"), (rollCalls[0].GetProperty("uploadedBy").GetString(), rollCalls[1].GetProperty("uploadedBy").GetString()));
        Assert.Equal(secondId, rollCalls[0].GetProperty("supersededBy").GetGuid());
        Assert.Equal("lista de papel revisada", rollCalls[1].GetProperty("reason").GetString());

        var events = history.GetProperty("events").EnumerateArray().ToList();
        Assert.Equal(6, events.Count);
        var superseded = events.Where(e => !e.GetProperty("current").GetBoolean()).ToList();
        Assert.Equal(4, superseded.Count);
        Assert.All(superseded, e =>
        {
            Assert.Equal(firstId, e.GetProperty("rollCallId").GetGuid());
            Assert.Equal(secondId, e.GetProperty("supersededByRollCall").GetGuid());
            Assert.Equal("coordinadora", e.GetProperty("correctedBy").GetString());
            Assert.Equal("lista de papel revisada", e.GetProperty("correctionReason").GetString());
            Assert.Equal(s.Host.Clock.GetUtcNow(), e.GetProperty("supersededAt").GetDateTimeOffset());
            Assert.Equal("instructor", e.GetProperty("recordedBy").GetString());
            Assert.Equal("roll_call", e.GetProperty("source").GetString());
        });
        var current = events.Where(e => e.GetProperty("current").GetBoolean()).ToList();
        Assert.Equal([(s.A, "check_in", RollCallSession.Start.AddHours(1)), (s.A, "check_out", RollCallSession.End)],
            current.Select(e => (e.GetProperty("officerId").GetGuid(), e.GetProperty("kind").GetString()!, e.GetProperty("at").GetDateTimeOffset())).Order());
        Assert.All(current, e => Assert.Equal(secondId, e.GetProperty("rollCallId").GetGuid()));
        Assert.Equal(events.Count, events.Select(e => e.GetProperty("eventId").GetGuid()).Distinct().Count());

        // The first roll call sent again is a third, different one: it needs its own reason too.
        Assert.Equal(HttpStatusCode.BadRequest, (await s.UploadAsync($"officer_id,check_in,check_out\n{s.A},09:00,12:00\n{s.B},09:00,12:00\n")).StatusCode);
    }

    [Theory]
    [MemberData(nameof(Databases), MemberType = typeof(RollCallSession))]
    public async Task A_replacement_roll_call_without_a_reason_is_refused_naming_reason_and_changes_nothing(string database)
    {
        await using var s = await StartAsync(database);
        Assert.True((await s.UploadAsync($"officer_id,check_in,check_out\n{s.A},09:00,12:00\n")).IsSuccessStatusCode);
        foreach (var reason in new string?[] { null, "   " })
        {
            var refused = await s.UploadAsync($"officer_id,check_in,check_out\n{s.A},10:00,12:00\n", reason);
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            var problem = await refused.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal("reason", problem.GetProperty("field").GetString());
        }
        Assert.Equal(("present", 180), await s.MinutesAsync(s.A));
        Assert.Equal(2, await s.StoredEventsAsync());
        Assert.Single((await s.EventsAsync()).GetProperty("rollCalls").EnumerateArray());
    }

    [Theory]
    [MemberData(nameof(Databases), MemberType = typeof(RollCallSession))]
    public async Task The_same_roll_call_uploaded_twice_changes_nothing_even_resaved_with_another_delimiter(string database)
    {
        await using var s = await StartAsync(database);
        var first = await s.UploadAsync($"officer_id,check_in,check_out,excused\n{s.A},09:00,12:00,\n{s.B},,,1\n");
        Assert.True(first.IsSuccessStatusCode, await first.Content.ReadAsStringAsync());
        var stored = await s.StoredEventsAsync();
        foreach (var again in new[] { $"officer_id,check_in,check_out,excused\n{s.A},09:00,12:00,\n{s.B},,,1\n", $"officer_id;entrada;salida;justificado\r\n{s.B};;;sí\r\n{s.A};2026-12-10 09:00;12:00;\r\n" })
        {
            var response = await s.UploadAsync(again);
            Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
            Assert.Equal(0, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("events").GetInt32());
        }
        Assert.Equal(stored, await s.StoredEventsAsync());
        var history = await s.EventsAsync();
        Assert.Single(history.GetProperty("rollCalls").EnumerateArray());
        Assert.All(history.GetProperty("events").EnumerateArray(), e => Assert.True(e.GetProperty("current").GetBoolean()));
        Assert.Equal(("present", 180), await s.MinutesAsync(s.A));
        Assert.Equal("excused", (await s.AttendanceAsync())[s.B].GetProperty("status").GetString());
    }

    [Theory]
    [MemberData(nameof(Databases), MemberType = typeof(RollCallSession))]
    public async Task A_correction_through_the_corrections_route_is_listed_with_who_and_why_and_a_replacement_roll_call_supersedes_it(string database)
    {
        await using var s = await StartAsync(database);
        Assert.True((await s.UploadAsync($"officer_id,check_in,check_out\n{s.A},09:00,12:00\n")).IsSuccessStatusCode);
        var checkIn = (await s.EventsAsync()).GetProperty("events").EnumerateArray().Single(e => e.GetProperty("kind").GetString() == "check_in").GetProperty("eventId").GetGuid();

        var corrected = await s.Host.PostAsync($"/api/attendance/events/{checkIn}/corrections", new { at = "09:30", reason = "llego tarde" }, AttendanceHost.ManagerKey);
        Assert.Equal(HttpStatusCode.OK, corrected.StatusCode);
        var replacement = (await corrected.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("eventId").GetGuid();
        Assert.Equal(("late", 150), await s.MinutesAsync(s.A));

        var events = (await s.EventsAsync()).GetProperty("events").EnumerateArray().ToDictionary(e => e.GetProperty("eventId").GetGuid());
        var old = events[checkIn];
        Assert.False(old.GetProperty("current").GetBoolean());
        Assert.Equal(replacement, old.GetProperty("supersededBy").GetGuid());
        Assert.Equal(("coordinadora", "llego tarde"), (old.GetProperty("correctedBy").GetString(), old.GetProperty("correctionReason").GetString()));
        Assert.Equal(("correction", RollCallSession.Start.AddMinutes(30)), (events[replacement].GetProperty("source").GetString(), events[replacement].GetProperty("at").GetDateTimeOffset()));
        Assert.True(events[replacement].GetProperty("current").GetBoolean());

        // A new roll call replaces everything the first one stood for, its corrections included.
        Assert.True((await s.UploadAsync($"officer_id,check_in,check_out\n{s.A},09:00,11:00\n", "otra lista")).IsSuccessStatusCode);
        Assert.Equal(("left_early", 120), await s.MinutesAsync(s.A));
        var after = (await s.EventsAsync()).GetProperty("events").EnumerateArray().ToDictionary(e => e.GetProperty("eventId").GetGuid());
        Assert.False(after[replacement].GetProperty("current").GetBoolean());
        Assert.Equal(2, after.Values.Count(e => e.GetProperty("current").GetBoolean()));
    }

    [Theory]
    [MemberData(nameof(Databases), MemberType = typeof(RollCallSession))]
    public async Task A_roll_call_uploaded_before_roll_calls_were_kept_is_adopted_when_sent_again_not_doubled_and_a_replacement_supersedes_it(string database)
    {
        await using var s = await StartAsync(database);
        var csv = $"officer_id,check_in,check_out\n{s.A},09:00,12:00\n";
        Assert.True((await s.UploadAsync(csv)).IsSuccessStatusCode);
        // As migration 0010 leaves a roll call recorded before it: events without source or roll call, no roll_calls row.
        await using (var connection = await s.Host.Database.OpenAsync())
        {
            await Dapper.SqlMapper.ExecuteAsync(connection, "DELETE FROM roll_calls");
            await Dapper.SqlMapper.ExecuteAsync(connection, "UPDATE attendance_events SET roll_call_id = NULL, source = NULL");
        }

        var again = await (await s.UploadAsync(csv)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(2, await s.StoredEventsAsync());
        var rollCallId = again.GetProperty("rollCallId").GetGuid();
        Assert.All((await s.EventsAsync()).GetProperty("events").EnumerateArray(), e => Assert.Equal(rollCallId, e.GetProperty("rollCallId").GetGuid()));

        Assert.True((await s.UploadAsync($"officer_id,check_in,check_out\n{s.A},10:00,12:00\n", "llego a las 10")).IsSuccessStatusCode);
        Assert.Equal(("late", 120), await s.MinutesAsync(s.A));
    }

    [Theory]
    [MemberData(nameof(Databases), MemberType = typeof(RollCallSession))]
    public async Task The_events_api_is_for_trainers_managers_and_researchers_and_404s_an_unknown_session(string database)
    {
        await using var s = await StartAsync(database);
        foreach (var key in new[] { AttendanceHost.TrainerKey, AttendanceHost.ManagerKey, AttendanceHost.ResearcherKey })
            Assert.Equal(0, (await s.EventsAsync(key)).GetProperty("events").GetArrayLength());
        using var anonymous = s.Host.Client(null);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync($"/api/attendance/sessions/{s.SessionId}/events")).StatusCode);
        using var researcher = s.Host.Client(AttendanceHost.ResearcherKey);
        Assert.Equal(HttpStatusCode.NotFound, (await researcher.GetAsync($"/api/attendance/sessions/{Guid.NewGuid()}/events")).StatusCode);
    }
}
