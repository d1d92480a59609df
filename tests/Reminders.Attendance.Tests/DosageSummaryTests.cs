using Reminders.Attendance.Dosage;

namespace Reminders.Attendance.Tests;

/// <summary>Summary numbers on a small set whose answers are worked out by hand.</summary>
public sealed class DosageSummaryTests
{
    static readonly Guid SectorA = Guid.Parse("10000000-0000-0000-0000-00000000000a");
    static readonly Guid SectorB = Guid.Parse("20000000-0000-0000-0000-00000000000b");

    static DosageRow Officer(Guid sector, string arm, string role, int delivered, int acknowledged, int minutes, bool? completed, bool consent = true) => new()
    {
        OfficerId = Guid.NewGuid(), SectorId = sector, Arm = arm, Role = role, RemindersDelivered = delivered,
        RemindersAcknowledged = acknowledged, TrainingMinutesAttended = minutes, TrainingCompleted = completed, Consent = consent,
    };

    static readonly IReadOnlyList<DosageRow> Rows =
    [
        Officer(SectorA, "treatment", "officer", 6, 3, 540, true),
        Officer(SectorA, "treatment", "officer", 4, 0, 360, false),
        Officer(SectorA, "treatment", "officer", 0, 0, 540, true, consent: false),
        Officer(SectorA, "treatment", "commander", 5, 5, 720, true),
        Officer(SectorB, "control", "officer", 0, 0, 0, null, consent: false),
        Officer(SectorB, "control", "officer", 0, 0, 0, null),
    ];

    [Fact]
    public void Per_arm_and_role_means_distributions_and_completion_are_right()
    {
        var groups = DosageSummaries.ByArmAndRole(Rows, reminderCount: 6);
        Assert.Equal([("control", "officer"), ("treatment", "commander"), ("treatment", "officer")], groups.Select(g => (g.Arm!, g.Role!)));

        var treated = groups[2];
        Assert.Equal(3, treated.Officers);
        Assert.Equal(3.3333, treated.MeanRemindersDelivered);
        Assert.Equal(1, treated.MeanRemindersAcknowledged);
        Assert.Equal(480, treated.MeanTrainingMinutesAttended);
        Assert.Equal((3, 2, 0.6667), (treated.TrainingPlanned, treated.TrainingCompleted, treated.TrainingCompletionRate));
        Assert.Equal([1, 0, 0, 0, 1, 0, 1], treated.RemindersDelivered);
        Assert.Equal([2, 0, 0, 1, 0, 0, 0], treated.RemindersAcknowledged);

        var control = groups[0];
        Assert.Equal((2, 0.0, (double?)null), (control.Officers, control.MeanRemindersDelivered, control.TrainingCompletionRate));
        Assert.Equal([2, 0, 0, 0, 0, 0, 0], control.RemindersDelivered);
    }

    [Fact]
    public void Per_sector_groups_carry_the_sectors_arm()
    {
        var groups = DosageSummaries.BySector(Rows, reminderCount: 6);
        Assert.Equal([(SectorA, "treatment", 4), (SectorB, "control", 2)], groups.Select(g => (g.SectorId!.Value, g.Arm!, g.Officers)));
        Assert.Equal(3.75, groups[0].MeanRemindersDelivered);
        Assert.Equal(0.75, groups[0].TrainingCompletionRate);
    }

    [Fact]
    public void Officers_without_consent_are_counted_per_arm_and_role_and_per_sector_and_stay_in_every_other_number()
    {
        var byArm = DosageSummaries.ByArmAndRole(Rows, reminderCount: 6);
        Assert.Equal([("control", "officer", 2, 1), ("treatment", "commander", 1, 0), ("treatment", "officer", 3, 1)],
            byArm.Select(g => (g.Arm!, g.Role!, g.Officers, g.OfficersWithoutConsent)));
        var bySector = DosageSummaries.BySector(Rows, reminderCount: 6);
        Assert.Equal([(SectorA, 4, 1), (SectorB, 2, 1)], bySector.Select(g => (g.SectorId!.Value, g.Officers, g.OfficersWithoutConsent)));

        var csv = DosageSummaries.Csv(bySector, 6, bySector: true).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("sector_id,arm,officers,officers_without_consent,mean_reminders_delivered,", csv[0]);
        Assert.StartsWith($"{SectorA},treatment,4,1,", csv[1]);
    }

    [Fact]
    public void The_csv_has_one_column_per_bucket_and_the_numbers_of_the_json()
    {
        var csv = DosageSummaries.Csv(DosageSummaries.ByArmAndRole(Rows, 6), 6, bySector: false).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("arm,role,officers,officers_without_consent,mean_reminders_delivered,mean_reminders_acknowledged,mean_training_minutes_attended,training_planned,training_completed,training_completion_rate,"
            + string.Join(',', Enumerable.Range(0, 7).Select(i => $"officers_with_{i}_reminders_delivered")) + ","
            + string.Join(',', Enumerable.Range(0, 7).Select(i => $"officers_with_{i}_reminders_acknowledged")), csv[0]);
        Assert.Equal("treatment,officer,3,1,3.3333,1,480,3,2,0.6667,1,0,0,0,1,0,1,2,0,0,1,0,0,0", csv[3]);
        Assert.Equal("control,officer,2,1,0,0,0,0,0,,2,0,0,0,0,0,0,2,0,0,0,0,0,0", csv[1]);
    }
}
