using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Reminders.Platform.Auth;

namespace Reminders.EndToEnd.Tests;

/// <summary>
/// Trainers record attendance of a planned session in the one-process host: minutes and statuses, duplicates that do
/// not double-count, corrections with history, walk-ins and contamination flagged.
/// </summary>
public sealed class AttendanceRecordingTests(SeededLocalHostFixture seeded) : IClassFixture<SeededLocalHostFixture>
{
    readonly LocalHostFixture host = seeded.Host;

    HttpClient As(string role) => PlannedSessions.As(host, role);

    Task<(Guid SessionId, DateTimeOffset Start, Guid[] Members)> PlannedSessionAsync() => PlannedSessions.FirstOfficerSessionAsync(seeded);

    internal static async Task<HttpResponseMessage> RecordAsync(HttpClient client, Guid sessionId, Guid officerId, string kind, DateTimeOffset at, Guid? eventId = null) =>
        await client.PostAsJsonAsync($"/api/attendance/sessions/{sessionId}/events", new { officerId, kind, at, eventId });

    internal static async Task<Dictionary<Guid, JsonElement>> ReadAsync(HttpClient client, Guid sessionId) =>
        (await client.GetFromJsonAsync<JsonElement>($"/api/attendance/sessions/{sessionId}")).GetProperty("officers").EnumerateArray()
            .ToDictionary(o => o.GetProperty("officerId").GetGuid());

    [Fact]
    public async Task Recorded_attendance_gives_minutes_statuses_flags_and_corrections_keep_history()
    {
        var (sessionId, start, members) = await PlannedSessionAsync();
        using var trainer = As(Roles.Trainer);
        var present = members[0];
        var checkInId = Guid.NewGuid();
        Assert.Equal(HttpStatusCode.Created, (await RecordAsync(trainer, sessionId, present, "check_in", start.AddMinutes(5), checkInId)).StatusCode);
        // The same event sent twice (a retry) is recorded once.
        Assert.Equal(HttpStatusCode.OK, (await RecordAsync(trainer, sessionId, present, "check_in", start.AddMinutes(5), checkInId)).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await RecordAsync(trainer, sessionId, present, "check_out", start.AddHours(3))).StatusCode);

        var control = seeded.Flow.Officers.First(o => seeded.Flow.ArmBySector[o.GetProperty("sectorCode").GetString()!] == "control").GetProperty("id").GetGuid();
        Assert.Equal(HttpStatusCode.Created, (await RecordAsync(trainer, sessionId, control, "check_in", start)).StatusCode);

        var view = await ReadAsync(trainer, sessionId);
        Assert.Equal(("present", 175), (view[present].GetProperty("status").GetString(), view[present].GetProperty("minutesAttended").GetInt32()));
        Assert.Equal("absent", view[members[1]].GetProperty("status").GetString());
        Assert.True(view[control].GetProperty("walkIn").GetBoolean());
        Assert.True(view[control].GetProperty("contamination").GetBoolean());
        Assert.False(view[present].GetProperty("walkIn").GetBoolean());

        // A correction: the check-in was really at 09:30. The old event stays, superseded, with the reason.
        var corrected = await trainer.PostAsJsonAsync($"/api/attendance/events/{checkInId}/corrections", new { at = start.AddMinutes(30), reason = "lista de papel" });
        Assert.Equal(HttpStatusCode.OK, corrected.StatusCode);
        view = await ReadAsync(trainer, sessionId);
        Assert.Equal(("late", 150), (view[present].GetProperty("status").GetString(), view[present].GetProperty("minutesAttended").GetInt32()));
        var history = await host.QueryAsync<string>("attendance", "SELECT correction_reason FROM attendance_events WHERE event_id = @id", new { id = checkInId.ToString() });
        Assert.StartsWith("lista de papel", Assert.Single(history));
        Assert.Equal(HttpStatusCode.Conflict, (await trainer.PostAsJsonAsync($"/api/attendance/events/{checkInId}/corrections", new { at = start, reason = "otra vez" })).StatusCode);
    }

    [Fact]
    public async Task Bad_events_are_400_naming_the_field_and_researchers_read_but_do_not_record()
    {
        var (sessionId, start, members) = await PlannedSessionAsync();
        using var trainer = As(Roles.Trainer);
        var bad = await RecordAsync(trainer, sessionId, members[0], "arrived", start);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal("kind", (await bad.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("field").GetString());
        var wrongDay = await RecordAsync(trainer, sessionId, members[0], "check_in", start.AddDays(-3));
        Assert.Equal("at", (await wrongDay.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("field").GetString());
        var unknownOfficer = await RecordAsync(trainer, sessionId, Guid.NewGuid(), "check_in", start);
        Assert.Equal("officerId", (await unknownOfficer.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("field").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await RecordAsync(trainer, Guid.NewGuid(), members[0], "check_in", start)).StatusCode);

        using var researcher = As(Roles.Researcher);
        Assert.Equal(HttpStatusCode.Forbidden, (await RecordAsync(researcher, sessionId, members[0], "check_in", start)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await researcher.GetAsync($"/api/attendance/sessions/{sessionId}")).StatusCode);
    }
}

/// <summary>A session's roll call uploaded as CSV: all or nothing, row errors named, a second upload changes nothing.</summary>
public sealed class RollCallTests(SeededLocalHostFixture seeded) : IClassFixture<SeededLocalHostFixture>
{
    [Fact]
    public async Task A_roll_call_is_recorded_once_and_a_bad_one_writes_nothing()
    {
        var (sessionId, _, members) = await PlannedSessions.FirstOfficerSessionAsync(seeded);
        using var trainer = PlannedSessions.As(seeded.Host, Reminders.Platform.Auth.Roles.Trainer);
        async Task<HttpResponseMessage> UploadAsync(string csv) =>
            await trainer.PostAsync($"/api/attendance/sessions/{sessionId}/roll-call", new StringContent(csv, System.Text.Encoding.UTF8, "text/csv"));

        var bad = await UploadAsync($"officer_id,check_in,check_out\n{members[0]},09:20,12:00\nnot-an-id,09:00,12:00\n{members[1]},11:00,10:00\n");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, bad.StatusCode);
        var rejected = (await bad.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("rejected").EnumerateArray().ToList();
        Assert.Equal([(3, "officer_id"), (4, "check_out")], rejected.Select(r => (r.GetProperty("line").GetInt32(), r.GetProperty("column").GetString()!)));
        Assert.Equal("absent", (await AttendanceRecordingTests.ReadAsync(trainer, sessionId))[members[0]].GetProperty("status").GetString());

        var csv = $"officer_id;entrada;salida;justificado\r\n{members[0]};09:20;12:00;\r\n{members[1]};;;sí\r\n";
        Assert.Equal(HttpStatusCode.OK, (await UploadAsync(csv)).StatusCode);
        var again = await (await UploadAsync(csv)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(0, again.GetProperty("events").GetInt32());
        var view = await AttendanceRecordingTests.ReadAsync(trainer, sessionId);
        Assert.Equal(("late", 160), (view[members[0]].GetProperty("status").GetString(), view[members[0]].GetProperty("minutesAttended").GetInt32()));
        Assert.Equal("excused", view[members[1]].GetProperty("status").GetString());
    }
}
