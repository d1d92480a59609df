using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Reminders.Attendance.Dosage;
using Reminders.Attendance.Tests.Infrastructure;
using Reminders.Contracts;
using Reminders.Testing;
using static Reminders.Attendance.Tests.DosageLedgerScenario;

namespace Reminders.Attendance.Tests;

/// <summary>Every column of the dosage ledger against the scripted scenario's known truth, on SQLite and on PostgreSQL.</summary>
public sealed class DosageLedgerTests
{
    [Fact]
    public async Task Every_ledger_column_matches_the_scripted_scenario_on_sqlite()
    {
        await using var host = AttendanceHost.Sqlite(ClosedAt);
        await AssertScenarioAsync(host);
    }

    [Fact]
    public async Task Every_ledger_column_matches_the_scripted_scenario_on_postgres()
    {
        await using var database = await TestDatabase.CreateAsync("attendance_ledger");
        await using var host = AttendanceHost.Postgres(database.ConnectionString, ClosedAt);
        await AssertScenarioAsync(host);
    }

    [Fact]
    public async Task A_study_freeze_reads_the_same_rows_while_it_settles_and_once_written_on_postgres()
    {
        await using var database = await TestDatabase.CreateAsync("attendance_snapshot");
        await using var host = AttendanceHost.Postgres(database.ConnectionString, ClosedAt);
        var s = new DosageLedgerScenario();
        await s.FeedAsync(host);
        // The manager freezes in the middle of the reminders, after everything above was folded.
        host.Clock.SetUtcNow(Due(3).AddHours(1));
        var freeze = await host.PostAsync("/api/attendance/dosage/snapshots", new { reason = "mid-study check" });
        Assert.Equal(HttpStatusCode.Created, freeze.StatusCode);
        var researcher = host.Client(AttendanceHost.ResearcherKey);
        var settling = await researcher.GetStringAsync("/api/attendance/dosage.csv?snapshot=1");

        host.Clock.Advance(host.Services.GetRequiredService<EndlineFreeze>().Settle);
        await host.Services.GetRequiredService<EndlineFreeze>().RunAsync(CancellationToken.None);
        var header = await researcher.GetFromJsonAsync<JsonElement>("/api/attendance/dosage/snapshots/1");
        Assert.Equal(host.Clock.GetUtcNow(), header.GetProperty("sealedAt").GetDateTimeOffset());
        Assert.Equal(settling, await researcher.GetStringAsync("/api/attendance/dosage.csv?snapshot=1"));
        // As of an hour after reminder 3 was due: A has 1 and 2 delivered and 3 undelivered; B has 1 and 2 delivered and has opted out.
        var a = DosageExportHost.Row(settling, s.A);
        Assert.Equal(("3", "2", "1"), (a["reminders_sent"], a["reminders_delivered"], a["reminders_undelivered"]));
        Assert.Equal("2", DosageExportHost.Row(settling, s.B)["reminders_delivered"]);
        Assert.Equal("sms_opted_out", DosageExportHost.Row(settling, s.B)["study_status"]);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Every_ledger_column_is_the_same_when_sms_events_come_in_batches_as_the_outbox_relay_sends_them(bool postgres)
    {
        await using var database = postgres ? await TestDatabase.CreateAsync("attendance_batches") : null;
        await using var host = database is null ? AttendanceHost.Sqlite(ClosedAt) : AttendanceHost.Postgres(database.ConnectionString, ClosedAt);
        await AssertScenarioAsync(host, batchSmsEvents: true);
    }

    static async Task AssertScenarioAsync(AttendanceHost host, bool batchSmsEvents = false)
    {
        var s = new DosageLedgerScenario { BatchSmsEvents = batchSmsEvents };
        await s.FeedAsync(host);
        var all = await host.ReadLedgerAsync();
        var rows = all.ToDictionary(r => r.OfficerId);

        Assert.Equal(new[] { s.A, s.B, s.T, s.W, s.D, s.K }.Order().ToList(), all.Select(r => r.OfficerId).ToList());
        AssertA(s, rows[s.A]);
        AssertB(s, rows[s.B]);
        AssertT(s, rows[s.T]);
        AssertW(s, rows[s.W]);
        AssertD(s, rows[s.D]);
        AssertK(s, rows[s.K]);

        // One officer, or a few, read alone give the same rows as the full pass.
        var one = Assert.Single(await host.ReadLedgerAsync([s.A]));
        Assert.Equal(Json(rows[s.A]), Json(one));
        var some = await host.ReadLedgerAsync([s.K, s.B, Guid.NewGuid()]);
        Assert.Equal(new[] { s.B, s.K }.Order().ToList(), some.Select(r => r.OfficerId).ToList());
        Assert.Equal(Json(rows[s.B]), Json(some.Single(r => r.OfficerId == s.B)));

        // As of an instant after every event, the ledger reads as it does live: the as-of fold follows the consumers' rules.
        var afterEverything = await host.ReadLedgerAsync(asOf: Due(6).AddYears(1));
        Assert.Equal(all.Select(Json), afterEverything.Select(Json));
        // As of half a minute after reminder 2 was due: reminder 1 delivered and acknowledged, 2 accepted without its receipt yet,
        // 3-6 still to come (5's refusal and 4's failure are later); B not opted out yet.
        var earlier = (await host.ReadLedgerAsync([s.A, s.B], Due(2).AddSeconds(30))).ToDictionary(r => r.OfficerId);
        Assert.Equal(["delivered", "accepted", "pending", "pending", "pending", "pending"], earlier[s.A].Reminders.Select(r => r.Status));
        Assert.Equal((2, 1, 1, 5), (earlier[s.A].RemindersSent, earlier[s.A].RemindersDelivered, earlier[s.A].RemindersAcknowledged, earlier[s.A].RemindersPending));
        Assert.Equal((2, 1, 1), (earlier[s.A].LogisticsSent, earlier[s.A].LogisticsDelivered, earlier[s.A].LogisticsFailed));
        Assert.Equal((OfficerStatuses.Active, (DateTimeOffset?)null, 0), (earlier[s.B].StudyStatus, earlier[s.B].SmsOptedOutAt, earlier[s.B].RemindersSkipped));
        // T was moved to a control sector two days after reminder 1: the day before, still in T1 with six reminders owed.
        var beforeTransfer = Assert.Single(await host.ReadLedgerAsync([s.T], TransferredAt.AddDays(-1)));
        Assert.Equal((false, s.T1, s.T1, 6), (beforeTransfer.CrossArmTransfer, beforeTransfer.SectorId, beforeTransfer.CurrentSectorId, beforeTransfer.RemindersPlanned));

        // The replayed acceptance and the retried receipt: every event is in the history once, the replay not at all.
        Assert.Equal(2, await host.ScalarAsync<long>("SELECT COUNT(*) FROM sms_status_history WHERE sms_id = @id", new { id = s.Reminder[s.A][1] }));
        Assert.Equal(4, await host.ScalarAsync<long>("SELECT COUNT(*) FROM sms_status_history WHERE sms_id = @id", new { id = s.Reminder[s.A][0] }));
        Assert.Equal($"SM{s.Reminder[s.A][0]:N}", await host.ScalarAsync<string>("SELECT provider_sid FROM sms_ledger WHERE sms_id = @id", new { id = s.Reminder[s.A][0] }));

        await AssertApisAsync(host, s, rows[s.A]);
        await AssertSmsSummaryAsync(host, all);
    }

    /// <summary>The ledger's SMS summary counts the rows the SMS export streams, and the acknowledgments the officers' rows show.</summary>
    static async Task AssertSmsSummaryAsync(AttendanceHost host, IReadOnlyList<DosageRow> officers)
    {
        var researcher = host.Client(AttendanceHost.ResearcherKey);
        var lines = (await researcher.GetStringAsync("/api/attendance/dosage/sms")).Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => JsonSerializer.Deserialize<JsonElement>(l)).ToList();
        var summary = await researcher.GetFromJsonAsync<JsonElement>("/api/attendance/dosage/sms/summary");

        Assert.Equal(lines.Count(l => l.GetProperty("accepted").GetBoolean()), summary.GetProperty("accepted").GetInt64());
        Assert.Equal(lines.Count(l => l.GetProperty("refusalReason").ValueKind == JsonValueKind.String), summary.GetProperty("refused").GetInt64());
        var byStatus = lines.Where(l => l.GetProperty("status").ValueKind == JsonValueKind.String)
            .GroupBy(l => l.GetProperty("status").GetString()!).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Key} {g.Count()}");
        Assert.Equal(byStatus, summary.GetProperty("byStatus").EnumerateArray().Select(c => $"{c.GetProperty("status").GetString()} {c.GetProperty("count").GetInt64()}"));
        Assert.Equal(officers.Sum(o => o.RemindersAcknowledged), summary.GetProperty("acknowledgedReminders").GetInt64());
        // The scenario has every kind: acknowledgments, a refusal, a failure, deliveries.
        Assert.True(summary.GetProperty("acknowledgedReminders").GetInt64() > 0 && summary.GetProperty("refused").GetInt64() > 0);
        Assert.Contains("failed", summary.GetProperty("byStatus").EnumerateArray().Select(c => c.GetProperty("status").GetString()));
    }

    static void AssertA(DosageLedgerScenario s, DosageRow a)
    {
        Assert.Equal((s.T1, s.T1, StratumT1, StudyArms.Treatment, "officer"), (a.SectorId!.Value, a.CurrentSectorId!.Value, a.Stratum, a.Arm, a.Role));
        Assert.Equal(("active", (DateTimeOffset?)null, (DateTimeOffset?)null, (DateTimeOffset?)null), (a.StudyStatus, a.StudyStatusAt, a.SmsOptedOutAt, a.WithdrawnAt));
        Assert.Equal((false, false, false), (a.CrossArmTransfer, a.WalkIn, a.Contamination));
        Assert.Equal((540, 540, 3, 3, (bool?)true, true),
            (a.TrainingMinutesPlanned, a.TrainingMinutesAttended, a.TrainingSessionsPlanned, a.TrainingSessionsAttended, a.TrainingCompleted, a.TrainingAttendanceClosed));
        Assert.Equal((6, 4, 2, 1, 1, 2, 1, 1),
            (a.RemindersPlanned, a.RemindersSent, a.RemindersDelivered, a.RemindersFailed, a.RemindersUndelivered, a.RemindersAcknowledged, a.RemindersSkipped, a.RemindersPending));
        Assert.Equal(new Dictionary<string, int> { ["quiet_hours"] = 1 }, a.RemindersSkippedByReason);
        Assert.Equal((Due(1).AddMinutes(2), Due(2).AddMinutes(1)), (a.FirstReminderDeliveredAt!.Value, a.LastReminderDeliveredAt!.Value));
        Assert.Equal((2, 1, 1), (a.LogisticsSent, a.LogisticsDelivered, a.LogisticsFailed));

        Assert.Equal([1, 2, 3, 4, 5, 6], a.Reminders.Select(r => r.Number));
        Assert.Equal(s.Reminder[s.A], a.Reminders.Select(r => r.SmsId));
        Assert.Equal(["delivered", "delivered", "undelivered", "failed", "skipped", "accepted"], a.Reminders.Select(r => r.Status));
        Assert.Equal([null, null, null, null, "quiet_hours", null], a.Reminders.Select(r => r.SkipReason));
        Assert.Equal(Enumerable.Range(1, 6).Select(k => (DateTimeOffset?)Due(k)), a.Reminders.Select(r => r.DueAt));
        // Reminder 1: the acceptance arrived after its receipts and still gives the sent time; the late "sent" changed nothing.
        Assert.Equal([Due(1).AddSeconds(5), Due(2).AddSeconds(5), Due(3).AddSeconds(5), null, null, Due(6).AddSeconds(5)], a.Reminders.Select(r => r.SentAt));
        Assert.Equal([Due(1).AddMinutes(2), Due(2).AddMinutes(1), null, null, null, null], a.Reminders.Select(r => r.DeliveredAt));
        Assert.Equal([Due(1).AddHours(1), Due(2).AddHours(2), null, null, null, null], a.Reminders.Select(r => r.AcknowledgedAt));
    }

    static void AssertB(DosageLedgerScenario s, DosageRow b)
    {
        Assert.Equal((s.T1, StratumT1, StudyArms.Treatment, "officer"), (b.SectorId!.Value, b.Stratum, b.Arm, b.Role));
        Assert.Equal((OfficerStatuses.SmsOptedOut, OptedOutAgainAt, OptedOutAt), (b.StudyStatus, b.StudyStatusAt!.Value, b.SmsOptedOutAt!.Value));
        Assert.Null(b.WithdrawnAt);
        Assert.Equal((540, 360, 3, 2, (bool?)false), (b.TrainingMinutesPlanned, b.TrainingMinutesAttended, b.TrainingSessionsPlanned, b.TrainingSessionsAttended, b.TrainingCompleted));
        Assert.Equal((6, 2, 2, 0, 0, 0, 4, 0),
            (b.RemindersPlanned, b.RemindersSent, b.RemindersDelivered, b.RemindersFailed, b.RemindersUndelivered, b.RemindersAcknowledged, b.RemindersSkipped, b.RemindersPending));
        Assert.Equal(new Dictionary<string, int> { ["opted_out"] = 4 }, b.RemindersSkippedByReason);
        Assert.Equal(["delivered", "delivered", "skipped", "skipped", "skipped", "skipped"], b.Reminders.Select(r => r.Status));
        Assert.Equal((Due(1).AddMinutes(1), Due(2).AddMinutes(1)), (b.FirstReminderDeliveredAt!.Value, b.LastReminderDeliveredAt!.Value));
        Assert.Equal((0, 0, 0), (b.LogisticsSent, b.LogisticsDelivered, b.LogisticsFailed));
    }

    static void AssertT(DosageLedgerScenario s, DosageRow t)
    {
        // Analysed in the sector and arm of randomization, flagged as having crossed arms.
        Assert.Equal((s.T1, s.C1, StratumT1, StudyArms.Treatment, "commander", true),
            (t.SectorId!.Value, t.CurrentSectorId!.Value, t.Stratum, t.Arm, t.Role, t.CrossArmTransfer));
        Assert.Equal((false, false), (t.WalkIn, t.Contamination));
        Assert.Equal((540, 510, 3, 3, (bool?)true), (t.TrainingMinutesPlanned, t.TrainingMinutesAttended, t.TrainingSessionsPlanned, t.TrainingSessionsAttended, t.TrainingCompleted));
        // The reminders the cross-arm stop kept from them were owed: in the denominator, skipped as transferred_cross_arm.
        Assert.Equal((6, 1, 1, 5, 0), (t.RemindersPlanned, t.RemindersSent, t.RemindersDelivered, t.RemindersSkipped, t.RemindersPending));
        Assert.Equal(new Dictionary<string, int> { [SmsSkipReasons.TransferredCrossArm] = 5 }, t.RemindersSkippedByReason);
        Assert.Equal(["delivered", "skipped", "skipped", "skipped", "skipped", "skipped"], t.Reminders.Select(r => r.Status));
        Assert.Equal([null, .. Enumerable.Repeat(SmsSkipReasons.TransferredCrossArm, 5)], t.Reminders.Select(r => r.SkipReason));
        Assert.Equal((Due(1).AddMinutes(3), Due(1).AddMinutes(3)), (t.FirstReminderDeliveredAt!.Value, t.LastReminderDeliveredAt!.Value));
    }

    static void AssertW(DosageLedgerScenario s, DosageRow w)
    {
        Assert.Equal((s.C1, StratumC1, StudyArms.Control, true, true, false), (w.SectorId!.Value, w.Stratum, w.Arm, w.WalkIn, w.Contamination, w.CrossArmTransfer));
        // A walk-in's minutes count as attended, never as planned.
        Assert.Equal((0, 180, 0, 1, (bool?)null, true),
            (w.TrainingMinutesPlanned, w.TrainingMinutesAttended, w.TrainingSessionsPlanned, w.TrainingSessionsAttended, w.TrainingCompleted, w.TrainingAttendanceClosed));
        Assert.Equal((6, 0, 0, 6, 0), (w.RemindersPlanned, w.RemindersSent, w.RemindersDelivered, w.RemindersSkipped, w.RemindersPending));
        Assert.Equal(new Dictionary<string, int> { ["arm_mismatch"] = 6 }, w.RemindersSkippedByReason);
        Assert.Null(w.FirstReminderDeliveredAt);
    }

    static void AssertD(DosageLedgerScenario s, DosageRow d)
    {
        Assert.Equal((s.T2, StratumT2, StudyArms.Treatment, "commander"), (d.SectorId!.Value, d.Stratum, d.Arm, d.Role));
        Assert.Equal((OfficerStatuses.Withdrawn, WithdrawnAt, WithdrawnAt), (d.StudyStatus, d.StudyStatusAt!.Value, d.WithdrawnAt!.Value));
        Assert.Null(d.SmsOptedOutAt);
        // Cohort not closed: planned from its scheduled sessions, nothing attended yet, completion unknown.
        Assert.Equal((720, 0, 3, 0, (bool?)null, false),
            (d.TrainingMinutesPlanned, d.TrainingMinutesAttended, d.TrainingSessionsPlanned, d.TrainingSessionsAttended, d.TrainingCompleted, d.TrainingAttendanceClosed));
        Assert.Equal((0, 0), (d.RemindersPlanned, d.Reminders.Count));
    }

    static void AssertK(DosageLedgerScenario s, DosageRow k)
    {
        Assert.Equal((s.C1, StratumC1, StudyArms.Control, "officer", "active"), (k.SectorId!.Value, k.Stratum, k.Arm, k.Role, k.StudyStatus));
        Assert.Equal((false, false, false), (k.CrossArmTransfer, k.WalkIn, k.Contamination));
        Assert.Equal((0, 0, 0, 0, (bool?)null, true),
            (k.TrainingMinutesPlanned, k.TrainingMinutesAttended, k.TrainingSessionsPlanned, k.TrainingSessionsAttended, k.TrainingCompleted, k.TrainingAttendanceClosed));
        Assert.Equal((0, 0, 0, 0, 0, 0, 0, 0),
            (k.RemindersPlanned, k.RemindersSent, k.RemindersDelivered, k.RemindersFailed, k.RemindersUndelivered, k.RemindersAcknowledged, k.RemindersSkipped, k.RemindersPending));
        Assert.Empty(k.Reminders);
        Assert.Equal((0, 0, 0), (k.LogisticsSent, k.LogisticsDelivered, k.LogisticsFailed));
    }

    static async Task AssertApisAsync(AttendanceHost host, DosageLedgerScenario s, DosageRow a)
    {
        using var researcher = host.Client(AttendanceHost.ResearcherKey);
        var dosage = await researcher.GetFromJsonAsync<JsonElement>($"/api/attendance/dosage/officers/{s.A}");
        Assert.Equal(a.RemindersDelivered, dosage.GetProperty("remindersDelivered").GetInt32());
        Assert.Equal(StratumT1, dosage.GetProperty("stratum").GetString());
        // Every SMS of any purpose is listed, and counted over them all.
        Assert.Equal(10, dosage.GetProperty("sms").GetArrayLength());
        Assert.Equal(8, dosage.GetProperty("smsSent").GetInt64());
        var unknown = await researcher.GetAsync($"/api/attendance/dosage/officers/{Guid.NewGuid()}");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("application/problem+json", unknown.Content.Headers.ContentType?.MediaType);

        // The support view: "did A get reminder 3, and when?" in one call.
        Assert.Equal(HttpStatusCode.Forbidden, (await researcher.GetAsync($"/api/attendance/officers/{s.A}/timeline")).StatusCode);
        using var manager = host.Client();
        var timeline = await manager.GetFromJsonAsync<OfficerTimelineApi.Timeline>($"/api/attendance/officers/{s.A}/timeline");
        Assert.NotNull(timeline);
        Assert.Equal(3, timeline.Sessions.Count);
        Assert.All(timeline.Sessions, session => Assert.Equal((180, "present", false), (session.MinutesAttended, session.AttendanceStatus, session.WalkIn)));
        var third = timeline.Sms.Single(m => m.ReminderNumber == 3);
        Assert.Equal(("undelivered", Due(3).AddSeconds(5)), (third.Status, third.AcceptedAt!.Value));
        Assert.Equal(["accepted", "status"], third.History.Select(h => h.Event));
        Assert.Equal([Due(3).AddSeconds(5), Due(3).AddMinutes(1)], third.History.Select(h => h.At));
        Assert.Equal(30003, third.History[1].ErrorCode);
        var first = timeline.Sms.Single(m => m.ReminderNumber == 1);
        Assert.Equal(("delivered", "OK", Due(1).AddHours(1)), (first.Status, first.AcknowledgmentReply, first.AcknowledgedAt!.Value));
        Assert.Equal(["queued", "sent", "delivered", "delivered"], first.History.Select(h => h.Status));
        Assert.Equal(10, timeline.Sms.Count);
        Assert.Equal(timeline.Sms.OrderBy(m => m.DueAt ?? m.AcceptedAt).Select(m => m.SmsId), timeline.Sms.Select(m => m.SmsId));

        var walkIn = await manager.GetFromJsonAsync<OfficerTimelineApi.Timeline>($"/api/attendance/officers/{s.W}/timeline");
        Assert.Equal((true, 180), (walkIn!.Sessions.Single().WalkIn, walkIn.Sessions.Single().MinutesAttended));
        var nobody = await manager.GetAsync($"/api/attendance/officers/{Guid.NewGuid()}/timeline");
        Assert.Equal(HttpStatusCode.NotFound, nobody.StatusCode);
        Assert.Equal("application/problem+json", nobody.Content.Headers.ContentType?.MediaType);
    }

    static string Json(DosageRow row) => JsonSerializer.Serialize(row);
}
