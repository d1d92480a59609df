using System.Globalization;
using System.Text.Json;
using CsvHelper;
using CsvHelper.Configuration;
using Reminders.Contracts;
using Reminders.Enrollment.Roster;
using Reminders.Platform.Csv;
using Reminders.Platform.Data;

namespace Reminders.Enrollment.Sectors;

/// <summary>One sector to load; <see cref="TimeZone"/> is an IANA id (null or empty: the protocol's zone).</summary>
public sealed record SectorInput(string Code, string Name, IReadOnlyDictionary<string, string> Strata, int Line = 0, string? TimeZone = null);

public sealed record SectorImportReport
{
    public string Mode { get; init; } = "";
    public int Rows { get; init; }
    public int Created { get; init; }
    public int Updated { get; init; }
    public int Unchanged { get; init; }
    public IReadOnlyList<RosterError> Rejected { get; init; } = [];
    public bool Written { get; init; }
}

/// <summary>
/// Loads sectors (code, name and any number of named stratum columns) from a CSV or JSON, all or nothing.
/// Re-loading updates names and strata until the sectors are randomized; after that strata are frozen and
/// no sector can join the allocation.
/// </summary>
public sealed class SectorImporter(EnrollmentDatabase database, TimeProvider clock)
{
    public const int MaxStratumLength = 100;
    static readonly string[] CodeHeaders = ["code", "codigo", "clave", "sector"];
    static readonly string[] NameHeaders = ["name", "nombre"];
    static readonly string[] TimeZoneHeaders = ["timezone", "zonahoraria", "husohorario"];

    /// <summary>Sectors from a CSV: a code column, a name column, every other column a stratum.</summary>
    public static (List<SectorInput> Sectors, List<RosterError> Errors) ParseCsv(byte[] file)
    {
        var (text, _) = CsvText.Decode(file);
        var sectors = new List<SectorInput>();
        var errors = new List<RosterError>();
        var config = new CsvConfiguration(CultureInfo.InvariantCulture)
        {
            Delimiter = CsvText.DetectDelimiter(text).ToString(), IgnoreBlankLines = true, BadDataFound = null, MissingFieldFound = null,
        };
        using var csv = new CsvReader(new StringReader(text), config);
        if (!csv.Read() || !csv.ReadHeader() || csv.HeaderRecord is not { Length: > 0 } header)
            return ([], [new RosterError(1, "", "", "The file is empty: a header row is required.")]);
        var normalized = header.Select(CsvText.NormalizeHeader).ToArray();
        var codeIndex = Array.FindIndex(normalized, h => CodeHeaders.Contains(h));
        var nameIndex = Array.FindIndex(normalized, h => NameHeaders.Contains(h));
        var zoneIndex = Array.FindIndex(normalized, h => TimeZoneHeaders.Contains(h));
        if (codeIndex < 0) errors.Add(new RosterError(1, "code", "", "Missing column 'code' (or codigo, clave, sector)."));
        if (nameIndex < 0) errors.Add(new RosterError(1, "name", "", "Missing column 'name' (or nombre)."));
        // Two columns with one name (ignoring case, accents and spacing) would be two strata nobody can tell apart.
        foreach (var twice in Enumerable.Range(0, header.Length).Where(i => normalized[i].Length > 0 && Array.IndexOf(normalized, normalized[i]) < i))
            errors.Add(new RosterError(1, header[twice].Trim(), header[twice].Trim(), $"Column '{header[twice].Trim()}' appears twice in the header."));
        if (errors.Count > 0) return ([], errors);
        var strata = Enumerable.Range(0, header.Length).Where(i => i != codeIndex && i != nameIndex && i != zoneIndex && normalized[i].Length > 0).ToList();
        while (csv.Read())
        {
            var raw = csv.Parser.Record ?? [];
            if (raw.All(string.IsNullOrWhiteSpace)) continue;
            string Cell(int i) => i < raw.Length ? raw[i].Trim() : "";
            sectors.Add(new SectorInput(Cell(codeIndex), Cell(nameIndex),
                strata.ToDictionary(i => header[i].Trim(), Cell), csv.Parser.RawRow, zoneIndex < 0 ? null : Cell(zoneIndex)));
        }
        return (sectors, errors);
    }

