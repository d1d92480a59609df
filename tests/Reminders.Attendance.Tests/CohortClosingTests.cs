using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Reminders.Attendance.Tests.Infrastructure;
using Reminders.Contracts;
using static Reminders.Attendance.Tests.Infrastructure.AttendanceHost;

namespace Reminders.Attendance.Tests;

/// <summary>
/// Closing a cohort through the real Attendance host: only after its last session, only by a manager, previewed before,
/// reopened within the protocol's window with a reason, and closed again with the totals recomputed. Cohort: three
/// 09:00–12:00 sessions, Monday 2 to Wednesday 4 November 2026 in Mexico City; members A (attends day 1) and B (absent),
/// and W, a walk-in on day 1.
/// </summary>
public sealed class CohortClosingTests : IAsyncLifetime
{
    static DateTimeOffset SessionStart(int day) => Local(2026, 11, 1 + day, 9, 0);
    static readonly DateTimeOffset LastSessionEnds = SessionStart(3).AddHours(3);

    readonly Guid sector = Guid.NewGuid(), cohort = Guid.NewGuid(), a = Guid.NewGuid(), b = Guid.NewGuid(), w = Guid.NewGuid();
    readonly Guid[] sessions = [Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid()];
    readonly ConcurrentQueue<CohortAttendanceClosed> closings = new();
    readonly AttendanceHost host = Sqlite(SessionStart(3).AddHours(2));
    HostReceiveEndpointHandle? listener;

    public async Task InitializeAsync()
    {
        listener = host.Services.GetRequiredService<IBus>().ConnectReceiveEndpoint("closing-tests-" + Guid.NewGuid().ToString("N"),
            e => e.Handler<CohortAttendanceClosed>(context => { closings.Enqueue(context.Message); return Task.CompletedTask; }));
        await listener.Ready;
        await host.DeliverAsync(new SectorsRandomized(Guid.CreateVersion7(), 7, [new SectorArm(sector, StudyArms.Treatment)], Local(2026, 10, 1, 9, 0)));
        foreach (var officer in new[] { a, b, w })
            await host.DeliverAsync(new OfficerEnrolled(officer, sector, "officer", Local(2026, 10, 1, 9, 0)));
        for (var day = 1; day <= 3; day++)
            await host.DeliverAsync(new TrainingSessionScheduled(sessions[day - 1], cohort, sector, "officer", day, DateOnly.FromDateTime(SessionStart(day).DateTime),
                SessionStart(day), SessionStart(day).AddHours(3), "Sede Centro", Guid.NewGuid(), "v-test", Local(2026, 10, 1, 9, 0)));
        await host.DeliverAsync(new CohortMembersChanged(cohort, sector, "officer", [a, b], Local(2026, 10, 1, 9, 0)));
        await AttendAsync(a, 1);
        await AttendAsync(w, 1);
    }

    public async Task DisposeAsync()
    {
        if (listener is not null) await listener.StopAsync();
        await host.DisposeAsync();
    }

    async Task AttendAsync(Guid officer, int day)
    {
        foreach (var (kind, at) in new[] { ("check_in", SessionStart(day)), ("check_out", SessionStart(day).AddHours(3)) })
        {
            var response = await host.PostAsync($"/api/attendance/sessions/{sessions[day - 1]}/events", new { officerId = officer, kind, at }, TrainerKey);
            Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        }
    }

    async Task<HttpResponseMessage> CloseAsync(string key = ManagerKey) => await host.PostAsync($"/api/attendance/cohorts/{cohort}/close", new { }, key);

    async Task<HttpResponseMessage> ReopenAsync(string? reason, string key = ManagerKey) =>
        await host.PostAsync($"/api/attendance/cohorts/{cohort}/reopen", new { reason }, key);

