using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Reminders.Platform.Auth;
using Reminders.Protocol;
using Reminders.ProviderSimulator.Log;

namespace Reminders.EndToEnd.Tests;

/// <summary>
/// A manager changes a recorded plan in the one-process host: the officers' phones (the simulator's log) get the
/// right notices once, stale pending SMS are cancelled, and Attendance follows the new dates.
/// </summary>
public sealed class CohortChangeTests(SeededLocalHostFixture seeded) : IClassFixture<SeededLocalHostFixture>
{
    readonly LocalHostFixture host = seeded.Host;

    HttpClient Manager() => PlannedSessions.As(host, Roles.Manager);

    int ProviderMessagesStartingWith(string prefix) =>
        host.App.Services.GetRequiredService<SimulatorLog>().Snapshot(null).Count(m => m.Body.StartsWith(prefix, StringComparison.Ordinal));

    async Task WaitForProviderMessagesAsync(string prefix, int count)
    {
        for (var i = 0; i < 300 && ProviderMessagesStartingWith(prefix) < count; i++) await Task.Delay(50);
        Assert.Equal(count, ProviderMessagesStartingWith(prefix));
    }

    /// <summary>Two weeks after the study's today: the cohort has not started whatever day the suite runs.</summary>
    DateOnly PlanFrom => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(host.Now(), host.App.Services.GetRequiredService<StudyProtocol>().TimeZone).DateTime).AddDays(14);

    /// <summary>A Monday five or more weeks after the plan starts whose three days are working days: where the cohort is moved to.</summary>
    DateOnly MoveTo
    {
        get
        {
            var calendar = host.App.Services.GetRequiredService<WorkingDayCalendar>();
            var monday = PlanFrom.AddDays(35);
            while (monday.DayOfWeek != DayOfWeek.Monday || !calendar.ConsecutiveWorkingDays(monday, 3).SequenceEqual([monday, monday.AddDays(1), monday.AddDays(2)]))
                monday = monday.AddDays(1);
            return monday;
        }
    }

    static string Iso(DateOnly date) => date.ToString("yyyy-MM-dd");

    async Task<JsonElement> PlanFirstCohortAsync()
    {
        using var manager = Manager();
        await manager.PostAsJsonAsync("/api/scheduler/venues", new { name = "Academia de Policía, Aula 7", capacity = 30 });
        await manager.PostAsJsonAsync("/api/scheduler/trainers", new { name = "Mtra. Campos" });
        var plan = await manager.PostAsJsonAsync("/api/scheduler/plans", new { from = Iso(PlanFrom), to = Iso(PlanFrom.AddDays(24)) });
        Assert.Equal(HttpStatusCode.Created, plan.StatusCode);
        var cohorts = await manager.GetFromJsonAsync<JsonElement>("/api/scheduler/cohorts");
        return cohorts.EnumerateArray().OrderBy(c => c.GetProperty("firstDate").GetString()).First();
    }

    [Fact]
    public async Task Moving_a_cohort_tells_invited_officers_once_cancels_stale_reminders_and_moves_attendance_then_cancelling_it_tells_them_again()
    {
        var cohort = await PlanFirstCohortAsync();
        var cohortId = cohort.GetProperty("cohortId").GetGuid();
        var members = cohort.GetProperty("members").GetInt32();
        Assert.True(members > 0);
        var everyone = seeded.Flow.Delivered.Count;
        await WaitForProviderMessagesAsync("Curso de Justicia Procedimental: inicia", everyone);

        using var manager = Manager();
        var monday = MoveTo;
        string[] movedDays = [Iso(monday), Iso(monday.AddDays(1)), Iso(monday.AddDays(2))];
        var weekend = await manager.PostAsJsonAsync($"/api/scheduler/cohorts/{cohortId}/move", new { start = Iso(monday.AddDays(-2)), reason = "Aula ocupada" });
        Assert.Equal(HttpStatusCode.BadRequest, weekend.StatusCode);
        Assert.Equal("start", (await weekend.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("field").GetString());
        var noReason = await manager.PostAsJsonAsync($"/api/scheduler/cohorts/{cohortId}/move", new { start = Iso(monday) });
        Assert.Equal("reason", (await noReason.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("field").GetString());

        // That Monday, 10:00: every invited member gets one change notice; the pending day-before reminders are re-planned.
        var moved = await manager.PostAsJsonAsync($"/api/scheduler/cohorts/{cohortId}/move", new { start = Iso(monday), startTime = "10:00", reason = "Aula en remodelación" });
        Assert.Equal(HttpStatusCode.OK, moved.StatusCode);
        var change = await moved.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(members, change.GetProperty("messagesCancelled").GetInt32());
        Assert.Equal(2 * members, change.GetProperty("noticesPlanned").GetInt32());
        await WaitForProviderMessagesAsync("Cambio en su curso", members);
        Assert.All(host.App.Services.GetRequiredService<SimulatorLog>().Snapshot(null).Where(m => m.Body.StartsWith("Cambio en su curso", StringComparison.Ordinal)),
            m => Assert.Contains($"{SmsPlaceholders.FormatFecha(monday)}, 10:00 h", m.Body));
        Assert.Equal(everyone, ProviderMessagesStartingWith("Curso de Justicia Procedimental: inicia"));

        var detail = await manager.GetFromJsonAsync<JsonElement>($"/api/scheduler/cohorts/{cohortId}");
        Assert.Equal(movedDays, detail.GetProperty("sessions").EnumerateArray().Select(s => s.GetProperty("date").GetString()));
        var sms = detail.GetProperty("sms").EnumerateArray().ToList();
        Assert.Equal(members, Count(sms, "day_before", "cancelled", "plan_changed"));
        Assert.Equal(members, Count(sms, "day_before", "planned", null));
        var history = detail.GetProperty("changes").EnumerateArray().Last();
        Assert.Equal(("moved", "Aula en remodelación", "local-manager"),
            (history.GetProperty("change").GetString(), history.GetProperty("reason").GetString(), history.GetProperty("changedBy").GetString()));

        // Attendance follows the new dates.
        var sessionIds = detail.GetProperty("sessions").EnumerateArray().Select(s => s.GetProperty("sessionId").GetGuid().ToString()).ToList();
        for (var i = 0; i < 100; i++)
        {
            var dates = await host.QueryAsync<string>("attendance", "SELECT local_date FROM sessions WHERE session_id IN @sessionIds ORDER BY local_date", new { sessionIds });
            if (dates.SequenceEqual(movedDays)) break;
            Assert.True(i < 99, $"Attendance still has {string.Join(", ", dates)}");
            await Task.Delay(50);
        }

        // Cancelled: one cancellation per invited member, nothing left pending, sessions cancelled in Attendance too.
        var cancelled = await manager.PostAsJsonAsync($"/api/scheduler/cohorts/{cohortId}/cancel", new { reason = "Contingencia" });
        Assert.Equal(HttpStatusCode.OK, cancelled.StatusCode);
        await WaitForProviderMessagesAsync("Se cancela su curso", members);
        detail = await manager.GetFromJsonAsync<JsonElement>($"/api/scheduler/cohorts/{cohortId}");
        Assert.Equal("cancelled", detail.GetProperty("cohort").GetProperty("status").GetString());
        Assert.Equal(0, detail.GetProperty("sms").EnumerateArray().Where(s => s.GetProperty("status").GetString() == "planned").Sum(s => s.GetProperty("count").GetInt32()));
        for (var i = 0; i < 100 && (await host.QueryAsync<long>("attendance", "SELECT COUNT(*) FROM sessions WHERE status = 'cancelled' AND session_id IN @sessionIds", new { sessionIds }))[0] < 3; i++)
            await Task.Delay(50);
        Assert.Equal(3, (await host.QueryAsync<long>("attendance", "SELECT COUNT(*) FROM sessions WHERE status = 'cancelled' AND session_id IN @sessionIds", new { sessionIds }))[0]);
        var again = await manager.PostAsJsonAsync($"/api/scheduler/cohorts/{cohortId}/cancel", new { reason = "Otra vez" });
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
    }

    static int Count(List<JsonElement> sms, string kind, string status, string? reason) =>
        sms.Where(s => s.GetProperty("kind").GetString() == kind && s.GetProperty("status").GetString() == status
                       && (s.GetProperty("reason").ValueKind == JsonValueKind.Null ? null : s.GetProperty("reason").GetString()) == reason)
           .Sum(s => s.GetProperty("count").GetInt32());
}
