using System.Globalization;
using System.Text;
using Reminders.Contracts;
using Reminders.Platform.Csv;

namespace Reminders.Enrollment.Randomization;

/// <summary>One sector of an allocation with the officers and commanders it had when it was randomized (pseudonymous: no names).</summary>
public sealed record AllocatedSector(Guid SectorId, string SectorCode, string Stratum, string Arm, int Officers, int Commanders);

/// <summary>One arm in one stratum (<see cref="Stratum"/> null: the arm over all strata). Mean sector size = (officers + commanders) / sectors.</summary>
public sealed record BalanceRow(string Arm, string? Stratum, int Sectors, int Officers, int Commanders, double? MeanSectorSize);

public sealed record BalanceTable(IReadOnlyList<BalanceRow> Strata, IReadOnlyList<BalanceRow> Arms);

/// <summary>The balance table and the CSV exports of an allocation (RFC 4180, UTF-8, CRLF, invariant culture).</summary>
public static class RandomizationBalance
{
    static readonly string[] Arms = [StudyArms.Treatment, StudyArms.Control];

    /// <summary>Every stratum × arm, also where an arm got no sector of a stratum (mean size then null).</summary>
    public static BalanceTable Compute(IReadOnlyList<AllocatedSector> sectors)
    {
        var strata = sectors.Select(s => s.Stratum).Distinct().OrderBy(s => Encoding.UTF8.GetBytes(s), Utf8Order.Instance).ToList();
        var rows = strata.SelectMany(stratum => Arms.Select(arm => Row(arm, stratum, sectors.Where(s => s.Stratum == stratum && s.Arm == arm)))).ToList();
        var totals = Arms.Select(arm => Row(arm, null, sectors.Where(s => s.Arm == arm))).ToList();
        return new BalanceTable(rows, totals);
    }

    static BalanceRow Row(string arm, string? stratum, IEnumerable<AllocatedSector> sectors)
    {
        int count = 0, officers = 0, commanders = 0;
        foreach (var s in sectors) { count++; officers += s.Officers; commanders += s.Commanders; }
        return new BalanceRow(arm, stratum, count, officers, commanders, count == 0 ? null : Math.Round((officers + commanders) / (double)count, 2));
    }

    /// <summary><c>sector_code,stratum,arm</c>, by sector code: nothing that differs between two runs of the same list and seed.</summary>
    public static string AllocationCsv(IEnumerable<(string Code, string Stratum, string Arm)> sectors)
    {
        var csv = new StringBuilder(CsvText.Line(["sector_code", "stratum", "arm"]));
        foreach (var (code, stratum, arm) in sectors.OrderBy(s => Encoding.UTF8.GetBytes(s.Code), Utf8Order.Instance))
            csv.Append(CsvText.Line([code, stratum, arm]));
        return csv.ToString();
    }

    public static string BalanceCsv(BalanceTable table)
    {
        var csv = new StringBuilder(CsvText.Line(["arm", "stratum", "sectors", "officers", "commanders", "mean_sector_size"]));
        foreach (var row in table.Strata)
            csv.Append(CsvText.Line([row.Arm, row.Stratum, Number(row.Sectors), Number(row.Officers), Number(row.Commanders),
                row.MeanSectorSize?.ToString("0.00", CultureInfo.InvariantCulture)]));
        return csv.ToString();
    }

    static string Number(int value) => value.ToString(CultureInfo.InvariantCulture);
}
