using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Reminders.Attendance.Tests.Infrastructure;
using static Reminders.Attendance.Tests.RollCallSession;

namespace Reminders.Attendance.Tests;

/// <summary>
/// Roll-call times through the real host (CSV upload and JSON events): local times are on the session's date in the
/// session's zone, a date-time without offset is never UTC, and anything ambiguous is refused with nothing written.
/// </summary>
public sealed class RollCallTimeTests
{
    [Theory]
    [MemberData(nameof(Databases), MemberType = typeof(RollCallSession))]
    public async Task Check_in_09_00_and_check_out_12_00_on_the_roll_call_give_180_minutes_present(string database)
    {
        await using var s = await StartAsync(database);
        var upload = await s.UploadAsync($"officer_id,check_in,check_out\n{s.A},09:00,12:00\n{s.B},9:05,12:00\n");
        Assert.True(upload.IsSuccessStatusCode, await upload.Content.ReadAsStringAsync());
        Assert.Equal(("present", 180), await s.MinutesAsync(s.A));
        Assert.Equal(("present", 175), await s.MinutesAsync(s.B));
    }

    [Theory]
    [MemberData(nameof(Databases), MemberType = typeof(RollCallSession))]
    public async Task A_date_time_without_offset_is_the_sessions_wall_clock_time_not_utc(string database)
    {
        await using var s = await StartAsync(database);
        var upload = await s.UploadAsync($"officer_id,check_in,check_out\n{s.A},2026-12-10T09:00,2026-12-10 12:00\n");
        Assert.True(upload.IsSuccessStatusCode, await upload.Content.ReadAsStringAsync());
        Assert.Equal(("present", 180), await s.MinutesAsync(s.A));

        // The JSON path reads the same texts the same way.
        Assert.Equal(HttpStatusCode.Created, (await s.RecordAsync(s.B, "check_in", "2026-12-10T09:00")).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await s.RecordAsync(s.B, "check_out", "12:00")).StatusCode);
        Assert.Equal(("present", 180), await s.MinutesAsync(s.B));

