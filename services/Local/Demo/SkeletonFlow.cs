using System.Diagnostics;
using System.Net;
using System.Text.Json;

namespace Reminders.Local.Demo;

/// <summary>
/// The platform's skeleton flow, end to end: a roster is loaded, sectors randomized, one SMS sent to each
/// treatment officer through Scheduler → Messaging → provider → signed status callback → Attendance's ledger,
/// and an SMS to a control officer refused. Used by the demo and by the end-to-end tests in both run modes.
/// </summary>
public static class SkeletonFlow
{
    public const long Seed = 20261128;

    /// <summary>GSM-7 only (no á, í, ó, ú), so it is one 160-character segment.</summary>
    public const string MessageBody = "Hola. Este es un mensaje de prueba del sistema de recordatorios. No es necesario responder. Gracias por su servicio.";

    public const string Sectors = """
        codigo,nombre,alcaldia
        CUH-01,Cuauhtémoc Centro,Cuauhtémoc
        CUH-02,Cuauhtémoc Norte,Cuauhtémoc
        IZT-01,Iztapalapa Oriente,Iztapalapa
        IZT-02,Iztapalapa Sur,Iztapalapa
        """;

    // A roster as a Spanish-locale spreadsheet exports it: semicolons, Spanish headers, mixed phone formats.
    // Phones are in the +52 55 0000 block: no Mexican subscriber number starts with 0, so none is a real phone.
    public const string Roster = """
        placa;nombre;rol;sector;teléfono;consentimiento
        P-1001;Ana López;policía;CUH-01;55 0000 0101;sí
        P-1002;Bruno Díaz;policía;CUH-01;(55) 0000-0102;si
        P-1003;Carla Ruiz;mando;CUH-02;+52 1 55 0000 0103;sí
        P-1004;Daniel Mora;policía;CUH-02;5215500000104;1
        P-1005;Elena Vega;policía;IZT-01;044 55 0000 0105;sí
        P-1006;Fernando Gil;comandante;IZT-01;55-0000-0106;sí
        P-1007;Gabriela Paz;policía;IZT-02;+525500000107;true
        P-1008;Héctor Solís;oficial;IZT-02;55 0000 0108;sí
        """;

    public sealed record SmsTrace(Guid OfficerId, string Badge, Guid SmsId, double LatencyMs, string Status);

    public sealed record Result(
        JsonElement RosterReport, JsonElement Randomization, IReadOnlyList<JsonElement> Officers, IReadOnlyDictionary<string, string> ArmBySector,
        IReadOnlyList<SmsTrace> Delivered, IReadOnlyList<(string Badge, int Status)> ControlAttempts, IReadOnlyDictionary<Guid, JsonElement> Dosage);

    /// <param name="alreadyLoaded">The sectors and roster are loaded and randomized already (with <see cref="Seed"/>): only the sending part runs.</param>
    public static async Task<Result> RunAsync(ReminderClient client, TextWriter log, TimeSpan timeout, bool alreadyLoaded = false)
    {
        JsonElement rosterReport = default, randomization = default;
        if (!alreadyLoaded)
        {
            var sectorReport = await client.LoadSectorsAsync(Sectors);
            rosterReport = await client.ImportRosterAsync(Roster);
            log.WriteLine($"Sectors: {sectorReport.GetProperty("created").GetInt32()} loaded; roster: {rosterReport.GetProperty("imported").GetInt32()} officers imported.");
            randomization = await client.RandomizeAsync(Seed, ["alcaldia"]);
        }
        var arms = (await client.SectorsAsync()).EnumerateArray()
            .ToDictionary(s => s.GetProperty("code").GetString()!, s => s.GetProperty("arm").GetString()!);
        log.WriteLine($"Randomized by alcaldía with seed {Seed}: {string.Join(", ", arms.Select(a => $"{a.Key}={a.Value}"))}.");

        var officers = (await client.OfficersAsync()).EnumerateArray().ToList();
        var delivered = new List<SmsTrace>();
        var controlAttempts = new List<(string, int)>();
        var dosage = new Dictionary<Guid, JsonElement>();
        foreach (var officer in officers)
        {
            var id = officer.GetProperty("id").GetGuid();
            var badge = officer.GetProperty("badge").GetString()!;
            var arm = arms[officer.GetProperty("sectorCode").GetString()!];
            var stopwatch = Stopwatch.StartNew();
            var (status, body) = await client.SendManualMessageWhenKnownAsync(id, MessageBody, timeout);
            if (arm != "treatment")
            {
                controlAttempts.Add((badge, (int)status));
                log.WriteLine($"{badge} ({arm}): SMS refused with {(int)status} — {body.GetProperty("detail").GetString()}");
                continue;
            }
            if (status != HttpStatusCode.Accepted)
                throw new InvalidOperationException($"Sending to treatment officer {badge} answered {(int)status}: {body}");
            var smsId = body.GetProperty("smsId").GetGuid();
            var ledger = await client.WaitForDosageAsync(id, d => d.GetProperty("smsDelivered").GetInt64() >= 1, timeout)
                ?? throw new TimeoutException($"The ledger never showed officer {badge}.");
            var latency = stopwatch.Elapsed.TotalMilliseconds;
            var smsStatus = ledger.GetProperty("sms").EnumerateArray().FirstOrDefault(s => s.GetProperty("smsId").GetGuid() == smsId)
                is { ValueKind: JsonValueKind.Object } entry ? entry.GetProperty("status").GetString() ?? "" : "";
            if (ledger.GetProperty("smsDelivered").GetInt64() < 1)
                throw new TimeoutException($"SMS {smsId} to {badge} not delivered in the ledger within {timeout}: {ledger}");
            delivered.Add(new SmsTrace(id, badge, smsId, latency, smsStatus));
            dosage[id] = ledger;
            log.WriteLine($"{badge} (treatment): SMS {smsId} delivered, in the ledger after {latency:F0} ms.");
        }
        return new Result(rosterReport, randomization, officers, arms, delivered, controlAttempts, dosage);
    }
}
