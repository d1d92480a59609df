using System.Text;
using System.Text.RegularExpressions;
using Reminders.Local.Sample;

namespace Reminders.EndToEnd.Tests;

/// <summary>The sample roster's personal data (badge, name, phone), and a scanner that finds any of it in a text.</summary>
static class RosterPii
{
    /// <param name="NationalNumber">The phone's 10 national digits.</param>
    public sealed record Entry(string Badge, string Name, string Phone, string NationalNumber);

    public static IReadOnlyList<Entry> Roster()
    {
        var lines = Encoding.UTF8.GetString(SampleFiles.Roster).TrimStart('\uFEFF').Split(["\r\n", "\n"], StringSplitOptions.RemoveEmptyEntries);
        return lines.Skip(1).Select(line => line.Split(';')).Select(f =>
        {
            var digits = new string(f[4].Where(char.IsAsciiDigit).ToArray());
            return new Entry(f[0].Trim(), f[1].Trim(), f[4].Trim(), digits[^10..]);
        }).ToList();
    }

    /// <summary>
    /// Every badge, name or phone of the roster in a text, also percent-encoded (request lines carry query strings):
    /// phones in any spelling (+52 55 0000 0713, (55) 0000-0713, 5500000713, 525500000713).
    /// </summary>
    public static Func<string, IReadOnlyList<string>> Scanner(IReadOnlyList<Entry> roster)
    {
        var words = new Regex(string.Join('|', roster.SelectMany(r => new[] { r.Badge, r.Name }).Distinct().Select(Regex.Escape)),
            RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
        var nationalNumbers = roster.Select(r => r.NationalNumber).ToHashSet();
        var digitRuns = new Regex(@"\+?\d[\d \-\.\(\)]{8,}\d");
        return raw =>
        {
            var text = raw.Contains('%') ? raw + "\n" + Unescape(raw.Replace('+', ' ')) : raw;
            var found = words.Matches(text).Select(m => m.Value).ToList();
            foreach (Match run in digitRuns.Matches(text))
            {
                var digits = new string(run.Value.Where(char.IsAsciiDigit).ToArray());
                for (var i = 0; i + 10 <= digits.Length; i++)
                    if (nationalNumbers.Contains(digits.Substring(i, 10))) found.Add(run.Value);
            }
            return found;
        };
    }

    static string Unescape(string text)
    {
        try { return Uri.UnescapeDataString(text); }
        catch (UriFormatException) { return text; }
    }
}
