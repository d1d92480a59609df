using Microsoft.Extensions.Localization;
using Reminders.Web.Services;

namespace Reminders.Web.Components.Shared;

/// <summary>
/// A service's refusal in the reader's words: a code for what happened (the service's own <c>code</c> when it sends one,
/// else read from the status, title, field and detail the services use today), then a sentence that says what to do next
/// (<c>Words.Refusal_*</c>). The service's English detail stays beside it as the technical detail, never the main sentence in Spanish.
/// </summary>
public static class Refusals
{
    // Attendance's, Enrollment's and the Scheduler's conflict titles, as their APIs write them.
    static readonly Dictionary<string, string> ConflictTitles = new(StringComparer.OrdinalIgnoreCase)
    {
        ["Training not over"] = "training_not_over",
        ["Already closed"] = "already_closed",
        ["Not closed"] = "not_closed",
        ["Reopening window over"] = "reopen_window_over",
        ["Attendance closed"] = "attendance_closed",
        ["Already corrected"] = "already_corrected",
        ["Session not started"] = "session_not_started",
        ["Session cancelled"] = "session_cancelled",
        ["Already randomized"] = "already_randomized",
        ["Not the registered seed"] = "not_the_registered_seed",
        ["Concurrent roster import"] = "concurrent_import",
        ["Venue exists"] = "venue_exists",
        ["Trainer exists"] = "trainer_exists",
    };

    // The Scheduler's planning refusals share one title ("Refused"): what differs is the detail.
    static readonly (string Marker, string Code)[] PlanningDetails =
    [
        ("still to come", "moved_into_the_past"),
        ("already started", "already_started"),
        ("already cancelled", "already_cancelled"),
        ("is cancelled", "cohort_cancelled"),
        ("already has a session", "resource_busy"),
        ("is full", "venue_full"),
        (" holds ", "venue_too_small"),
        ("already in this cohort", "already_member"),
        ("only officers randomized to treatment", "not_treatment"),
        ("must stay after", "day_order"),
        ("must stay before", "day_order"),
        ("no session still to come", "nothing_to_come"),
        ("no sessions left", "nothing_to_come"),
        ("is not a working day", "not_a_working_day"),
        ("after midnight", "ends_after_midnight"),
    ];

    /// <summary>What happened, as a code: unreachable, unauthenticated, forbidden, not_found_cohort, invalid_reason, moved_into_the_past...</summary>
    public static string Code(ApiProblem problem)
    {
        if (!string.IsNullOrEmpty(problem.Code)) return problem.Code;
        var detail = problem.Detail ?? "";
        string? Planning() => PlanningDetails.FirstOrDefault(p => detail.Contains(p.Marker, StringComparison.OrdinalIgnoreCase)).Code;
        return problem.Status switch
        {
            0 => "unreachable",
            401 => "unauthenticated",
            403 => "forbidden",
            404 => "not_found_" + Kind(problem),
            409 => ConflictTitles.GetValueOrDefault(problem.Title ?? "") ?? Planning() ?? "conflict",
            400 or 422 => Planning() ?? (string.IsNullOrEmpty(problem.Field) ? "invalid" : "invalid_" + problem.Field),
            _ => "other",
        };
    }

    /// <summary>The sentence to show first: the console's own words as they are, else the code's, else the kind's (invalid, not found...).</summary>
    public static string Sentence(ApiProblem problem, IStringLocalizer<Words> words)
    {
        if (problem.Title is null && !string.IsNullOrEmpty(problem.Detail)) return problem.Detail;
        var code = Code(problem);
        if (words["Refusal_" + code] is { ResourceNotFound: false } exact) return exact.Value;
        return code switch
        {
            "unreachable" => words["Refusal_unreachable_service", ServiceName(problem.Service, words)],
            _ when code.StartsWith("invalid_", StringComparison.Ordinal) => words["Refusal_invalid_field", FieldName(problem.Field!, words)],
            _ when code.StartsWith("not_found_", StringComparison.Ordinal) => words["Refusal_not_found"],
            _ when problem.Status == 409 => words["Refusal_conflict"],
            _ => words["Refusal_other"],
        };
    }

    /// <summary>"la placa" for badge; a field the console has no word for, as the service named it.</summary>
    public static string FieldName(string field, IStringLocalizer<Words> words) =>
        words["Field_" + field] is { ResourceNotFound: false } name ? name.Value : field;

    static string ServiceName(string? service, IStringLocalizer<Words> words) =>
        words["Service_" + (service ?? "")] is { ResourceNotFound: false } name ? name.Value : words["Service_unknown"];

    /// <summary>cohort for a cohortId field or an "Unknown cohort" title; "" when neither says.</summary>
    static string Kind(ApiProblem problem)
    {
        if (problem.Field is { Length: > 2 } field && field.EndsWith("Id", StringComparison.Ordinal)) return field[..^2].ToLowerInvariant();
        foreach (var prefix in (string[])["Unknown ", "No such "])
            if (problem.Title?.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) == true) return problem.Title[prefix.Length..].Trim().Replace(' ', '_').ToLowerInvariant();
        return "";
    }
}
