using System.Diagnostics.Metrics;
using Dapper;
using Reminders.Platform.Hosting;

namespace Reminders.Messaging.Delivery;

/// <summary>What the provider answered and what Messaging did about it, counted for the operators' dashboards.</summary>
public sealed class DeliveryMetrics
{
    /// <summary>SMS by purpose and status, read from outbound_sms (the provider's status once it has one, else Messaging's state).</summary>
    public static readonly DatabaseGauge SmsByPurposeAndStatus = new(MessagingService.Name, "reminders.messaging.sms", "{sms}",
        "SMS by purpose and status (the provider's status once it has one, else Messaging's state: refused, retrying, in_doubt_ambiguous...).",
        async (connection, _, ct) => (await connection.QueryAsync<(string Purpose, string Status, long Count)>(new CommandDefinition("""
            SELECT purpose, COALESCE(status, state), count(*) FROM outbound_sms GROUP BY purpose, COALESCE(status, state)
            """, cancellationToken: ct)))
            .Select(r => new GaugeReading(r.Count, new("purpose", r.Purpose), new("status", r.Status))).ToList());

    readonly Counter<long> providerAnswers;
    readonly Counter<long> inDoubtLookups;
    readonly Counter<long> heldForQuietHours;
    /// <summary>Status callbacks recorded in one transaction.</summary>
    public Histogram<int> CallbackGroups { get; }
    /// <summary>Send claims made in one transaction.</summary>
    public Histogram<int> ClaimGroups { get; }

    public DeliveryMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(ProviderCredentials.MeterName);
        providerAnswers = meter.CreateCounter<long>("reminders.messaging.provider_answers", "{answer}",
            "Answers to send requests by class: accepted, refused, not_taken, in_doubt, credentials_refused.");
        inDoubtLookups = meter.CreateCounter<long>("reminders.messaging.in_doubt_lookups", "{lookup}",
            "Lookups at the provider of a send in doubt, by result: found, not_found, ambiguous.");
        heldForQuietHours = meter.CreateCounter<long>("reminders.messaging.sms.deferred", "{sms}",
            "SendSms that reached Messaging in quiet hours and were held until the sending window opens.");
        CallbackGroups = meter.CreateHistogram<int>("reminders.messaging.status_callback.batch", "{callback}",
            "Status callbacks recorded in one transaction.");
        ClaimGroups = meter.CreateHistogram<int>("reminders.messaging.send_claim.batch", "{sms}",
            "Send claims (guards checked, lease taken) made in one transaction.");
    }

    public void HeldForQuietHours() => heldForQuietHours.Add(1);

    public void ProviderAnswered(SendOutcome outcome) => providerAnswers.Add(1, new KeyValuePair<string, object?>("class", outcome switch
    {
        SendOutcome.Accepted => "accepted",
        SendOutcome.Rejected => "refused",
        SendOutcome.NotTaken => "not_taken",
        SendOutcome.CredentialsRefused => "credentials_refused",
        SendOutcome.InDoubt => "in_doubt",
        _ => "other",
    }));

    public void LookedUp(DoubtResolution resolution) => inDoubtLookups.Add(1, new KeyValuePair<string, object?>("result", resolution switch
    {
        DoubtResolution.Found => "found",
        DoubtResolution.Ambiguous => "ambiguous",
        _ => "not_found",
    }));
}
