using Reminders.Platform.Csv;

namespace Reminders.Enrollment.Officers;

/// <summary>Search over badge and name that ignores case, accents and spaces, with % and _ taken literally.</summary>
public static class OfficerSearch
{
    public static string Text(string badge, string name) => CsvText.NormalizeHeader(badge) + " " + CsvText.NormalizeHeader(name);

    public static string Pattern(string? search) =>
        "%" + CsvText.NormalizeHeader(search ?? "").Replace("\\", "\\\\").Replace("%", "\\%").Replace("_", "\\_") + "%";
}
