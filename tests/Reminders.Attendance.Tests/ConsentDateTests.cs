using Reminders.Attendance.Tests.Infrastructure;
using Reminders.Contracts;
using static Reminders.Attendance.Tests.Infrastructure.AttendanceHost;

namespace Reminders.Attendance.Tests;

/// <summary>A consent change on a roster re-import takes effect from its date, and the dose carries that date.</summary>
public sealed class ConsentDateTests
{
    [Fact]
    public async Task The_dose_and_dosage_csv_carry_the_date_the_current_consent_took_effect()
    {
        var enrolledAt = Local(2026, 10, 16, 10, 0);
        var changedAt = Local(2026, 11, 20, 12, 30);
        await using var host = AttendanceHost.Sqlite(Local(2026, 12, 1, 10, 0));
        Guid sector = Guid.NewGuid(), unchanged = Guid.NewGuid(), refused = Guid.NewGuid();
        await host.DeliverAsync(new SectorsRandomized(Guid.CreateVersion7(enrolledAt), 7, [new SectorArm(sector, StudyArms.Treatment, "zone=Centro")], enrolledAt));
        foreach (var officer in new[] { unchanged, refused })
            await host.DeliverAsync(new OfficerEnrolled(officer, sector, "officer", enrolledAt));
        await host.DeliverAsync(new OfficerConsentChanged(refused, false, changedAt));
        // An older change arriving late changes neither the consent nor its date.
        await host.DeliverAsync(new OfficerConsentChanged(refused, true, changedAt.AddDays(-3)));

        var rows = (await host.ReadLedgerAsync()).ToDictionary(r => r.OfficerId);

        Assert.Equal((true, (DateTimeOffset?)enrolledAt), (rows[unchanged].Consent, rows[unchanged].ConsentSince));
        Assert.Equal((false, (DateTimeOffset?)changedAt), (rows[refused].Consent, rows[refused].ConsentSince));
        var csv = await host.Client(ResearcherKey).GetStringAsync("/api/attendance/dosage.csv");
        Assert.Equal(("0", "2026-11-20T18:30:00+00:00"), (DosageExportHost.Row(csv, refused)["consent"], DosageExportHost.Row(csv, refused)["consent_since"]));
    }
}
