namespace Reminders.Local.Sample;

/// <summary>The committed synthetic sample (services/Local/Sample/*.csv), embedded so the demo finds it from any folder.</summary>
public static class SampleFiles
{
    public static byte[] Sectors => Read("Sample.sectors.csv");
    public static byte[] Roster => Read("Sample.roster.csv");

    static byte[] Read(string name)
    {
        using var stream = typeof(SampleFiles).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"The sample file {name} is not embedded; run the 'sample' command and rebuild.");
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return buffer.ToArray();
    }
}
