using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;

namespace Reminders.Testing.Chaos;

/// <summary>
/// What a run ended with, counted from the provider simulator's log (the ground truth of what reached a phone) and every
/// service's tables and queues. <see cref="Differences"/> names each thing that is not as it must be; empty means clean.
/// </summary>
public sealed record ChaosCounts
{
    public int Seed { get; init; }
    public int Due { get; init; }
    public int AcceptedOnce { get; init; }
    public int Lost { get; init; }
    /// <summary>Provider messages beyond the first for the same SMS id.</summary>
    public int Duplicated { get; init; }
    /// <summary>Provider messages whose status callback names no SMS of this run.</summary>
    public int Unexpected { get; init; }
    public int ToControl { get; init; }
    public int ProviderMessages { get; init; }
    public IReadOnlyDictionary<string, int> ProviderByStatus { get; init; } = new Dictionary<string, int>();
    public int LedgerAccepted { get; init; }
    public int LedgerMatching { get; init; }
    public int LedgerMismatched { get; init; }
    public int LedgerMissing { get; init; }
    public int LedgerExtra { get; init; }
    public int MessagingMismatched { get; init; }
    public int ControlPlanned { get; init; }
    public int ControlPlannedSkipped { get; init; }
    public int ControlSendSms { get; init; }
    public int ControlSendSmsRefused { get; init; }
    public int ControlRefusalsInLedger { get; init; }
    public long PlannedStillDue { get; init; }
    public IReadOnlyDictionary<string, long> OutboundUnsettled { get; init; } = new Dictionary<string, long>();
    public IReadOnlyDictionary<string, long> OutboxRows { get; init; } = new Dictionary<string, long>();
    public IReadOnlyDictionary<string, long> ErrorQueues { get; init; } = new Dictionary<string, long>();
    public IReadOnlyDictionary<string, long> WaitingInQueues { get; init; } = new Dictionary<string, long>();
    public int ResolvedByLookup { get; init; }
    public long ProviderRefused { get; init; }
    public IReadOnlyDictionary<string, long> FaultsApplied { get; init; } = new Dictionary<string, long>();
    public IReadOnlyList<string> Differences { get; init; } = [];
    /// <summary>For a few of the SMS that differ: what each service recorded about them, in order.</summary>
    public IReadOnlyList<string> Diagnostics { get; init; } = [];

    public bool Clean => Differences.Count == 0;

    public void Print(TextWriter log)
    {
        string Pairs<T>(IReadOnlyDictionary<string, T> counts) => counts.Count == 0 ? "none" : string.Join(", ", counts.Select(c => $"{c.Key} {c.Value}"));
        log.WriteLine($"""
            === chaos run, seed {Seed}
            due reminders {Due:N0}: accepted by the provider exactly once {AcceptedOnce:N0}, lost {Lost}, duplicated {Duplicated}, unexpected {Unexpected}
            provider: {ProviderMessages:N0} messages ({Pairs(ProviderByStatus)}); {ProviderRefused:N0} requests refused and retried; faults applied: {Pairs(FaultsApplied)}
            sends in doubt resolved by looking them up at the provider: {ResolvedByLookup}
            control: {ToControl} SMS to control officers; planned {ControlPlanned}, skipped {ControlPlannedSkipped}; SendSms by hand {ControlSendSms}, refused {ControlSendSmsRefused} (in the ledger {ControlRefusalsInLedger})
            ledger vs provider: {LedgerAccepted:N0} accepted in the ledger, {LedgerMatching:N0} equal message by message, {LedgerMismatched} different, {LedgerMissing} missing, {LedgerExtra} extra
            Messaging vs provider: {MessagingMismatched} different
            left over: planned and due {PlannedStillDue}; outbound_sms unsettled: {Pairs(OutboundUnsettled)}; outbox rows: {Pairs(OutboxRows)}
            queues: _error/_skipped {Pairs(ErrorQueues)}; waiting {Pairs(WaitingInQueues)}
            {(Clean ? "CLEAN: lost 0, duplicated 0, nothing stuck" : $"FAILED: {Differences.Count} differences\n  " + string.Join("\n  ", Differences))}
            """);
        foreach (var diagnostic in Diagnostics) log.WriteLine(diagnostic);
    }

    sealed record ProviderMessage(string Sid, string To, string Body, string Status, Guid? SmsId);

