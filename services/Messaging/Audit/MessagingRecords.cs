using Dapper;
using Reminders.Platform.Data;

namespace Reminders.Messaging.Audit;

/// <summary>One outbound SMS as Messaging recorded it (no body, and the phone only to match the provider's log).</summary>
public sealed record RecordedSms
{
    public Guid SmsId { get; init; }
    public Guid OfficerId { get; init; }
    public string Purpose { get; init; } = "";
    public string State { get; init; } = "";
    public string? ProviderSid { get; init; }
    public string? Status { get; init; }
    public string? ToPhone { get; init; }
    public DateTimeOffset RequestedAt { get; init; }
    public DateTimeOffset? AcceptedAt { get; init; }
    public DateTimeOffset? StatusUpdatedAt { get; init; }
}

/// <summary>Who a number belongs to, by Messaging's replicas: the officer and their arm of randomization.</summary>
public sealed record KnownOfficer
{
    public Guid OfficerId { get; init; }
    public string Phone { get; init; } = "";
    public string? Arm { get; init; }
}

/// <summary>Messaging's side of the audit: its outbound SMS, every provider sid its history names, and its contact and arm replicas.</summary>
public sealed record MessagingRecords(
    IReadOnlyList<RecordedSms> Sms, IReadOnlyList<(Guid SmsId, string ProviderSid)> HistorySids, IReadOnlyList<KnownOfficer> Officers)
{
    public static async Task<MessagingRecords> ReadAsync(MessagingDatabase database, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        var sms = (await connection.QueryAsync<RecordedSms>(new CommandDefinition("""
            SELECT sms_id, officer_id, purpose, state, provider_sid, status,
                   to_phone, requested_at, accepted_at, status_updated_at
            FROM outbound_sms
            """, cancellationToken: ct))).AsList();
        // A sid in the history that is not the row's own: another provider message for the same SMS.
        var historySids = (await connection.QueryAsync<(Guid, string)>(new CommandDefinition("""
            SELECT h.sms_id, h.provider_sid FROM sms_status_history h JOIN outbound_sms o ON o.sms_id = h.sms_id
            WHERE h.provider_sid IS NOT NULL AND (o.provider_sid IS NULL OR h.provider_sid <> o.provider_sid)
            GROUP BY h.sms_id, h.provider_sid
            """, cancellationToken: ct))).AsList();
        var officers = (await connection.QueryAsync<KnownOfficer>(new CommandDefinition("""
            SELECT c.officer_id, c.phone_e164 AS Phone, a.arm
            FROM contacts c LEFT JOIN officer_arms a ON a.officer_id = c.officer_id
            """, cancellationToken: ct))).AsList();
        return new MessagingRecords(sms, historySids, officers);
    }
}
