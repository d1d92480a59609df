using System.Text;
using Reminders.Platform.Csv;

namespace Reminders.Local.Sample;

/// <summary>
/// A synthetic study shaped like the real one: sectors of Mexico City's 16 alcaldías in five zones and three
/// size bands, officers and commanders with Spanish names, and mobile numbers in the +52 55 0 block, which no
/// real phone uses (no Mexican subscriber number starts with 0; libphonenumber still accepts them). The same
/// arguments always give the same files.
/// </summary>
public static class SyntheticSample
{
    public const int StudySectors = 60;
    public const int StudyOfficers = 2240;
    public const int DefaultSeed = 2240;

    /// <summary>
    /// The one sector whose officers live by Tijuana's clock (UTC−8, with US daylight saving time): the study must keep its
    /// trainings and reminders on each sector's own wall clock. The others leave zona_horaria empty (the protocol's zone).
    /// Not a stratum: the sectors loader reads the column as the sector's time zone.
    /// </summary>
    public const string TijuanaSector = "MIL-02";
    public const string TijuanaZone = "America/Tijuana";

    // (alcaldía, code prefix, zone, sectors in the 60-sector study)
    static readonly (string Name, string Code, string Zone, int Sectors)[] Alcaldias =
    [
        ("Iztapalapa", "IZP", "Oriente", 8), ("Gustavo A. Madero", "GAM", "Norte", 6), ("Cuauhtémoc", "CUH", "Centro", 6),
        ("Álvaro Obregón", "AOB", "Poniente", 4), ("Coyoacán", "COY", "Sur", 4), ("Tlalpan", "TLP", "Sur", 4),
        ("Venustiano Carranza", "VCA", "Centro", 4), ("Azcapotzalco", "AZC", "Norte", 3), ("Benito Juárez", "BJU", "Centro", 3),
        ("Miguel Hidalgo", "MHI", "Poniente", 3), ("Iztacalco", "IZC", "Oriente", 3), ("Tláhuac", "TLH", "Oriente", 3),
        ("Xochimilco", "XOC", "Sur", 3), ("La Magdalena Contreras", "MCO", "Poniente", 2), ("Cuajimalpa de Morelos", "CUJ", "Poniente", 2),
        ("Milpa Alta", "MIL", "Sur", 2),
    ];

    static readonly string[] FirstNames =
    [
        "José", "Juan", "Luis", "Carlos", "Jorge", "Miguel", "Alejandro", "Ricardo", "Fernando", "Roberto", "Eduardo", "Francisco",
        "Javier", "Daniel", "Sergio", "Raúl", "Arturo", "Héctor", "Óscar", "Iván", "María", "Guadalupe", "Ana", "Verónica",
        "Patricia", "Laura", "Gabriela", "Claudia", "Adriana", "Alejandra", "Leticia", "Rosa", "Mónica", "Sandra", "Yolanda", "Itzel",
    ];

    static readonly string[] Surnames =
    [
        "Hernández", "García", "Martínez", "López", "González", "Pérez", "Rodríguez", "Sánchez", "Ramírez", "Cruz", "Flores",
        "Gómez", "Morales", "Vázquez", "Reyes", "Jiménez", "Torres", "Díaz", "Gutiérrez", "Ruiz", "Mendoza", "Aguilar", "Ortiz",
        "Moreno", "Castillo", "Romero", "Álvarez", "Méndez", "Chávez", "Rivera", "Juárez", "Ramos", "Domínguez", "Herrera", "Medina", "Núñez",
    ];

    static readonly string[] OfficerRoles = ["policía", "policía", "policía", "oficial", "Policía"];
    static readonly string[] CommanderRoles = ["mando", "comandante", "mando medio"];
    static readonly string[] Shifts = ["matutino", "vespertino", "nocturno", "24x48"];

    public sealed record Files(string SectorsCsv, string RosterCsv, int Sectors, int Officers, int Commanders);