    /// <param name="faultsApplied">How often each simulator fault applied (read before the faults were cleared).</param>
    public static async Task<ChaosCounts> CountAsync(ChaosSystem system, ChaosStudy study, int seed, DateTimeOffset studyNow, IReadOnlyDictionary<string, long> faultsApplied)
    {
        var differences = new List<string>();
        var diagnostics = new List<string>();
        void Expect(bool holds, string difference) { if (!holds) differences.Add(difference); }
        static string Sample(IEnumerable<object> items) => string.Join(", ", items.Take(10));

        using var simulator = system.SimulatorHttp(TimeSpan.FromMinutes(2));
        var log = (await simulator.GetFromJsonAsync<List<JsonElement>>("/simulator/messages"))!.Select(m => new ProviderMessage(
            m.GetProperty("sid").GetString()!, m.GetProperty("to").GetString()!, m.GetProperty("body").GetString()!, m.GetProperty("status").GetString()!,
            SmsIdOf(m.TryGetProperty("statusCallback", out var callback) ? callback.GetString() : null))).ToList();
        var stats = await simulator.GetFromJsonAsync<JsonElement>("/simulator/stats");

        // Each due reminder at the provider exactly once, matched by the SMS id its status-callback URL carries.
        var bySmsId = log.Where(m => m.SmsId is not null).GroupBy(m => m.SmsId!.Value).ToDictionary(g => g.Key, g => g.ToList());
        var lost = study.TreatmentReminders.Keys.Where(id => !bySmsId.ContainsKey(id)).ToList();
        var duplicated = bySmsId.Where(g => g.Value.Count > 1).ToList();
        var unexpected = log.Where(m => m.SmsId is not { } id || !study.TreatmentReminders.ContainsKey(id)).ToList();
        var toControl = log.Where(m => study.ControlPhones.Contains(m.To)).ToList();
        var wrongPhone = bySmsId.Where(g => study.TreatmentReminders.TryGetValue(g.Key, out var phone) && g.Value.Any(m => m.To != phone)).ToList();
        // The same check without trusting the callback URL: one message per phone and text.
        var samePhoneAndText = log.GroupBy(m => (m.To, m.Body)).Count(g => g.Count() > 1);
        Expect(lost.Count == 0, $"lost: {lost.Count} due reminders never reached the provider ({Sample(lost.Cast<object>())})");
        Expect(duplicated.Count == 0, $"duplicated: {duplicated.Count} SMS reached the provider more than once ({Sample(duplicated.Select(d => $"{d.Key} ×{d.Value.Count}"))})");
        Expect(samePhoneAndText == 0, $"duplicated: {samePhoneAndText} phone and text pairs reached the provider more than once");
        Expect(unexpected.Count == 0, $"unexpected: {unexpected.Count} provider messages for no due reminder ({Sample(unexpected.Select(m => m.Sid))})");
        Expect(toControl.Count == 0, $"control: {toControl.Count} SMS reached control officers ({Sample(toControl.Select(m => m.Sid))})");
        Expect(wrongPhone.Count == 0, $"wrong phone: {wrongPhone.Count} SMS went to another officer's phone");

        await using var connection = new NpgsqlConnection(system.Database.ConnectionString);
        await connection.OpenAsync();

        // The ledger equal to the provider's log, message by message: same SMS, same provider sid, same final status.
        var ledger = new Dictionary<Guid, (bool Accepted, string? Sid, string? Status, string? Refusal)>();
        await foreach (var row in QueryAsync(connection, "SELECT sms_id, accepted, provider_sid, status, refusal_reason FROM attendance.sms_ledger",
                           r => (Id: r.GetGuid(0), Accepted: r.GetBoolean(1), Sid: r.IsDBNull(2) ? null : r.GetString(2), Status: r.IsDBNull(3) ? null : r.GetString(3),
                               Refusal: r.IsDBNull(4) ? null : r.GetString(4))))
            ledger[row.Id] = (row.Accepted, row.Sid, row.Status, row.Refusal);
        var firstCopy = bySmsId.ToDictionary(g => g.Key, g => g.Value[0]);
        var ledgerMissing = firstCopy.Where(m => !ledger.ContainsKey(m.Key)).Select(m => m.Key).ToList();
        var ledgerMismatched = firstCopy.Where(m => ledger.TryGetValue(m.Key, out var l) && (!l.Accepted || l.Sid != m.Value.Sid || l.Status != m.Value.Status))
            .Select(m => $"{m.Key}: provider {m.Value.Sid} {m.Value.Status}, ledger {ledger[m.Key].Sid} {ledger[m.Key].Status}").ToList();
        var ledgerExtra = ledger.Where(l => l.Value.Accepted && !firstCopy.ContainsKey(l.Key)).Select(l => l.Key).ToList();
        foreach (var smsId in firstCopy.Keys.Where(id => ledger.TryGetValue(id, out var l) && l.Status != firstCopy[id].Status).Take(3))
            diagnostics.Add(await HistoryAsync(connection, smsId));
        Expect(ledgerMissing.Count == 0, $"ledger: {ledgerMissing.Count} provider messages have no ledger row ({Sample(ledgerMissing.Cast<object>())})");
        Expect(ledgerMismatched.Count == 0, $"ledger: {ledgerMismatched.Count} rows differ from the provider ({Sample(ledgerMismatched)})");
        Expect(ledgerExtra.Count == 0, $"ledger: {ledgerExtra.Count} accepted rows the provider has no message for ({Sample(ledgerExtra.Cast<object>())})");

        var outbound = new Dictionary<Guid, (string State, string? Sid, string? Status, string? Reason)>();
        await foreach (var row in QueryAsync(connection, "SELECT sms_id, state, provider_sid, status, refusal_reason FROM messaging.outbound_sms",
                           r => (Id: r.GetGuid(0), State: r.GetString(1), Sid: r.IsDBNull(2) ? null : r.GetString(2), Status: r.IsDBNull(3) ? null : r.GetString(3),
                               Reason: r.IsDBNull(4) ? null : r.GetString(4))))
            outbound[row.Id] = (row.State, row.Sid, row.Status, row.Reason);
        var messagingMismatched = study.TreatmentReminders.Keys.Where(id => firstCopy.TryGetValue(id, out var m)
            ? !outbound.TryGetValue(id, out var o) || o.State != "accepted" || o.Sid != m.Sid || o.Status != m.Status
            : outbound.ContainsKey(id)).Select(id => $"{id}: {(outbound.TryGetValue(id, out var o) ? $"{o.State} {o.Sid} {o.Status}" : "absent")}").ToList();
        Expect(messagingMismatched.Count == 0, $"Messaging: {messagingMismatched.Count} outbound_sms rows differ from the provider ({Sample(messagingMismatched)})");

        // Control officers: the Scheduler skips what was planned for them, Messaging refuses what reached it anyway.
        var planned = new Dictionary<Guid, (string Status, string? Reason)>();
        await foreach (var row in QueryAsync(connection, "SELECT sms_id, status, reason FROM scheduler.planned_sms",
                           r => (Id: r.GetGuid(0), Status: r.GetString(1), Reason: r.IsDBNull(2) ? null : r.GetString(2))))
            planned[row.Id] = (row.Status, row.Reason);
        var controlSkipped = study.ControlPlanned.Count(id => planned.TryGetValue(id, out var p) && p is { Status: "skipped", Reason: "arm_mismatch" });
        var controlRefused = study.ControlSendSms.Count(id => outbound.TryGetValue(id, out var o) && o is { State: "refused", Reason: "arm_mismatch" });
        var controlInLedger = study.ControlSendSms.Count(id => ledger.TryGetValue(id, out var l) && l is { Accepted: false, Refusal: "arm_mismatch" });
        var treatmentNotDispatched = study.TreatmentReminders.Keys.Count(id => !planned.TryGetValue(id, out var p) || p.Status != "dispatched");
        Expect(controlSkipped == study.ControlPlanned.Count, $"control: {study.ControlPlanned.Count - controlSkipped} reminders planned for control officers not skipped as arm_mismatch");
        Expect(controlRefused == study.ControlSendSms.Count, $"control: {study.ControlSendSms.Count - controlRefused} SendSms for control officers not refused as arm_mismatch");
        Expect(controlInLedger == study.ControlSendSms.Count, $"control: {study.ControlSendSms.Count - controlInLedger} refusals missing from the ledger");
        Expect(treatmentNotDispatched == 0, $"Scheduler: {treatmentNotDispatched} due treatment reminders not dispatched");

        // Nothing stuck in between: no due row still planned, no send unsettled, no outbox row unrelayed, no message in an error queue.
        var plannedStillDue = await ScalarAsync(connection, "SELECT COUNT(*) FROM scheduler.planned_sms WHERE status = 'planned' AND due_at <= @now", studyNow);
        var unsettled = await CountByAsync(connection, "SELECT state, COUNT(*) FROM messaging.outbound_sms WHERE state IN ('new', 'sending', 'retrying') GROUP BY state");
        var outbox = new Dictionary<string, long>();
        foreach (var schema in ChaosSystem.ServiceNames.Select(s => s.ToLowerInvariant()))
            if (await ScalarAsync(connection, $"SELECT COUNT(*) FROM {schema}.outbox_messages") is var rows and > 0) outbox[schema] = rows;
        var queues = await RabbitMqManagement.QueueDepthsAsync(system.VirtualHost.Name);
        var errorQueues = queues.Where(q => (q.Key.EndsWith("_error", StringComparison.Ordinal) || q.Key.EndsWith("_skipped", StringComparison.Ordinal)) && q.Value > 0)
            .ToDictionary(q => q.Key, q => q.Value);
        var waiting = queues.Where(q => !errorQueues.ContainsKey(q.Key) && q.Value > 0).ToDictionary(q => q.Key, q => q.Value);
        Expect(plannedStillDue == 0, $"Scheduler: {plannedStillDue} due rows still planned");
        Expect(unsettled.Count == 0, $"Messaging: outbound_sms left in between: {string.Join(", ", unsettled.Select(u => $"{u.Key} {u.Value}"))}");
        Expect(outbox.Count == 0, $"outbox rows not relayed: {string.Join(", ", outbox.Select(o => $"{o.Key} {o.Value}"))}");
        Expect(errorQueues.Count == 0, $"RabbitMQ: messages in error queues: {string.Join(", ", errorQueues.Select(q => $"{q.Key} {q.Value}"))}");
        Expect(waiting.Count == 0, $"RabbitMQ: messages still waiting: {string.Join(", ", waiting.Select(q => $"{q.Key} {q.Value}"))}");

        return new ChaosCounts
        {
            Seed = seed,
            Due = study.TreatmentReminders.Count,
            AcceptedOnce = study.TreatmentReminders.Keys.Count(id => bySmsId.TryGetValue(id, out var copies) && copies.Count == 1),
            Lost = lost.Count,
            Duplicated = duplicated.Sum(d => d.Value.Count - 1),
            Unexpected = unexpected.Count,
            ToControl = toControl.Count,
            ProviderMessages = log.Count,
            ProviderByStatus = log.GroupBy(m => m.Status).ToDictionary(g => g.Key, g => g.Count()),
            LedgerAccepted = ledger.Count(l => l.Value.Accepted),
            LedgerMatching = firstCopy.Count - ledgerMissing.Count - ledgerMismatched.Count,
            LedgerMismatched = ledgerMismatched.Count,
            LedgerMissing = ledgerMissing.Count,
            LedgerExtra = ledgerExtra.Count,
            MessagingMismatched = messagingMismatched.Count,
            ControlPlanned = study.ControlPlanned.Count,
            ControlPlannedSkipped = controlSkipped,
            ControlSendSms = study.ControlSendSms.Count,
            ControlSendSmsRefused = controlRefused,
            ControlRefusalsInLedger = controlInLedger,
            PlannedStillDue = plannedStillDue,
            OutboundUnsettled = unsettled,
            OutboxRows = outbox,
            ErrorQueues = errorQueues,
            WaitingInQueues = waiting,
            ResolvedByLookup = (int)await ScalarAsync(connection, "SELECT COUNT(DISTINCT sms_id) FROM messaging.sms_status_history WHERE source = 'lookup'"),
            ProviderRefused = stats.GetProperty("rejectedTotal").GetInt64(),
            FaultsApplied = faultsApplied,
            Differences = differences,
            Diagnostics = diagnostics,
        };
    }

