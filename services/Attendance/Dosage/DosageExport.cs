using System.Data.Common;
using System.Globalization;
using System.Text;
using Reminders.Platform.Csv;
using Reminders.Platform.Data;

namespace Reminders.Attendance.Dosage;

/// <summary>Which rows an export reads: the default mix, the live ledger, the newest snapshot, or one version.</summary>
public abstract record DosageSelection
{
    /// <summary>Each officer's row from the first snapshot that froze them (their endline), live for the others.</summary>
    public sealed record Default : DosageSelection;
    public sealed record Live : DosageSelection;
    public sealed record Latest : DosageSelection;
    public sealed record Version(int Number) : DosageSelection;

    /// <summary>The <c>snapshot</c> query parameter: empty, <c>live</c>, <c>latest</c> or a version number; null when it is none of them.</summary>
    public static DosageSelection? Parse(string? value) => value?.Trim().ToLowerInvariant() switch
    {
        null or "" => new Default(),
        "live" => new Live(),
        "latest" => new Latest(),
        var n when int.TryParse(n, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number >= 1 => new Version(number),
        _ => null,
    };
}

/// <summary>Reads the rows of an export and writes dosage.csv from the codebook's columns.</summary>
public static class DosageExport
{
    /// <summary>The rows <paramref name="selection"/> names, ordered by officer id; null when it names a snapshot that does not exist.</summary>
    /// <param name="parallel">The database to read the live ledger from on several connections at once (PostgreSQL).</param>
    public static async Task<IReadOnlyList<DosageExportRow>?> ReadAsync(DbConnection connection, DosageSelection selection, CancellationToken ct,
        AttendanceDatabase? parallel = null)
    {
        int? version = selection switch
        {
            DosageSelection.Version v => await DosageSnapshots.FindAsync(connection, v.Number, ct) is null ? -1 : v.Number,
            DosageSelection.Latest => await DosageSnapshots.LatestVersionAsync(connection, ct) ?? -1,
            _ => null,
        };
        if (version == -1) return null;

        var postgres = parallel is { Dialect: SqlDialect.Postgres } ? parallel : null;
        var frozen = selection is DosageSelection.Live ? [] : await DosageSnapshots.ReadFrozenAsync(connection, version, ct, postgres);
        var rows = frozen.Select(f => new DosageExportRow(f.Row.Dose, new DosageSnapshotStamp(f.Row.Version, f.Row.FrozenAt), f.PostEndlineEvents)).ToList();
        if (version is null)
        {
            var frozenOfficers = rows.Select(r => r.Dose.OfficerId).ToHashSet();
            foreach (var live in await DosageLedger.ReadAsync(connection, null, null, ct, postgres))
                if (!frozenOfficers.Contains(live.OfficerId)) rows.Add(new DosageExportRow(live));
        }
        // The order PostgreSQL and SQLite give uuids (their text), whichever source a row came from.
        return rows.OrderBy(r => r.Dose.OfficerId.ToString(), StringComparer.Ordinal).ToList();
    }

    /// <summary>UTF-8 without a byte-order mark: a BOM would become part of the first column's name in Stata and R.</summary>
    public static readonly Encoding Utf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);

    /// <summary>Writes the header and one line per row, flushing as it goes, so a large export never sits whole in memory.</summary>
    public static async Task WriteCsvAsync(Stream output, IReadOnlyList<DosageColumn> columns, IEnumerable<DosageExportRow> rows, CancellationToken ct)
    {
        await using var writer = new StreamWriter(output, Utf8, bufferSize: 1 << 16, leaveOpen: true) { NewLine = "\r\n" };
        var line = new StringBuilder(4096);
        AppendLine(line, columns.Select(c => c.Name));
        var written = 0;
        foreach (var row in rows)
        {
            AppendLine(line, columns.Select(c => c.Value(row)));
            if (line.Length >= 1 << 16 || ++written % 500 == 0)
            {
                await writer.WriteAsync(line, ct);
                line.Clear();
            }
        }
        await writer.WriteAsync(line, ct);
        await writer.FlushAsync(ct);
    }

    static void AppendLine(StringBuilder line, IEnumerable<string?> fields)
    {
        var first = true;
        foreach (var field in fields)
        {
            if (!first) line.Append(',');
            line.Append(CsvText.Field(field));
            first = false;
        }
        line.Append("\r\n");
    }

    /// <summary>The whole file as text (tests, the demo).</summary>
    public static async Task<string> CsvAsync(IReadOnlyList<DosageColumn> columns, IEnumerable<DosageExportRow> rows)
    {
        using var buffer = new MemoryStream();
        await WriteCsvAsync(buffer, columns, rows, CancellationToken.None);
        return Utf8.GetString(buffer.ToArray());
    }
}
