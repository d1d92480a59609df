using System.Net.Http.Json;
using System.Text.Json;
using Reminders.Platform.Auth;

namespace Reminders.EndToEnd.Tests;

/// <summary>Plans the seeded host's treatment sectors once (in a past window, so attendance can be recorded) and finds a session.</summary>
static class PlannedSessions
{
    // Planned once per fixture: a second plan would find everyone already in a cohort.
    static readonly System.Runtime.CompilerServices.ConditionalWeakTable<SeededLocalHostFixture, Task<(Guid, DateTimeOffset, Guid[])>> Plans = new();

    public static HttpClient As(LocalHostFixture host, string role)
    {
        var client = new HttpClient { BaseAddress = new Uri(host.Url) };
        client.DefaultRequestHeaders.Add("X-Api-Key", host.ApiKey(role));
        return client;
    }

    public static Task<(Guid SessionId, DateTimeOffset Start, Guid[] Members)> FirstOfficerSessionAsync(SeededLocalHostFixture seeded) =>
        Plans.GetValue(seeded, _ => PlanOnceAsync(seeded.Host));

    /// <summary>The first officer cohort's first session, once Attendance knows it and its two members.</summary>
    static async Task<(Guid, DateTimeOffset, Guid[])> PlanOnceAsync(LocalHostFixture host)
    {
        using var manager = As(host, Roles.Manager);
        await manager.PostAsJsonAsync("/api/scheduler/venues", new { name = "Sede Sur", capacity = 30 });
        await manager.PostAsJsonAsync("/api/scheduler/trainers", new { name = "Instructor Paz" });
        var plan = await (await manager.PostAsJsonAsync("/api/scheduler/plans", new { from = "2026-11-02", to = "2026-11-20" })).Content.ReadFromJsonAsync<JsonElement>();
        var cohort = plan.GetProperty("plan").EnumerateArray().First(c => c.GetProperty("role").GetString() == "officer" && c.GetProperty("members").GetInt32() == 2);
        var session = cohort.GetProperty("sessions")[0];
        var sessionId = session.GetProperty("sessionId").GetGuid();
        for (var i = 0; i < 200; i++)
        {
            var read = await manager.GetAsync($"/api/attendance/sessions/{sessionId}");
            if (read.IsSuccessStatusCode)
            {
                var view = await read.Content.ReadFromJsonAsync<JsonElement>();
                var members = view.GetProperty("officers").EnumerateArray().Select(o => o.GetProperty("officerId").GetGuid()).ToArray();
                if (members.Length == 2) return (sessionId, session.GetProperty("startsAt").GetDateTimeOffset(), members);
            }
            await Task.Delay(25);
        }
        throw new TimeoutException("Attendance never learned the planned session.");
    }
}
