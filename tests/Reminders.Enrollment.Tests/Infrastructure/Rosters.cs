namespace Reminders.Enrollment.Tests.Infrastructure;

/// <summary>Roster CSV text as a spreadsheet would export it.</summary>
public static class Rosters
{
    public const string Header = "badge,name,role,sector,phone,consent";

    public static string Csv(params string[] rows) => string.Join("\n", [Header, .. rows]) + "\n";

    /// <summary>Three officers in two sectors.</summary>
    public static string Good => Csv(
        "B-001,Ana López,officer,S01,55 1234 5678,yes",
        "B-002,Juan Pérez,officer,S01,55 2345 6789,yes",
        "B-003,María García,commander,S02,55 3456 7890,no");

    public static readonly string[] GoodNames = ["Ana López", "Juan Pérez", "María García"];
    public static readonly string[] GoodPhones = ["5512345678", "5523456789", "5534567890"];
}