    public async Task<SectorImportReport> ImportAsync(IReadOnlyList<SectorInput> input, bool apply, CancellationToken ct)
    {
        var rejected = Validate(input);
        var now = clock.GetUtcNow();
        await using var work = await database.BeginAsync(ct);
        await work.LockAsync("sector-import", ct);
        var existing = (await work.QueryAsync<SectorRow>("SELECT id, code, name, strata, arm, time_zone FROM sectors", ct: ct))
            .ToDictionary(s => s.Code, StringComparer.OrdinalIgnoreCase);
        var randomized = existing.Values.Any(s => s.Arm is not null);
        int created = 0, updated = 0, unchanged = 0;
        var writes = new List<Func<Task>>();
        foreach (var sector in input.Where(s => rejected.All(r => r.Line != s.Line)))
        {
            var strata = JsonSerializer.Serialize(sector.Strata.OrderBy(p => p.Key, StringComparer.Ordinal).ToDictionary());
            var zone = string.IsNullOrWhiteSpace(sector.TimeZone) ? null : sector.TimeZone.Trim();
            if (!existing.TryGetValue(sector.Code, out var current))
            {
                if (randomized)
                {
                    rejected.Add(new RosterError(sector.Line, "code", sector.Code, "The sectors are randomized: a new sector cannot join the allocation."));
                    continue;
                }
                created++;
                var id = Guid.CreateVersion7();
                writes.Add(async () =>
                {
                    await work.ExecuteAsync("INSERT INTO sectors (id, code, name, strata, time_zone, created_at, updated_at) VALUES (@id, @Code, @Name, @strata, @zone, @now, @now)",
                        new { id, sector.Code, sector.Name, strata, zone, now }, ct);
                    work.Publish(new SectorRegistered(id, sector.Code, sector.Name, now, zone));
                });
                continue;
            }
            var strataChanged = current.Strata != strata;
            if (strataChanged && current.Arm is not null)
            {
                rejected.Add(new RosterError(sector.Line, "strata", strata, "The sector is randomized: its strata are frozen."));
                continue;
            }
            if (!strataChanged && current.Name == sector.Name && current.TimeZone == zone) { unchanged++; continue; }
            updated++;
            writes.Add(async () =>
            {
                await work.ExecuteAsync("UPDATE sectors SET name = @Name, strata = @strata, time_zone = @zone, updated_at = @now WHERE id = @Id",
                    new { current.Id, sector.Name, strata, zone, now }, ct);
                // The others keep the sector's name and zone: a later registration replaces the earlier one.
                work.Publish(new SectorRegistered(current.Id, current.Code, sector.Name, now, zone));
            });
        }
        var write = apply && rejected.Count == 0;
        if (write)
        {
            foreach (var step in writes) await step();
            await work.CommitAsync(ct);
        }
        return new SectorImportReport
        {
            Mode = apply ? "apply" : "dry-run", Rows = input.Count, Created = created, Updated = updated, Unchanged = unchanged,
            Rejected = rejected.OrderBy(r => r.Line).ToList(), Written = write,
        };
    }

    static List<RosterError> Validate(IReadOnlyList<SectorInput> input)
    {
        var errors = new List<RosterError>();
        var seen = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        foreach (var s in input)
        {
            if (string.IsNullOrWhiteSpace(s.Code)) errors.Add(new RosterError(s.Line, "code", s.Code, "Code is required."));
            else if (s.Code.Length > RosterParser.MaxCodeLength || s.Code.Any(char.IsControl))
                errors.Add(new RosterError(s.Line, "code", s.Code, $"A code has at most {RosterParser.MaxCodeLength} characters and no control characters."));
            else if (!seen.TryAdd(s.Code, s.Line))
                errors.Add(new RosterError(s.Line, "code", s.Code, $"Sector {s.Code} appears twice (also on line {seen[s.Code]})."));
            if (string.IsNullOrWhiteSpace(s.Name)) errors.Add(new RosterError(s.Line, "name", s.Name, "Name is required."));
            else if (s.Name.Length > RosterParser.MaxNameLength || s.Name.Any(char.IsControl))
                errors.Add(new RosterError(s.Line, "name", s.Name, $"A name has at most {RosterParser.MaxNameLength} characters and no control characters."));
            if (!string.IsNullOrWhiteSpace(s.TimeZone) && !TimeZoneInfo.TryFindSystemTimeZoneById(s.TimeZone.Trim(), out _))
                errors.Add(new RosterError(s.Line, "timeZone", s.TimeZone, "Not a time zone name: use an IANA name such as America/Mexico_City or America/Tijuana, or leave it empty for the protocol's."));
            foreach (var (column, value) in s.Strata)
                if (value.Length > MaxStratumLength || value.Any(char.IsControl) || column.Length > MaxStratumLength)
                    errors.Add(new RosterError(s.Line, column, value, $"A stratum value has at most {MaxStratumLength} characters and no control characters."));
        }
        return errors;
    }

    sealed record SectorRow
    {
        public Guid Id { get; init; }
        public string Code { get; init; } = "";
        public string Name { get; init; } = "";
        public string Strata { get; init; } = "{}";
        public string? Arm { get; init; }
        public string? TimeZone { get; init; }
    }
}
