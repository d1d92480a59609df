namespace Reminders.Enrollment.Tests.Infrastructure;

/// <summary>Sector lists and roster CSV text as a spreadsheet would export them.</summary>
public static class Rosters
{
    /// <summary>Four sectors in two zones; rosters may refer only to loaded sectors.</summary>
    public const string Sectors = """
        code,name,zone
        S01,Sector Uno,A
        S02,Sector Dos,B
        S03,Sector Tres,A
        S04,Sector Cuatro,B

        """;

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
