using Microsoft.Extensions.Localization;
using Reminders.Web.Services.Training;

namespace Reminders.Web.Components.Pages.Training;

/// <summary>
/// Why the planner left a sector unplaced, in the person's language, from the Scheduler's reason code (its English
/// sentence is shown only for a code this console does not know yet).
/// </summary>
public static class PlanReasons
{
    public static string InWords(UnplacedSector sector, IStringLocalizer<TrainingWords> words) => sector.Code switch
    {
        "no_training_for_role" => words["Unplaced_no_training", sector.Role],
        "no_venue" => words["Unplaced_no_venue"],
        "no_trainer" => words["Unplaced_no_trainer"],
        "no_working_days" => words["Unplaced_no_working_days"],
        "venues_booked" => words[sector.Trainees == 1 ? "Unplaced_venues_booked_one" : "Unplaced_venues_booked", sector.Trainees.ToString("N0")],
        "trainers_booked" => words[sector.Trainees == 1 ? "Unplaced_trainers_booked_one" : "Unplaced_trainers_booked", sector.Trainees.ToString("N0")],
        _ => sector.Reason,
    };
}
