using System.Globalization;
using System.Text.Json;
using CsvHelper;
using CsvHelper.Configuration;
using Reminders.Enrollment.Roster;
using Reminders.Local.Sample;
using Reminders.Messaging.Audit;
using Reminders.Platform.Csv;

namespace Reminders.Local.Demo;

/// <summary>
/// The demo's closing lines: per arm × role the officers, mean training minutes attended, mean reminders delivered and
/// acknowledged (from the exported arm summary); the SMS that reached a control officer's phone, counted from the
/// provider's own log against allocation.csv and the sample roster (not from anything the services say); the audit's
/// verdict. The study passes when the audit is clean and no control phone got an SMS.
/// </summary>
static class StudySummary
{
    public static bool Print(string outDir, AuditReport audit, TextWriter console)
    {
        using var arms = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "summary-arms.json")));
        console.WriteLine("Study summary at endline (dosage.csv, both arms):");
        console.WriteLine($"  {"arm",-9}  {"role",-9}  {"officers",8}  {"training min",12}  {"reminders delivered",19}  {"acknowledged",12}");
        foreach (var group in arms.RootElement.EnumerateArray())
            console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {group.GetProperty("arm").GetString(),-9}  {group.GetProperty("role").GetString(),-9}  {group.GetProperty("officers").GetInt32(),8}  " +
                $"{group.GetProperty("meanTrainingMinutesAttended").GetDouble(),12:F1}  {group.GetProperty("meanRemindersDelivered").GetDouble(),19:F2}  " +
                $"{group.GetProperty("meanRemindersAcknowledged").GetDouble(),12:F2}"));

        var (toControl, messages, offRoster) = CountControlSms(outDir);
        console.WriteLine($"SMS to control officers: {toControl} (of {messages:N0} messages in the provider's log, each number's sector at randomization from the " +
                          $"sample roster, or the re-imported one for the late enrollee, and its arm from allocation.csv{(offRoster > 0 ? $"; {offRoster} to numbers not on the roster" : "")}).");
        var (p, m, l) = (audit.Sources.Provider, audit.Sources.Messaging, audit.Sources.Ledger);
        console.WriteLine(audit.Clean
            ? $"Audit: clean ({p.Records:N0} provider messages, {m.Records:N0} SMS in Messaging and {l.Records:N0} ledger rows agree)."
            : $"Audit: {audit.Differences.Count} differences: {string.Join(", ", audit.DifferencesByKind.Select(k => $"{k.Key} {k.Value}"))}.");
        return audit.Clean && toControl == 0;
    }

    /// <summary>
    /// Messages in simulator-log.csv to a phone of a control sector; all messages; messages to a number not on the roster. Each
    /// phone's sector is the one it had at randomization (the sample roster's), or for an officer enrolled later, the sector
    /// the re-imported roster enrolled them in: the arm of randomization, whatever transfers came after.
    /// </summary>
    static (int ToControl, int Messages, int OffRoster) CountControlSms(string outDir)
    {
        var roster = RosterParser.Parse(CsvText.Decode(SampleFiles.Roster).Text).Rows.ToList();
        var badges = roster.Select(r => r.Badge).ToHashSet();
        foreach (var update in DemoCommand.RosterUpdates.Select(f => Path.Combine(outDir, f)).Where(File.Exists))
            foreach (var row in RosterParser.Parse(CsvText.Decode(File.ReadAllBytes(update)).Text).Rows.Where(r => badges.Add(r.Badge)))
                roster.Add(row);
        var sectorByPhone = roster.GroupBy(r => r.PhoneE164).ToDictionary(g => g.Key, g => g.First().SectorCode);
        var armBySector = ReadCsv(Path.Combine(outDir, "allocation.csv")).ToDictionary(r => r["sector_code"], r => r["arm"]);
        int toControl = 0, messages = 0, offRoster = 0;
        foreach (var message in ReadCsv(Path.Combine(outDir, "simulator-log.csv")))
        {
            messages++;
            if (!sectorByPhone.TryGetValue(message["to"], out var sector)) offRoster++;
            else if (armBySector.GetValueOrDefault(sector) == "control") toControl++;
        }
        return (toControl, messages, offRoster);
    }

    /// <summary>A CSV file with a header row, each row as column → value.</summary>
    internal static List<Dictionary<string, string>> ReadCsv(string path) => ReadCsv(new StreamReader(path));

    /// <summary>CSV text with a header row, each row as column → value.</summary>
    internal static List<Dictionary<string, string>> ParseCsv(string text) => ReadCsv(new StringReader(text));

    static List<Dictionary<string, string>> ReadCsv(TextReader reader)
    {
        using var csv = new CsvReader(reader, new CsvConfiguration(CultureInfo.InvariantCulture));
        csv.Read();
        csv.ReadHeader();
        var header = csv.HeaderRecord!;
        var rows = new List<Dictionary<string, string>>();
        while (csv.Read()) rows.Add(header.ToDictionary(h => h, h => csv.GetField(h) ?? ""));
        return rows;
    }
}