    async Task<JsonElement> JsonAsync(HttpResponseMessage response)
    {
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    async Task<long> WrittenAsync() =>
        await host.ScalarAsync<long>("SELECT COUNT(*) FROM cohort_closures") + await host.ScalarAsync<long>("SELECT COUNT(*) FROM cohort_officer_totals");

    static Dictionary<Guid, JsonElement> Officers(JsonElement outcome) =>
        outcome.GetProperty("officers").EnumerateArray().ToDictionary(o => o.GetProperty("officerId").GetGuid());

    [Fact]
    public async Task Closing_before_the_last_session_ended_is_refused_naming_the_session_and_writes_nothing()
    {
        var refused = await CloseAsync();

        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        var problem = await refused.Content.ReadFromJsonAsync<JsonElement>();
        var detail = problem.GetProperty("detail").GetString()!;
        Assert.Contains("day 3", detail);
        Assert.Contains("2026-11-04", detail);
        Assert.Contains("12:00", detail);
        Assert.Equal((sessions[2], 3, "2026-11-04", "12:00"), (problem.GetProperty("sessionId").GetGuid(), problem.GetProperty("dayNumber").GetInt32(),
            problem.GetProperty("date").GetString(), problem.GetProperty("endsAt").GetString()));
        Assert.Equal(0, await WrittenAsync());

        // Once the session has ended it closes, and the refused attempt published nothing: the one closing is this one.
        host.Clock.SetUtcNow(LastSessionEnds);
        var closed = await JsonAsync(await CloseAsync());
        Assert.Equal(LastSessionEnds, closed.GetProperty("closedAt").GetDateTimeOffset());
        await WaitAsync(() => !closings.IsEmpty);
        await Task.Delay(200);
        Assert.Equal(LastSessionEnds, Assert.Single(closings).ClosedAt);
    }

    [Fact]
    public async Task Only_a_manager_may_preview_close_or_reopen()
    {
        host.Clock.SetUtcNow(LastSessionEnds.AddHours(1));
        using var trainer = host.Client(TrainerKey);
        Assert.Equal(HttpStatusCode.Forbidden, (await CloseAsync(TrainerKey)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await trainer.GetAsync($"/api/attendance/cohorts/{cohort}/close-preview")).StatusCode);
        Assert.Equal(0, await WrittenAsync());

        await JsonAsync(await CloseAsync());
        Assert.Equal(HttpStatusCode.Forbidden, (await ReopenAsync("Faltó registrar a B", TrainerKey)).StatusCode);
        Assert.Equal(1, await host.ScalarAsync<long>("SELECT COUNT(*) FROM cohort_closures"));
    }

    [Fact]
    public async Task The_preview_writes_nothing_and_counts_what_the_close_then_does()
    {
        host.Clock.SetUtcNow(LastSessionEnds.AddHours(1));
        using var manager = host.Client();

        var preview = await JsonAsync(await manager.GetAsync($"/api/attendance/cohorts/{cohort}/close-preview"));

        Assert.Equal((2, 1, 1, 1), (preview.GetProperty("members").GetInt32(), preview.GetProperty("eligible").GetInt32(),
            preview.GetProperty("notEligible").GetInt32(), preview.GetProperty("walkIns").GetInt32()));
        var officers = Officers(preview);
        Assert.Equal((180, 540, 1, 3, true), (officers[a].GetProperty("minutesAttended").GetInt32(), officers[a].GetProperty("minutesPlanned").GetInt32(),
            officers[a].GetProperty("sessionsAttended").GetInt32(), officers[a].GetProperty("sessions").GetInt32(), officers[a].GetProperty("eligible").GetBoolean()));
        Assert.False(officers[b].GetProperty("eligible").GetBoolean());
        Assert.Contains("0 of 3", officers[b].GetProperty("reason").GetString());
        Assert.True(officers[w].GetProperty("walkIn").GetBoolean());
        Assert.False(officers[w].GetProperty("eligible").GetBoolean());
        Assert.Equal(0, await WrittenAsync());
        await Task.Delay(200);
        Assert.Empty(closings);

        var closed = await JsonAsync(await CloseAsync());
        foreach (var field in new[] { "members", "eligible", "notEligible", "walkIns", "officers" })
            Assert.Equal(preview.GetProperty(field).GetRawText(), closed.GetProperty(field).GetRawText());
        Assert.Equal(3, await host.ScalarAsync<long>("SELECT COUNT(*) FROM cohort_officer_totals WHERE cohort_id = @cohort", new { cohort }));
    }

    [Fact]
    public async Task A_reopened_cohort_takes_corrections_and_closing_again_recomputes_the_totals_with_the_history_kept()
    {
        host.Clock.SetUtcNow(LastSessionEnds.AddHours(1));
        var first = await JsonAsync(await CloseAsync());
        Assert.False(Officers(first)[b].GetProperty("eligible").GetBoolean());
        var late = await host.PostAsync($"/api/attendance/sessions/{sessions[1]}/events", new { officerId = b, kind = "check_in", at = SessionStart(2) }, TrainerKey);
        Assert.Equal(HttpStatusCode.Conflict, late.StatusCode);

        host.Clock.Advance(TimeSpan.FromDays(2));
        var reopened = await JsonAsync(await ReopenAsync("B asistió el día 2; la lista se capturó incompleta"));
        Assert.Equal("B asistió el día 2; la lista se capturó incompleta", reopened.GetProperty("reason").GetString());
        Assert.Equal(0, await host.ScalarAsync<long>("SELECT COUNT(*) FROM cohort_closures"));
        await AttendAsync(b, 2);

        host.Clock.Advance(TimeSpan.FromHours(1));
        var second = await JsonAsync(await CloseAsync());
        Assert.Equal((2, 0), (second.GetProperty("eligible").GetInt32(), second.GetProperty("notEligible").GetInt32()));
        Assert.True(Officers(second)[b].GetProperty("eligible").GetBoolean());
        Assert.Equal(180, await host.ScalarAsync<long>("SELECT minutes_attended FROM cohort_officer_totals WHERE cohort_id = @cohort AND officer_id = @b", new { cohort, b }));
        Assert.Equal(3, await host.ScalarAsync<long>("SELECT COUNT(*) FROM cohort_officer_totals WHERE cohort_id = @cohort", new { cohort }));
        Assert.Equal(180, (await host.ReadLedgerAsync([b])).Single().TrainingMinutesAttended);

        await WaitAsync(() => closings.Count >= 2);
        var latest = closings.MaxBy(c => c.ClosedAt)!;
        Assert.Equal(1, latest.Officers.Single(o => o.OfficerId == b).SessionsAttended);

        using var manager = host.Client(ResearcherKey);
        var history = await manager.GetFromJsonAsync<JsonElement>($"/api/attendance/cohorts/{cohort}/closures");
        Assert.Equal(["closed", "reopened", "closed"], history.EnumerateArray().Select(h => h.GetProperty("action").GetString()));
        Assert.Equal(["coordinadora", "coordinadora", "coordinadora"], history.EnumerateArray().Select(h => h.GetProperty("by").GetString()));
        Assert.Equal([null, "B asistió el día 2; la lista se capturó incompleta", null], history.EnumerateArray().Select(h =>
            h.GetProperty("reason").ValueKind == JsonValueKind.Null ? null : h.GetProperty("reason").GetString()));
        Assert.Equal([LastSessionEnds.AddHours(1), LastSessionEnds.AddHours(1).AddDays(2), LastSessionEnds.AddHours(1).AddDays(2).AddHours(1)],
            history.EnumerateArray().Select(h => h.GetProperty("at").GetDateTimeOffset()));
    }

    [Fact]
    public async Task The_closed_cohorts_list_has_a_cohort_while_closed_and_not_while_reopened()
    {
        using var researcher = host.Client(ResearcherKey);
        async Task<JsonElement[]> ClosedAsync() =>
            (await researcher.GetFromJsonAsync<JsonElement>("/api/attendance/cohorts/closed")).EnumerateArray().ToArray();
        Assert.Empty(await ClosedAsync());

        host.Clock.SetUtcNow(LastSessionEnds.AddHours(1));
        await JsonAsync(await CloseAsync());
        var closed = Assert.Single(await ClosedAsync());
        Assert.Equal(cohort, closed.GetProperty("cohortId").GetGuid());
        Assert.Equal(LastSessionEnds.AddHours(1), closed.GetProperty("closedAt").GetDateTimeOffset());
        Assert.Equal("coordinadora", closed.GetProperty("closedBy").GetString());

        await JsonAsync(await ReopenAsync("Corregir la lista del día 2"));
        Assert.Empty(await ClosedAsync());
        using var trainer = host.Client(TrainerKey);
        Assert.Equal(HttpStatusCode.Forbidden, (await trainer.GetAsync("/api/attendance/cohorts/closed")).StatusCode);
    }

    [Fact]
    public async Task Reopening_after_the_protocols_window_is_refused_with_the_reason()
    {
        host.Clock.SetUtcNow(LastSessionEnds.AddHours(1));
        await JsonAsync(await CloseAsync());

        host.Clock.Advance(TimeSpan.FromDays(7).Add(TimeSpan.FromMinutes(1)));
        var refused = await ReopenAsync("Corrección tardía");

        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        var detail = (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString()!;
        Assert.Contains("7 days", detail);
        Assert.Equal(1, await host.ScalarAsync<long>("SELECT COUNT(*) FROM cohort_closures"));
    }

    [Fact]
    public async Task Reopening_needs_a_reason_and_a_closed_cohort()
    {
        host.Clock.SetUtcNow(LastSessionEnds.AddHours(1));
        Assert.Equal(HttpStatusCode.Conflict, (await ReopenAsync("Nada que reabrir")).StatusCode);
        await JsonAsync(await CloseAsync());

        foreach (var reason in new[] { null, "  " })
        {
            var refused = await ReopenAsync(reason);
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.Equal("reason", (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("field").GetString());
        }
        Assert.Equal(1, await host.ScalarAsync<long>("SELECT COUNT(*) FROM cohort_closures"));
        Assert.Equal(HttpStatusCode.NotFound, (await host.PostAsync($"/api/attendance/cohorts/{Guid.NewGuid()}/reopen", new { reason = "x" })).StatusCode);
    }

    static async Task WaitAsync(Func<bool> condition)
    {
        for (var i = 0; i < 300 && !condition(); i++) await Task.Delay(25);
        Assert.True(condition(), "waited in vain");
    }
}
