using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Reminders.Contracts;
using Reminders.Local.Demo;
using Reminders.Platform.Auth;
using static Reminders.EndToEnd.Tests.AttendanceRecordingTests;

namespace Reminders.EndToEnd.Tests;

/// <summary>
/// Opting back in through the two routes a manager takes, followed through the real hosts to the Scheduler's planned
/// reminders (nothing put on the bus by hand): setting an opted-out officer active again, and a roster import that fixes a
/// wrong number. Each reminder still ahead is planned again at its original due time; none is left skipped or cancelled.
/// </summary>
public sealed class OptingBackInEndToEndTests(SeededLocalHostFixture seeded) : IClassFixture<SeededLocalHostFixture>
{
    readonly LocalHostFixture host = seeded.Host;

    sealed record ReminderRow
    {
        public long Number { get; init; }
        public string Status { get; init; } = "";
        public string? Reason { get; init; }
        public string DueAt { get; init; } = "";
    }

    async Task<IReadOnlyList<ReminderRow>> WaitForRemindersAsync(Guid officerId, string what, Func<IReadOnlyList<ReminderRow>, bool> done)
    {
        IReadOnlyList<ReminderRow> rows = [];
        for (var i = 0; i < 400; i++, await Task.Delay(50))
        {
            rows = await host.QueryAsync<ReminderRow>("scheduler", """
                SELECT reminder_number AS Number, status AS Status, reason AS Reason, CAST(due_at AS TEXT) AS DueAt
                FROM planned_sms WHERE officer_id = @id AND kind = 'reminder' ORDER BY reminder_number
                """, new { id = officerId.ToString() });
            if (rows.Count == 6 && done(rows)) return rows;
        }
        Assert.Fail($"{what}: the Scheduler's reminders of {officerId} are {string.Join(", ", rows)}");
        return rows;
    }

    async Task SetStatusAsync(HttpClient manager, Guid officerId, string status)
    {
        var response = await manager.PostAsJsonAsync($"/api/enrollment/officers/{officerId}/status", new { status, reason = "prueba de regreso" });
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
    }

    [Fact]
    public async Task A_manager_setting_an_opted_out_officer_active_and_a_roster_fixing_a_wrong_number_plan_the_reminders_still_ahead_again()
    {
        var (sessionId, start, members) = await PlannedSessions.FirstOfficerSessionAsync(seeded);
        using var trainer = PlannedSessions.As(host, Roles.Trainer);
        using var manager = PlannedSessions.As(host, Roles.Manager);
        foreach (var officer in members)
        {
            Assert.Equal(HttpStatusCode.Created, (await RecordAsync(trainer, sessionId, officer, "check_in", start)).StatusCode);
            Assert.Equal(HttpStatusCode.Created, (await RecordAsync(trainer, sessionId, officer, "check_out", start.AddHours(3))).StatusCode);
        }
        var cohortId = (await trainer.GetFromJsonAsync<JsonElement>($"/api/attendance/sessions/{sessionId}")).GetProperty("cohortId").GetGuid();
        var closed = await manager.PostAsync($"/api/attendance/cohorts/{cohortId}/close", null);
        Assert.True(closed.IsSuccessStatusCode, await closed.Content.ReadAsStringAsync());
        var (optedOut, wrongNumber) = (members[0], members[1]);
        var ahead = new Dictionary<Guid, IReadOnlyList<ReminderRow>>();
        foreach (var officer in members)
            ahead[officer] = (await WaitForRemindersAsync(officer, "planned at the close", rows => rows.Any(r => r.Status == "planned")))
                .Where(r => r.Status == "planned").ToList();

        // A manager opts one out and then sets them active again.
        await SetStatusAsync(manager, optedOut, OfficerStatuses.SmsOptedOut);
        await WaitForRemindersAsync(optedOut, "skipped while opted out", rows =>
            ahead[optedOut].All(a => rows.Single(r => r.Number == a.Number) is { Status: "skipped", Reason: SmsSkipReasons.OptedOut }));
        await SetStatusAsync(manager, optedOut, OfficerStatuses.Active);
        var restored = await WaitForRemindersAsync(optedOut, "restored by the manager", rows =>
            ahead[optedOut].All(a => rows.Single(r => r.Number == a.Number).Status == "planned"));
        Assert.Equal(ahead[optedOut].Select(a => (a.Number, a.DueAt, (string?)null)),
            restored.Where(r => ahead[optedOut].Any(a => a.Number == r.Number)).Select(r => (r.Number, r.DueAt, r.Reason)));
        Assert.DoesNotContain(restored, r => r.Status == "cancelled");

        // The other's number is wrong; the next roster brings a new one, which makes them active again.
        await SetStatusAsync(manager, wrongNumber, OfficerStatuses.WrongNumber);
        await WaitForRemindersAsync(wrongNumber, "skipped on a wrong number", rows =>
            ahead[wrongNumber].All(a => rows.Single(r => r.Number == a.Number) is { Status: "skipped", Reason: SmsSkipReasons.WrongNumber }));
        var badge = (await host.QueryAsync<string>("enrollment", "SELECT badge FROM officers WHERE id = @id", new { id = wrongNumber.ToString() })).Single();
        var lines = SkeletonFlow.Roster.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var fields = lines.Single(l => l.StartsWith(badge + ";", StringComparison.Ordinal)).Split(';');
        fields[4] = "55 7000 0" + Random.Shared.Next(100, 999);
        var import = await manager.PostAsync("/api/enrollment/roster?mode=apply",
            new StringContent(lines[0] + "\n" + string.Join(';', fields) + "\n", Encoding.UTF8, "text/csv"));
        Assert.True(import.IsSuccessStatusCode, await import.Content.ReadAsStringAsync());
        var fixedRows = await WaitForRemindersAsync(wrongNumber, "restored by the roster", rows =>
            ahead[wrongNumber].All(a => rows.Single(r => r.Number == a.Number).Status == "planned"));
        Assert.Equal(ahead[wrongNumber].Select(a => (a.Number, a.DueAt, (string?)null)),
            fixedRows.Where(r => ahead[wrongNumber].Any(a => a.Number == r.Number)).Select(r => (r.Number, r.DueAt, r.Reason)));
        Assert.DoesNotContain(fixedRows, r => r.Status == "cancelled");
        Assert.Equal([OfficerStatuses.Active], await host.QueryAsync<string>("enrollment", "SELECT status FROM officers WHERE id = @id", new { id = wrongNumber.ToString() }));
    }
}
