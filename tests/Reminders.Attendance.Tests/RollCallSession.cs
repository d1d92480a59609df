using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Reminders.Attendance.Tests.Infrastructure;
using Reminders.Contracts;
using Reminders.Testing;
using static Reminders.Attendance.Tests.Infrastructure.AttendanceHost;

namespace Reminders.Attendance.Tests;

/// <summary>
/// One training session on 10 December 2026, 09:00–12:00 Mexico City time (15:00–18:00 UTC), in a cohort of officers
/// A, B and C, trained by Instructora Paz (<see cref="AttendanceHost.PazTrainerId"/>), on a real Attendance host (SQLite or PostgreSQL) whose fake clock reads 13:00 that day unless told otherwise.
/// Given a sector's IANA zone, the session is 09:00–12:00 on that zone's wall clock and carries the zone as the Scheduler sends it.
/// </summary>
public sealed class RollCallSession : IAsyncDisposable
{
    public static readonly DateOnly Day = new(2026, 12, 10);
    public static readonly DateTimeOffset Start = Local(2026, 12, 10, 9, 0);
    public static readonly DateTimeOffset End = Local(2026, 12, 10, 12, 0);

    public static TheoryData<string> Databases => new() { "sqlite", "postgres" };

    readonly TestDatabase? database;

    RollCallSession(AttendanceHost host, TestDatabase? database)
    {
        Host = host;
        this.database = database;
    }

    public AttendanceHost Host { get; }
    public Guid SectorId { get; } = Guid.NewGuid();
    public Guid CohortId { get; } = Guid.NewGuid();
    public Guid SessionId { get; } = Guid.NewGuid();
    public Guid A { get; } = Guid.NewGuid();
    public Guid B { get; } = Guid.NewGuid();
    public Guid C { get; } = Guid.NewGuid();
    public Guid TrainerId => AttendanceHost.PazTrainerId;
    public DateTimeOffset StartsAt { get; private init; } = Start;
    public DateTimeOffset EndsAt { get; private init; } = End;

    public static async Task<RollCallSession> StartAsync(string databaseKind, DateTimeOffset? now = null, string? timeZone = null)
    {
        var zone = timeZone is null ? null : TimeZoneInfo.FindSystemTimeZoneById(timeZone);
        DateTimeOffset At(int hour) => zone is null ? Local(2026, 12, 10, hour, 0)
            : new DateTimeOffset(Day.ToDateTime(new TimeOnly(hour, 0)), zone.GetUtcOffset(Day.ToDateTime(new TimeOnly(hour, 0))));
        var clock = now ?? At(13);
        var database = databaseKind == "postgres" ? await TestDatabase.CreateAsync("attendance_rollcall") : null;
        var host = database is null ? AttendanceHost.Sqlite(clock) : AttendanceHost.Postgres(database.ConnectionString, clock);
        var session = new RollCallSession(host, database) { StartsAt = At(9), EndsAt = At(12) };
        var randomizedAt = Local(2026, 11, 1, 10, 0);
        await host.DeliverAsync(new SectorsRandomized(Guid.CreateVersion7(randomizedAt), 7, [new SectorArm(session.SectorId, StudyArms.Treatment, "zone=Centro")], randomizedAt));
        foreach (var officer in new[] { session.A, session.B, session.C })
            await host.DeliverAsync(new OfficerEnrolled(officer, session.SectorId, "officer", randomizedAt.AddDays(-10)));
        await host.DeliverAsync(new TrainingSessionScheduled(session.SessionId, session.CohortId, session.SectorId, "officer", 1, Day, session.StartsAt, session.EndsAt,
            "Sede Centro", session.TrainerId, "v-test", randomizedAt, timeZone));
        await host.DeliverAsync(new CohortMembersChanged(session.CohortId, session.SectorId, "officer", [session.A, session.B, session.C], randomizedAt));
        return session;
    }

    public async Task<HttpResponseMessage> UploadAsync(string csv, string? reason = null, string key = TrainerKey)
    {
        using var client = Host.Client(key);
        var query = reason is null ? "" : $"?reason={Uri.EscapeDataString(reason)}";
        return await client.PostAsync($"/api/attendance/sessions/{SessionId}/roll-call{query}", new StringContent(csv, Encoding.UTF8, "text/csv"));
    }

    /// <summary>A JSON event with <paramref name="at"/> sent exactly as given (a string, not a serialized DateTimeOffset).</summary>
    public Task<HttpResponseMessage> RecordAsync(Guid officerId, string kind, string? at) =>
        Host.PostAsync($"/api/attendance/sessions/{SessionId}/events", new { officerId, kind, at }, TrainerKey);

    public async Task<Dictionary<Guid, JsonElement>> AttendanceAsync()
    {
        using var client = Host.Client(TrainerKey);
        return (await client.GetFromJsonAsync<JsonElement>($"/api/attendance/sessions/{SessionId}")).GetProperty("officers").EnumerateArray()
            .ToDictionary(o => o.GetProperty("officerId").GetGuid());
    }

    public async Task<(string Status, int Minutes)> MinutesAsync(Guid officer)
    {
        var o = (await AttendanceAsync())[officer];
        return (o.GetProperty("status").GetString()!, o.GetProperty("minutesAttended").GetInt32());
    }

    public async Task<JsonElement> EventsAsync(string key = ResearcherKey)
    {
        using var client = Host.Client(key);
        using var response = await client.GetAsync($"/api/attendance/sessions/{SessionId}/events");
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    public Task<long> StoredEventsAsync() => Host.ScalarAsync<long>("SELECT COUNT(*) FROM attendance_events");

    public static async Task<List<(int Line, string Column, string Value, string Reason)>> RejectedAsync(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("rejected").EnumerateArray()
            .Select(r => (r.GetProperty("line").GetInt32(), r.GetProperty("column").GetString()!, r.GetProperty("value").GetString()!, r.GetProperty("reason").GetString()!))
            .ToList();

    public async ValueTask DisposeAsync()
    {
        await Host.DisposeAsync();
        if (database is not null) await database.DisposeAsync();
    }
}
