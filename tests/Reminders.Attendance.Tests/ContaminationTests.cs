using System.Net.Http.Json;
using System.Text.Json;
using Reminders.Attendance.Tests.Infrastructure;
using Reminders.Contracts;
using Reminders.Testing;
using static Reminders.Attendance.Tests.Infrastructure.AttendanceHost;

namespace Reminders.Attendance.Tests;

/// <summary>
/// Contamination has one definition, the arm of randomization, in the session's flag and in the ledger's column: never the
/// arm of the sector the officer is in now.
/// </summary>
public sealed class ContaminationTests
{
    static readonly DateTimeOffset RandomizedAt = Local(2026, 11, 1, 10, 0);
    static readonly DateOnly Day = new(2026, 12, 10);
    static readonly DateTimeOffset Start = Local(2026, 12, 10, 9, 0);

    public static TheoryData<string> Databases => new() { "sqlite", "postgres" };

    [Theory]
    [MemberData(nameof(Databases))]
    public async Task A_control_officer_moved_into_a_treatment_sector_is_contamination_and_a_treatment_officer_moved_to_control_at_their_own_training_is_not(string databaseKind)
    {
        await using var database = databaseKind == "postgres" ? await TestDatabase.CreateAsync("attendance_contamination") : null;
        await using var host = database is null ? AttendanceHost.Sqlite(Local(2026, 12, 10, 13, 0)) : AttendanceHost.Postgres(database.ConnectionString, Local(2026, 12, 10, 13, 0));
        Guid treatment = Guid.NewGuid(), control = Guid.NewGuid(), cohort = Guid.NewGuid(), session = Guid.NewGuid();
        Guid movedIn = Guid.NewGuid(), movedOut = Guid.NewGuid(), stayed = Guid.NewGuid(), excusedControl = Guid.NewGuid();
        var randomization = Guid.CreateVersion7(RandomizedAt);
        await host.DeliverAsync(new SectorsRandomized(randomization, 7,
            [new SectorArm(treatment, StudyArms.Treatment, "zone=Centro"), new SectorArm(control, StudyArms.Control, "zone=Centro")], RandomizedAt));
        foreach (var (officer, sector) in new[] { (movedIn, control), (movedOut, treatment), (stayed, treatment), (excusedControl, control) })
            await host.DeliverAsync(new OfficerEnrolled(officer, sector, "officer", RandomizedAt.AddDays(-10)));
        await host.DeliverAsync(new OfficerArmsAssigned(randomization,
            [new OfficerArm(movedIn, control, StudyArms.Control, false), new OfficerArm(movedOut, treatment, StudyArms.Treatment, false),
             new OfficerArm(stayed, treatment, StudyArms.Treatment, false), new OfficerArm(excusedControl, control, StudyArms.Control, false)], RandomizedAt));
        await host.DeliverAsync(new TrainingSessionScheduled(session, cohort, treatment, "officer", 1, Day, Start, Start.AddHours(3),
            "Sede Centro", PazTrainerId, "v-test", RandomizedAt));
        await host.DeliverAsync(new CohortMembersChanged(cohort, treatment, "officer", [movedOut, stayed], RandomizedAt));
        // Both move across arms before the training: one from control into the treatment sector, one out of it to control.
        var movedAt = Local(2026, 12, 1, 10, 0);
        await host.DeliverAsync(new OfficerTransferred(movedIn, control, treatment, true, DateOnly.FromDateTime(movedAt.DateTime), movedAt));
        await host.DeliverAsync(new OfficerTransferred(movedOut, treatment, control, true, DateOnly.FromDateTime(movedAt.DateTime), movedAt));

        foreach (var officer in new[] { movedIn, movedOut, stayed })
            foreach (var (kind, at) in new[] { ("check_in", Start), ("check_out", Start.AddHours(3)) })
            {
                var recorded = await host.PostAsync($"/api/attendance/sessions/{session}/events", new { officerId = officer, kind, at }, TrainerKey);
                Assert.True(recorded.IsSuccessStatusCode, await recorded.Content.ReadAsStringAsync());
            }

        // A control officer written down as excused attended nothing: not contamination, in the flag as in the ledger.
        var excused = await host.PostAsync($"/api/attendance/sessions/{session}/events", new { officerId = excusedControl, kind = "excused", at = Start }, TrainerKey);
        Assert.True(excused.IsSuccessStatusCode, await excused.Content.ReadAsStringAsync());

        var view = (await host.Client().GetFromJsonAsync<JsonElement>($"/api/attendance/sessions/{session}")).GetProperty("officers").EnumerateArray()
            .ToDictionary(o => o.GetProperty("officerId").GetGuid(), o => (o.GetProperty("walkIn").GetBoolean(), o.GetProperty("contamination").GetBoolean()));
        Assert.Equal((true, true), view[movedIn]);
        Assert.Equal((false, false), view[movedOut]);
        Assert.Equal((false, false), view[stayed]);
        Assert.Equal((true, false), view[excusedControl]);

        var close = await host.PostAsync($"/api/attendance/cohorts/{cohort}/close", new { });
        Assert.True(close.IsSuccessStatusCode, await close.Content.ReadAsStringAsync());
        var ledger = (await host.ReadLedgerAsync()).ToDictionary(r => r.OfficerId);
        Assert.Equal((StudyArms.Control, treatment, true, true, true), (ledger[movedIn].Arm, ledger[movedIn].CurrentSectorId!.Value,
            ledger[movedIn].CrossArmTransfer, ledger[movedIn].WalkIn, ledger[movedIn].Contamination));
        Assert.Equal((StudyArms.Treatment, control, true, false, false), (ledger[movedOut].Arm, ledger[movedOut].CurrentSectorId!.Value,
            ledger[movedOut].CrossArmTransfer, ledger[movedOut].WalkIn, ledger[movedOut].Contamination));
        Assert.False(ledger[stayed].Contamination);
        Assert.False(ledger[excusedControl].Contamination);
        // The export says the same as the ledger.
        var csv = await host.Client(ResearcherKey).GetStringAsync("/api/attendance/dosage.csv");
        Assert.Equal(("1", "0"), (DosageExportHost.Row(csv, movedIn)["contamination"], DosageExportHost.Row(csv, movedOut)["contamination"]));
    }
}
