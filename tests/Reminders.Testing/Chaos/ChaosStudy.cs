using System.Text.Json;
using Npgsql;

namespace Reminders.Testing.Chaos;

/// <summary>
/// What a run seeds and later counts against: treatment officers with one due reminder each, control officers with a
/// phone, a reminder planned for each (the Scheduler must skip it) and a SendSms put on the bus by hand (Messaging must
/// refuse it). Written straight into the services' replica tables and the Scheduler's plan, as the delivery benchmark
/// does, so the run exercises delivery, not enrollment.
/// </summary>
public sealed class ChaosStudy
{
    /// <summary>SMS id → phone of each due treatment reminder.</summary>
    public required IReadOnlyDictionary<Guid, string> TreatmentReminders { get; init; }
    public required IReadOnlyList<Guid> ControlPlanned { get; init; }
    public required IReadOnlyList<Guid> ControlSendSms { get; init; }
    public required IReadOnlyList<Guid> ControlOfficers { get; init; }
    public required IReadOnlySet<string> ControlPhones { get; init; }
    public required DateTimeOffset LastDueAt { get; init; }

    const string SendSmsType = "Reminders.Contracts.SendSms";
    const string SendSmsQueue = "messaging-send-sms";

    /// <summary>Officers, sectors, arms and phones into the Scheduler's and Messaging's replicas (nothing due yet).</summary>
    public static async Task<ChaosStudy> SeedOfficersAsync(string connectionString, ChaosOptions options, DateTimeOffset firstDueAt)
    {
        var now = options.StudyClock.GetUtcNow();
        var treatmentSectors = NewIds(Math.Max(1, options.Reminders / 100));
        var controlSectors = NewIds(Math.Max(1, options.ControlOfficers / 25));
        var treated = NewIds(options.Reminders);
        var control = NewIds(options.ControlOfficers);
        var officers = treated.Concat(control).ToArray();
        var sectors = treated.Select((_, i) => treatmentSectors[i % treatmentSectors.Length])
            .Concat(control.Select((_, i) => controlSectors[i % controlSectors.Length])).ToArray();
        var phones = treated.Select((_, i) => $"+52551{i:D7}").Concat(control.Select((_, i) => $"+52559{i:D7}")).ToArray();

        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        var randomization = Guid.CreateVersion7();
        foreach (var (arm, ids) in new[] { ("treatment", treatmentSectors), ("control", controlSectors) })
        {
            await ExecuteAsync(connection, "INSERT INTO scheduler.sector_arms (sector_id, arm, randomization_id) SELECT s, @p1, @p2 FROM unnest(@p0) s", ids, arm, randomization);
            await ExecuteAsync(connection, "INSERT INTO messaging.sector_arms (sector_id, arm, randomization_id) SELECT s, @p1, @p2 FROM unnest(@p0) s", ids, arm, randomization);
        }
        await ExecuteAsync(connection, "INSERT INTO scheduler.officers (officer_id, sector_id, role, enrolled_at) SELECT o, s, 'officer', @p2 FROM unnest(@p0, @p1) AS t(o, s)",
            officers, sectors, now);
        await ExecuteAsync(connection, "INSERT INTO messaging.officers (officer_id, sector_id, sector_changed_at, role) SELECT o, s, @p2, 'officer' FROM unnest(@p0, @p1) AS t(o, s)",
            officers, sectors, now);
        await ExecuteAsync(connection, "INSERT INTO messaging.contacts (officer_id, phone_e164, updated_at) SELECT o, p, @p2 FROM unnest(@p0, @p1) AS t(o, p)",
            officers, phones, now);
        // Each officer's arm of randomization and consent, as Enrollment's OfficerArmsAssigned and OfficerEnrolled leave them.
        var officerArms = treated.Select(_ => "treatment").Concat(control.Select(_ => "control")).ToArray();
        foreach (var schema in new[] { "scheduler", "messaging" })
        {
            await ExecuteAsync(connection, $"""
                INSERT INTO {schema}.officer_arms (officer_id, arm, sector_id, randomization_id, enrolled_after_randomization, assigned_at)
                SELECT o, a, s, @p3, false, @p4 FROM unnest(@p0, @p1, @p2) AS t(o, a, s)
                """, officers, officerArms, sectors, randomization, now);
            await ExecuteAsync(connection, $"INSERT INTO {schema}.officer_consents (officer_id, consent, changed_at) SELECT o, true, @p1 FROM unnest(@p0) o", officers, now);
        }

        var reminders = NewIds(treated.Length);
        var controlPlanned = NewIds(control.Length);
        var step = options.DueSpread / Math.Max(1, treated.Length - 1);
        var treatedDue = treated.Select((_, i) => firstDueAt + step * i).ToArray();
        var controlDue = control.Select((_, i) => firstDueAt + options.DueSpread * ((i + 0.5) / control.Length)).ToArray();
        await PlanAsync(connection, options, reminders.Concat(controlPlanned).ToArray(), officers, treatedDue.Concat(controlDue).ToArray());

        return new ChaosStudy
        {
            TreatmentReminders = reminders.Select((id, i) => (id, phone: phones[i])).ToDictionary(x => x.id, x => x.phone),
            ControlPlanned = controlPlanned,
            ControlSendSms = NewIds(control.Length),
            ControlOfficers = control,
            ControlPhones = phones[treated.Length..].ToHashSet(),
            LastDueAt = treatedDue.Concat(controlDue).Max(),
        };
    }