    /// <summary>
    /// <paramref name="sectors"/> sectors (the 60-sector shape, repeated for more) and exactly <paramref name="people"/>
    /// officers and commanders. The roster is what Excel writes in a Spanish locale: semicolons, UTF-8 with BOM, CRLF.
    /// </summary>
    public static Files Generate(int sectors = StudySectors, int people = StudyOfficers, int seed = DefaultSeed)
    {
        var random = new SplitMix64((ulong)seed);
        var sectorRows = new List<(string Code, string Name, string Alcaldia, string Zone, string Size, double Weight)>();
        var perAlcaldia = Alcaldias.Select(a => (a, Count: 0)).ToArray();
        for (var i = 0; sectorRows.Count < sectors; i = (i + 1) % Alcaldias.Length)
        {
            var (name, code, zone, share) = Alcaldias[i];
            var rounds = sectorRows.Count / StudySectors;
            if (perAlcaldia[i].Count >= share * (rounds + 1)) continue;
            perAlcaldia[i].Count++;
            var size = random.Next(3) switch { 0 => "chico", 1 => "mediano", _ => "grande" };
            var weight = size switch { "chico" => 0.7, "mediano" => 1.0, _ => 1.35 } * (0.85 + 0.3 * random.NextDouble());
            sectorRows.Add(($"{code}-{perAlcaldia[i].Count:D2}", $"{name} {Ordinal(perAlcaldia[i].Count)}", name, zone, size, weight));
        }

        var sectorsCsv = new StringBuilder(CsvText.Line(["codigo", "nombre", "alcaldia", "zona", "tamano", "zona_horaria"]));
        foreach (var s in sectorRows.OrderBy(s => s.Code, StringComparer.Ordinal))
            sectorsCsv.Append(CsvText.Line([s.Code, s.Name, s.Alcaldia, s.Zone, s.Size, s.Code == TijuanaSector ? TijuanaZone : ""]));

        // Headcount per sector proportional to its weight, summing exactly to the requested total.
        var totalWeight = sectorRows.Sum(s => s.Weight);
        var counts = sectorRows.Select(s => (int)Math.Floor(people * s.Weight / totalWeight)).ToArray();
        for (var k = 0; counts.Sum() < people; k = (k + 1) % counts.Length) counts[k]++;

        var roster = new StringBuilder("\uFEFF");
        roster.Append("Número de empleado;Nombre completo;Rol;Sector;Teléfono celular;Consentimiento;Turno\r\n");
        var badge = 100_000;
        var commanders = 0;
        var phoneSlots = Enumerable.Range(0, people).Select(i => (long)i).ToArray();
        random.Shuffle(phoneSlots);
        var person = 0;
        for (var s = 0; s < sectorRows.Count; s++)
        {
            var commandersHere = Math.Max(1, (int)Math.Round(counts[s] * 0.1));
            for (var k = 0; k < counts[s]; k++, person++)
            {
                var isCommander = k < commandersHere;
                if (isCommander) commanders++;
                var name = $"{Pick(random, FirstNames)} {Pick(random, Surnames)} {Pick(random, Surnames)}";
                var role = isCommander ? Pick(random, CommanderRoles) : Pick(random, OfficerRoles);
                var consent = random.NextDouble() < 0.97 ? Pick(random, ["sí", "si", "Sí", "1"]) : "no";
                roster.Append(string.Join(';', $"SSC-{badge++}", name, role, sectorRows[s].Code,
                    FormatPhone(random, phoneSlots[person]), consent, Pick(random, Shifts))).Append("\r\n");
            }
        }
        return new Files(sectorsCsv.ToString(), roster.ToString(), sectorRows.Count, people - commanders, commanders);
    }

    /// <summary>+52 55 0 followed by 7 digits, written the many ways spreadsheets hold phone numbers.</summary>
    static string FormatPhone(SplitMix64 random, long slot)
    {
        var subscriber = slot.ToString("D7");
        var national = $"550{subscriber}";
        return random.Next(6) switch
        {
            0 => $"{national[..2]} {national[2..6]} {national[6..]}",
            1 => $"({national[..2]}) {national[2..6]}-{national[6..]}",
            2 => national,
            3 => $"+52 {national[..2]} {national[2..6]} {national[6..]}",
            4 => $"+52 1 {national[..2]} {national[2..6]} {national[6..]}",
            _ => $"52{national}",
        };
    }

    static string Ordinal(int n) => n switch
    {
        1 => "Uno", 2 => "Dos", 3 => "Tres", 4 => "Cuatro", 5 => "Cinco", 6 => "Seis", 7 => "Siete", 8 => "Ocho",
        9 => "Nueve", 10 => "Diez", _ => n.ToString(),
    };

    static string Pick(SplitMix64 random, string[] items) => items[random.Next(items.Length)];

    /// <summary>SplitMix64: a tiny, fully specified generator, so the sample does not depend on System.Random's algorithm.</summary>
    sealed class SplitMix64(ulong seed)
    {
        ulong state = seed;

        public ulong NextUInt64()
        {
            var z = state += 0x9E3779B97F4A7C15UL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }

        public int Next(int maxExclusive) => (int)(NextUInt64() % (ulong)maxExclusive);

        public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

        public void Shuffle<T>(T[] items)
        {
            for (var i = items.Length - 1; i > 0; i--)
            {
                var j = Next(i + 1);
                (items[i], items[j]) = (items[j], items[i]);
            }
        }
    }
}