        var events = (await s.EventsAsync()).GetProperty("events").EnumerateArray().ToList();
        Assert.All(events.Where(e => e.GetProperty("kind").GetString() == "check_in"),
            e => Assert.Equal(Start, e.GetProperty("at").GetDateTimeOffset()));
        Assert.Equal(new DateTimeOffset(2026, 12, 10, 15, 0, 0, TimeSpan.Zero), Start);
    }

    [Theory]
    [MemberData(nameof(Databases), MemberType = typeof(RollCallSession))]
    public async Task In_a_Tijuana_sector_09_00_and_a_date_time_without_offset_are_Tijuana_wall_clock_on_the_roll_call_and_the_events_route(string database)
    {
        await using var s = await StartAsync(database, timeZone: "America/Tijuana");
        // December: Tijuana is on UTC−8, so 09:00 there is 17:00 UTC (two hours after Mexico City's 09:00).
        var nine = new DateTimeOffset(2026, 12, 10, 17, 0, 0, TimeSpan.Zero);
        Assert.Equal(nine, s.StartsAt);

        var upload = await s.UploadAsync($"officer_id,check_in,check_out\n{s.A},09:00,12:00\n{s.B},2026-12-10T09:00,2026-12-10 12:00\n");
        Assert.True(upload.IsSuccessStatusCode, await upload.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Created, (await s.RecordAsync(s.C, "check_in", "2026-12-10T09:00")).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await s.RecordAsync(s.C, "check_out", "12:00")).StatusCode);

        foreach (var officer in new[] { s.A, s.B, s.C })
            Assert.Equal(("present", 180), await s.MinutesAsync(officer));
        var read = await s.EventsAsync();
        Assert.Equal("America/Tijuana", read.GetProperty("timeZone").GetString());
        var events = read.GetProperty("events").EnumerateArray().ToList();
        Assert.Equal(6, events.Count);
        Assert.All(events.Where(e => e.GetProperty("kind").GetString() == "check_in"), e => Assert.Equal(nine, e.GetProperty("at").GetDateTimeOffset()));
        Assert.All(events.Where(e => e.GetProperty("kind").GetString() == "check_out"), e => Assert.Equal(nine.AddHours(3), e.GetProperty("at").GetDateTimeOffset()));
        Assert.All(events, e => Assert.Contains(e.GetProperty("localTime").GetString(), new[] { "2026-12-10 09:00", "2026-12-10 12:00" }));
    }

    [Theory]
    [MemberData(nameof(Databases), MemberType = typeof(RollCallSession))]
    public async Task A_12_hour_time_is_refused_with_its_line_column_and_reason_and_nothing_is_written(string database)
    {
        await using var s = await StartAsync(database);
        var upload = await s.UploadAsync($"officer_id,check_in,check_out\n{s.A},9am,12:00\n{s.B},09:00,09:00 PM\n{s.C},9:00 p. m.,\n");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, upload.StatusCode);
        var rejected = await RejectedAsync(upload);
        Assert.Equal([(2, "check_in", "9am"), (3, "check_out", "09:00 PM"), (4, "check_in", "9:00 p. m.")], rejected.Select(r => (r.Line, r.Column, r.Value)));
        Assert.All(rejected, r => Assert.Contains("24-hour", r.Reason));
        Assert.Equal(0, await s.StoredEventsAsync());

        var json = await s.RecordAsync(s.A, "check_in", "9am");
        Assert.Equal(HttpStatusCode.BadRequest, json.StatusCode);
        Assert.Equal("at", (await json.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("field").GetString());
        Assert.Equal(0, await s.StoredEventsAsync());
    }

    [Theory]
    [MemberData(nameof(Databases), MemberType = typeof(RollCallSession))]
    public async Task A_time_on_another_day_or_unreadable_is_refused_with_its_line_column_and_reason(string database)
    {
        await using var s = await StartAsync(database);
        // 03:00 UTC on the 10th is 21:00 on the 9th in Mexico City; C's row is fine but the roll call is all or nothing.
        var upload = await s.UploadAsync($"officer_id,check_in,check_out\n{s.A},2026-12-11T09:00,\n{s.B},2026-12-10T03:00Z,nueve\n{s.C},2026-12-10T09:00-06:00,2026-12-10T18:00Z\n");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, upload.StatusCode);
        var rejected = await RejectedAsync(upload);
        Assert.Equal([(2, "check_in"), (3, "check_in"), (3, "check_out")], rejected.Select(r => (r.Line, r.Column)));
        Assert.Contains("2026-12-10", rejected[0].Reason);
        Assert.Contains("2026-12-09 21:00", rejected[1].Reason);
        Assert.Contains("HH:mm", rejected[2].Reason);
        Assert.Equal(0, await s.StoredEventsAsync());

        var json = await s.RecordAsync(s.A, "check_in", "2026-12-11T09:00");
        Assert.Equal(HttpStatusCode.BadRequest, json.StatusCode);
        Assert.Equal("at", (await json.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("field").GetString());

        // With an explicit offset the instant is taken as written.
        var fine = await s.UploadAsync($"officer_id,check_in,check_out\n{s.C},2026-12-10T09:00-06:00,2026-12-10T18:00Z\n");
        Assert.True(fine.IsSuccessStatusCode, await fine.Content.ReadAsStringAsync());
        Assert.Equal(("present", 180), await s.MinutesAsync(s.C));
    }

    [Theory]
    [MemberData(nameof(Databases), MemberType = typeof(RollCallSession))]
    public async Task An_event_for_a_session_that_has_not_started_is_refused_naming_the_session_and_its_local_start(string database)
    {
        await using var s = await StartAsync(database, now: AttendanceHost.Local(2026, 12, 10, 8, 30));
        var upload = await s.UploadAsync($"officer_id,check_in,check_out\n{s.A},08:15,\n");
        Assert.Equal(HttpStatusCode.Conflict, upload.StatusCode);
        var detail = (await upload.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString()!;
        Assert.Contains(s.SessionId.ToString(), detail);
        Assert.Contains("2026-12-10 09:00", detail);

        var json = await s.RecordAsync(s.A, "check_in", "08:15");
        Assert.Equal(HttpStatusCode.Conflict, json.StatusCode);
        Assert.Contains("2026-12-10 09:00", (await json.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
        Assert.Equal(0, await s.StoredEventsAsync());

        // Once it has started, an early arrival the same morning is recorded (and counts from the start).
        s.Host.Clock.SetUtcNow(AttendanceHost.Local(2026, 12, 10, 9, 10));
        Assert.Equal(HttpStatusCode.Created, (await s.RecordAsync(s.A, "check_in", "08:15")).StatusCode);
    }

    [Theory]
    [MemberData(nameof(Databases), MemberType = typeof(RollCallSession))]
    public async Task A_time_after_the_upload_is_refused(string database)
    {
        await using var s = await StartAsync(database, now: AttendanceHost.Local(2026, 12, 10, 11, 0));
        var upload = await s.UploadAsync($"officer_id,check_in,check_out\n{s.A},09:00,12:00\n");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, upload.StatusCode);
        Assert.Equal([(2, "check_out")], (await RejectedAsync(upload)).Select(r => (r.Line, r.Column)));
        Assert.Equal(0, await s.StoredEventsAsync());
    }
}
