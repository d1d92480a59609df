using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Reminders.Contracts;

namespace Reminders.Enrollment.Randomization;

/// <summary>A sector as the randomization sees it: its code and its stratum values by column name.</summary>
public sealed record SectorForRandomization(string Code, IReadOnlyDictionary<string, string> Strata);

/// <summary>One sector's place in an allocation: its stratum key (<c>column=value;column=value</c>) and its arm.</summary>
public sealed record SectorAllocation(string Code, string Stratum, string Arm);

/// <summary>What a seed gives for a sector list: everything needed to re-derive and to check it.</summary>
public sealed record Allocation(
    string AlgorithmVersion, long Seed, IReadOnlyList<string> StrataColumns, double TreatedShare,
    string SectorListHash, int TreatedCount, IReadOnlyList<SectorAllocation> Sectors);

/// <summary>An input the randomization cannot work with; <see cref="Field"/> names the request field to fix.</summary>
public sealed class RandomizationInputException(string field, string message) : Exception(message)
{
    public string Field { get; } = field;
}

/// <summary>
/// Cluster randomization of sectors, stratified, reproducible in any language from the README's description
/// (section "Randomization algorithm"; its Python reference is run against this code by the tests):
/// <list type="number">
/// <item>key(sector) = the first 8 bytes (big-endian unsigned) of SHA-256 over the UTF-8 of <c>"{seed}:{code}"</c>;</item>
/// <item>in each stratum, sectors in key order (ties by code) — the first floor(n × share) are treated;</item>
/// <item>a stratum where n × share is not whole has one "misfit", the sector right after those;</item>
/// <item>misfits in the order of SHA-256 over <c>"{seed}:misfit:{code}"</c>; the first T − Σ floor are treated,
/// where T = floor(N × share + 0.5).</item>
/// </list>
/// Every stratum is then within one sector of n × share and the total is exactly T. O(N log N); no System.Random.
/// </summary>
public static class StratifiedRandomizer
{
    public const string AlgorithmVersion = "stratified-sha256-v1";

    public static Allocation Allocate(IReadOnlyList<SectorForRandomization> sectors, long seed, IReadOnlyList<string> strataColumns, double treatedShare)
    {
        Validate(sectors, strataColumns, treatedShare);
        var total = TreatedCount(sectors.Count, treatedShare);
        var seedText = seed.ToString(CultureInfo.InvariantCulture);
        var items = new Item[sectors.Count];
        for (var i = 0; i < items.Length; i++)
        {
            var code = sectors[i].Code;
            items[i] = new Item(i, code, Encoding.UTF8.GetBytes(code), StratumKey(sectors[i], strataColumns), Key($"{seedText}:{code}"));
        }

        var treated = new bool[items.Length];
        var misfits = new List<Item>();
        var floors = 0;
        foreach (var stratum in items.GroupBy(item => item.Stratum, StringComparer.Ordinal))
        {
            var ordered = stratum.ToArray();
            Array.Sort(ordered, ByKeyThenCode);
            var exact = ordered.Length * treatedShare;
            var floor = (int)Math.Floor(exact);
            floors += floor;
            for (var i = 0; i < floor; i++) treated[ordered[i].Index] = true;
            if (exact > floor) misfits.Add(ordered[floor] with { Key = Key($"{seedText}:misfit:{ordered[floor].Code}") });
        }
        var extra = total - floors;
        if (extra < 0 || extra > misfits.Count)
            throw new InvalidOperationException($"{extra} misfits to treat of {misfits.Count}: the arithmetic above guarantees 0..{misfits.Count}.");
        misfits.Sort(ByKeyThenCode);
        foreach (var misfit in misfits.Take(extra)) treated[misfit.Index] = true;

        var allocation = items
            .Select((item, i) => (item, arm: treated[i] ? StudyArms.Treatment : StudyArms.Control))
            .OrderBy(a => a.item.CodeUtf8, Utf8Order.Instance)
            .Select(a => new SectorAllocation(a.item.Code, a.item.Stratum, a.arm))
            .ToList();
        return new Allocation(AlgorithmVersion, seed, strataColumns.ToList(), treatedShare, SectorListHash(items), total, allocation);
    }

    /// <summary>T = floor(N × share + 0.5): the exact number of treated sectors (30 of 60 at one half, 20 of 60 at one third).</summary>
    public static int TreatedCount(int sectorCount, double treatedShare) => (int)Math.Floor(sectorCount * treatedShare + 0.5);

    /// <summary><c>column=value</c> for each stratum column in the order given, joined by <c>;</c>; no columns: the empty string.</summary>
    public static string StratumKey(SectorForRandomization sector, IReadOnlyList<string> strataColumns) =>
        string.Join(';', strataColumns.Select(c => $"{c}={sector.Strata[c]}"));

