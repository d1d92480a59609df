using System.Text;

namespace Reminders.Local.Sample;

/// <summary>
/// <c>sample [--out DIR] [--sectors N] [--people N] [--seed N]</c>: writes sectors.csv and roster.csv. The
/// committed sample in services/Local/Sample was made with the defaults (60 sectors, 2,240 people, seed 2240).
/// </summary>
public static class SampleCommand
{
    public static async Task<int> RunAsync(string[] args)
    {
        var outDir = Option(args, "--out") ?? Path.Combine("services", "Local", "Sample");
        var files = SyntheticSample.Generate(
            int.Parse(Option(args, "--sectors") ?? SyntheticSample.StudySectors.ToString()),
            int.Parse(Option(args, "--people") ?? SyntheticSample.StudyOfficers.ToString()),
            int.Parse(Option(args, "--seed") ?? SyntheticSample.DefaultSeed.ToString()));
        Directory.CreateDirectory(outDir);
        var utf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);
        await File.WriteAllTextAsync(Path.Combine(outDir, "sectors.csv"), files.SectorsCsv, utf8);
        await File.WriteAllTextAsync(Path.Combine(outDir, "roster.csv"), files.RosterCsv, utf8);
        Console.WriteLine($"{files.Sectors} sectors, {files.Officers} officers and {files.Commanders} commanders written to {outDir}");
        return 0;
    }

    public static string? Option(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }
}
