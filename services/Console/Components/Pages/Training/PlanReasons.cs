using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Localization;

namespace Reminders.Web.Components.Pages.Training;

/// <summary>
/// Why the planner left a sector unplaced, in the person's language. The Scheduler answers in English sentences; the known
/// ones are put in words here (with their numbers and dates), and any other is shown as the Scheduler wrote it.
/// </summary>
public static partial class PlanReasons
{
    public static string InWords(string reason, IStringLocalizer<TrainingWords> words)
    {
        if (NoTrainingForRole().Match(reason) is { Success: true } role)
            return words["Unplaced_no_training", role.Groups[1].Value];
        if (reason.StartsWith("No venue is available", StringComparison.Ordinal)) return words["Unplaced_no_venue"];
        if (reason.StartsWith("No trainer is available", StringComparison.Ordinal)) return words["Unplaced_no_trainer"];
        if (NoConsecutiveDays().Match(reason) is { Success: true } window)
            return words["Unplaced_window_too_short", Day(window.Groups[1].Value), Day(window.Groups[2].Value), window.Groups[3].Value];
        if (NothingFree().Match(reason) is { Success: true } busy)
            return words["Unplaced_nothing_free", busy.Groups[1].Value, busy.Groups[2].Value, busy.Groups[3].Value, busy.Groups[4].Value];
        return reason;
    }

    static string Day(string iso) =>
        DateOnly.TryParseExact(iso, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d)
            ? d.ToString("d", CultureInfo.CurrentCulture) : iso;

    [GeneratedRegex(@"^The protocol has no training for role (\S+)\.")]
    private static partial Regex NoTrainingForRole();

    [GeneratedRegex(@"^The window (\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2}) has no (\d+) consecutive working days")]
    private static partial Regex NoConsecutiveDays();

    [GeneratedRegex(@"^No venue for (\d+) people and trainer free on (\d+) consecutive working days in the window \(cohort (\d+) of (\d+)\)")]
    private static partial Regex NothingFree();
}