    /// <summary>One SMS as Messaging and Attendance recorded it: Messaging's row and status history, Attendance's event history.</summary>
    static async Task<string> HistoryAsync(NpgsqlConnection connection, Guid smsId)
    {
        var lines = new List<string> { $"SMS {smsId}:" };
        await foreach (var line in QueryAsync(connection, $"""
                           SELECT 'messaging outbound_sms: ' || state || ' ' || COALESCE(status, '-') || ' attempts ' || attempts || ' accepted_at ' || COALESCE(accepted_at::text, '-')
                           FROM messaging.outbound_sms WHERE sms_id = '{smsId}'
                           UNION ALL SELECT * FROM (SELECT 'messaging history: ' || received_at || ' ' || source || ' ' || status FROM messaging.sms_status_history WHERE sms_id = '{smsId}' ORDER BY id) m
                           UNION ALL SELECT * FROM (SELECT 'attendance history: ' || occurred_at || ' ' || event || ' ' || COALESCE(status, '-') FROM attendance.sms_status_history WHERE sms_id = '{smsId}' ORDER BY id) a
                           """, r => r.GetString(0)))
            lines.Add("  " + line);
        return string.Join('\n', lines);
    }

    /// <summary>The SMS id at the end of a status-callback URL (…/webhooks/twilio/status/{smsId}).</summary>
    static Guid? SmsIdOf(string? statusCallback) =>
        statusCallback is not null && Guid.TryParse(statusCallback[(statusCallback.LastIndexOf('/') + 1)..], out var id) ? id : null;

    static async IAsyncEnumerable<T> QueryAsync<T>(NpgsqlConnection connection, string sql, Func<NpgsqlDataReader, T> read)
    {
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 120 };
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) yield return read(reader);
    }

    static async Task<Dictionary<string, long>> CountByAsync(NpgsqlConnection connection, string sql)
    {
        var counts = new Dictionary<string, long>();
        await foreach (var (key, count) in QueryAsync(connection, sql, r => (r.GetString(0), r.GetInt64(1)))) counts[key] = count;
        return counts;
    }

    internal static async Task<long> ScalarAsync(NpgsqlConnection connection, string sql, DateTimeOffset? now = null)
    {
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 120 };
        if (now is { } value) command.Parameters.AddWithValue("now", value);
        return Convert.ToInt64(await command.ExecuteScalarAsync());
    }
}
