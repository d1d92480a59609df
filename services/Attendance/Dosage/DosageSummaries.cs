using System.Globalization;
using System.Text;
using Reminders.Platform.Csv;

namespace Reminders.Attendance.Dosage;

/// <summary>
/// The dose summarized per arm × role and per sector, from the same rows as dosage.csv: means of reminders delivered
/// and acknowledged and of training minutes, the distribution of reminders delivered and acknowledged (officers with
/// 0, 1, ..., K), the training completion rate, and how many officers have consent = 0 (as in dosage.csv's consent column:
/// no SMS of any kind, still trained and still counted in every other number).
/// </summary>
public static class DosageSummaries
{
    /// <summary>
    /// One group. <see cref="RemindersDelivered"/>[k] is the number of officers with k reminders delivered (k = 0..K).
    /// <see cref="TrainingCompletionRate"/> is over officers with a training planned (null when none had one).
    /// </summary>
    public sealed record Group(
        string? Arm, string? Role, Guid? SectorId, int Officers,
        double MeanRemindersDelivered, double MeanRemindersAcknowledged, double MeanTrainingMinutesAttended,
        int TrainingPlanned, int TrainingCompleted, double? TrainingCompletionRate,
        IReadOnlyList<int> RemindersDelivered, IReadOnlyList<int> RemindersAcknowledged, int OfficersWithoutConsent);

    public static IReadOnlyList<Group> ByArmAndRole(IReadOnlyList<DosageRow> rows, int reminderCount) =>
        rows.GroupBy(r => (r.Arm, r.Role))
            .OrderBy(g => g.Key.Arm ?? "\uffff", StringComparer.Ordinal).ThenBy(g => g.Key.Role ?? "\uffff", StringComparer.Ordinal)
            .Select(g => Summarize(g.Key.Arm, g.Key.Role, null, g.ToList(), Buckets(rows, reminderCount))).ToList();

    /// <summary>Per sector; <see cref="Group.Arm"/> is the sector's arm (officers of one sector share it), <see cref="Group.Role"/> null.</summary>
    public static IReadOnlyList<Group> BySector(IReadOnlyList<DosageRow> rows, int reminderCount) =>
        rows.GroupBy(r => r.SectorId)
            .OrderBy(g => g.Key?.ToString() ?? "\uffff", StringComparer.Ordinal)
            .Select(g => Summarize(g.Select(r => r.Arm).FirstOrDefault(a => a is not null), null, g.Key, g.ToList(), Buckets(rows, reminderCount))).ToList();

    /// <summary>K: the protocol's reminder count, or more if an officer somehow has more (never clipped away).</summary>
    static int Buckets(IReadOnlyList<DosageRow> rows, int reminderCount) =>
        rows.Count == 0 ? reminderCount : Math.Max(reminderCount, rows.Max(r => Math.Max(r.RemindersDelivered, r.RemindersAcknowledged)));

    static Group Summarize(string? arm, string? role, Guid? sectorId, IReadOnlyList<DosageRow> rows, int k)
    {
        var delivered = new int[k + 1];
        var acknowledged = new int[k + 1];
        foreach (var r in rows)
        {
            delivered[r.RemindersDelivered]++;
            acknowledged[r.RemindersAcknowledged]++;
        }
        var planned = rows.Count(r => r.TrainingCompleted is not null);
        var completed = rows.Count(r => r.TrainingCompleted == true);
        return new Group(arm, role, sectorId, rows.Count,
            Mean(rows, r => r.RemindersDelivered), Mean(rows, r => r.RemindersAcknowledged), Mean(rows, r => r.TrainingMinutesAttended),
            planned, completed, planned == 0 ? null : Math.Round((double)completed / planned, 4), delivered, acknowledged,
            rows.Count(r => !r.Consent));
    }

    static double Mean(IReadOnlyList<DosageRow> rows, Func<DosageRow, int> value) =>
        rows.Count == 0 ? 0 : Math.Round(rows.Average(r => (double)value(r)), 4);

    /// <summary>The groups as CSV (same format as dosage.csv): one column per distribution bucket.</summary>
    public static string Csv(IReadOnlyList<Group> groups, int reminderCount, bool bySector)
    {
        var k = groups.Count == 0 ? reminderCount : groups[0].RemindersDelivered.Count - 1;
        var header = new List<string>(bySector ? ["sector_id", "arm"] : ["arm", "role"]);
        header.AddRange(["officers", "officers_without_consent", "mean_reminders_delivered", "mean_reminders_acknowledged", "mean_training_minutes_attended",
            "training_planned", "training_completed", "training_completion_rate"]);
        header.AddRange(Enumerable.Range(0, k + 1).Select(i => $"officers_with_{i}_reminders_delivered"));
        header.AddRange(Enumerable.Range(0, k + 1).Select(i => $"officers_with_{i}_reminders_acknowledged"));
        var csv = new StringBuilder(CsvText.Line(header));
        foreach (var g in groups)
        {
            var fields = new List<string?>(bySector ? [g.SectorId?.ToString(), g.Arm] : [g.Arm, g.Role]);
            fields.AddRange([DosageCodebook.Integer(g.Officers), DosageCodebook.Integer(g.OfficersWithoutConsent), Decimal(g.MeanRemindersDelivered), Decimal(g.MeanRemindersAcknowledged),
                Decimal(g.MeanTrainingMinutesAttended), DosageCodebook.Integer(g.TrainingPlanned), DosageCodebook.Integer(g.TrainingCompleted),
                g.TrainingCompletionRate is { } rate ? Decimal(rate) : ""]);
            fields.AddRange(g.RemindersDelivered.Select(DosageCodebook.Integer));
            fields.AddRange(g.RemindersAcknowledged.Select(DosageCodebook.Integer));
            csv.Append(CsvText.Line(fields));
        }
        return csv.ToString();
    }

    static string Decimal(double value) => value.ToString("0.####", CultureInfo.InvariantCulture);
}