    /// <summary>Lowercase hex SHA-256 over the lines <c>"{code}\t{stratum}\n"</c> sorted by their UTF-8 bytes.</summary>
    public static string SectorListHash(IEnumerable<(string Code, string Stratum)> sectors)
    {
        var lines = sectors.Select(s => Encoding.UTF8.GetBytes($"{s.Code}\t{s.Stratum}\n")).ToArray();
        Array.Sort(lines, Utf8Order.Instance);
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var line in lines) sha.AppendData(line);
        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }

    /// <summary>
    /// Lowercase hex SHA-256 over the lines <c>"{code}\t{stratum}\t{arm}\n"</c> sorted by their UTF-8 bytes: two runs
    /// that gave the same allocation show the same hash.
    /// </summary>
    public static string AllocationHash(IEnumerable<(string Code, string Stratum, string Arm)> sectors) =>
        SectorListHash(sectors.Select(s => (s.Code, $"{s.Stratum}\t{s.Arm}")));

    static string SectorListHash(Item[] items) => SectorListHash(items.Select(i => (i.Code, i.Stratum)));

    static void Validate(IReadOnlyList<SectorForRandomization> sectors, IReadOnlyList<string> strataColumns, double treatedShare)
    {
        if (!double.IsFinite(treatedShare) || treatedShare <= 0 || treatedShare >= 1)
            throw new RandomizationInputException("treatedShare", $"The treated share must be strictly between 0 and 1; it is {treatedShare.ToString(CultureInfo.InvariantCulture)}.");
        if (strataColumns.Any(string.IsNullOrWhiteSpace))
            throw new RandomizationInputException("strata", "A stratum column name is empty.");
        if (strataColumns.FirstOrDefault(c => c.Contains('=') || c.Contains(';')) is { } badColumn)
            throw new RandomizationInputException("strata", $"A stratum column name cannot contain '=' or ';': '{badColumn}'.");
        var repeated = strataColumns.GroupBy(c => c, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (repeated is not null)
            throw new RandomizationInputException("strata", $"The stratum column '{repeated.Key}' is given twice.");
        if (sectors.Count < 2)
            throw new RandomizationInputException("sectors", $"At least two sectors are needed to randomize; there {(sectors.Count == 1 ? "is one" : "are none")}.");
        var duplicate = sectors.GroupBy(s => s.Code, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
            throw new RandomizationInputException("sectors", $"The sector code '{duplicate.Key}' appears twice.");
        foreach (var column in strataColumns)
        {
            var missing = sectors.Where(s => !s.Strata.ContainsKey(column)).Select(s => s.Code).ToList();
            if (missing.Count == sectors.Count)
            {
                var known = sectors.SelectMany(s => s.Strata.Keys).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
                throw new RandomizationInputException("strata",
                    $"Unknown stratum column '{column}'; the sectors have {(known.Count == 0 ? "no stratum columns" : string.Join(", ", known.Select(k => $"'{k}'")))}.");
            }
            if (missing.Count > 0)
                throw new RandomizationInputException("strata",
                    $"{missing.Count} sector(s) have no value for the stratum column '{column}': {string.Join(", ", missing.Order(StringComparer.Ordinal).Take(10))}.");
            // ';' separates the columns of a stratum key: a value holding one could make two strata look like one.
            if (sectors.FirstOrDefault(s => s.Strata[column].Contains(';')) is { } ambiguous)
                throw new RandomizationInputException("strata",
                    $"Sector {ambiguous.Code} has a value with ';' in the stratum column '{column}' ('{ambiguous.Strata[column]}'); rename the value.");
        }
        var treated = TreatedCount(sectors.Count, treatedShare);
        if (treated == 0 || treated == sectors.Count)
            throw new RandomizationInputException("treatedShare",
                $"A treated share of {treatedShare.ToString(CultureInfo.InvariantCulture)} of {sectors.Count} sectors leaves an arm empty ({treated} treated).");
    }

    /// <summary>The first 8 bytes of SHA-256 over the UTF-8 of <paramref name="text"/>, read as a big-endian unsigned integer.</summary>
    public static ulong Key(string text)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(text), hash);
        return BinaryPrimitives.ReadUInt64BigEndian(hash);
    }

    static readonly Comparison<Item> ByKeyThenCode = (a, b) =>
    {
        var byKey = a.Key.CompareTo(b.Key);
        return byKey != 0 ? byKey : a.CodeUtf8.AsSpan().SequenceCompareTo(b.CodeUtf8);
    };

    sealed record Item(int Index, string Code, byte[] CodeUtf8, string Stratum, ulong Key);
}

/// <summary>Byte order of UTF-8: the order of Unicode code points, as Python and R (method "radix") sort text.</summary>
sealed class Utf8Order : IComparer<byte[]>
{
    public static readonly Utf8Order Instance = new();
    public int Compare(byte[]? x, byte[]? y) => x.AsSpan().SequenceCompareTo(y);
}