    /// <summary>Reminder 1 of each officer at its due time, as the Scheduler plans them.</summary>
    static async Task PlanAsync(NpgsqlConnection connection, ChaosOptions options, Guid[] smsIds, Guid[] officers, DateTimeOffset[] dueAt)
    {
        await using var command = new NpgsqlCommand("""
            INSERT INTO scheduler.planned_sms (sms_id, officer_id, purpose, kind, reminder_number, body, due_at, window_ends_at, protocol_version, status, planned_by, planned_at)
            SELECT s, o, 'reminder', 'reminder', 1, @body, d, d + interval '1 day', @version, 'planned', 'chaos', @now FROM unnest(@ids, @officers, @due) AS t(s, o, d)
            """, connection) { CommandTimeout = 300 };
        command.Parameters.AddWithValue("body", options.ReminderBody);
        command.Parameters.AddWithValue("version", options.ProtocolVersion);
        command.Parameters.AddWithValue("now", options.StudyClock.GetUtcNow());
        command.Parameters.AddWithValue("ids", smsIds);
        command.Parameters.AddWithValue("officers", officers);
        command.Parameters.AddWithValue("due", dueAt);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>
    /// A SendSms for each control officer, as if a faulty Scheduler had sent it: written to the Scheduler's outbox, so its
    /// relay puts it on Messaging's queue like any other. Messaging must refuse every one.
    /// </summary>
    public async Task SendToControlAsync(string connectionString, ChaosOptions options)
    {
        var now = options.StudyClock.GetUtcNow();
        var bodies = ControlSendSms.Select((smsId, i) => JsonSerializer.Serialize(
            new { smsId, officerId = ControlOfficers[i], purpose = "reminder", body = options.ReminderBody, requestedAt = now }, JsonSerializerOptions.Web)).ToArray();
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await ExecuteAsync(connection, """
            INSERT INTO scheduler.outbox_messages (message_id, message_type, destination, body, created_at)
            SELECT gen_random_uuid(), @p1, @p2, b, now() FROM unnest(@p0) b
            """, bodies, SendSmsType, SendSmsQueue);
    }

    static Guid[] NewIds(int count) => Enumerable.Range(0, count).Select(_ => Guid.CreateVersion7()).ToArray();

    static async Task ExecuteAsync(NpgsqlConnection connection, string sql, params object[] parameters)
    {
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 300 };
        for (var i = 0; i < parameters.Length; i++) command.Parameters.AddWithValue($"p{i}", parameters[i]);
        await command.ExecuteNonQueryAsync();
    }
}
