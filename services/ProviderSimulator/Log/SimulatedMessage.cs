using Reminders.ProviderSimulator.Segments;

namespace Reminders.ProviderSimulator.Log;

/// <summary>One accepted outbound message, as it stands now.</summary>
public sealed record SimulatedMessage
{
    public required string Sid { get; init; }

    /// <summary>Null until sent when the message was created with a MessagingServiceSid and no From.</summary>
    public string? From { get; init; }

    public required string To { get; init; }

    public required string Body { get; init; }

    public int Segments { get; init; }

    public SmsEncoding Encoding { get; init; }

    public required string Status { get; init; }

    public int? ErrorCode { get; init; }

    public DateTimeOffset AcceptedAt { get; init; }

    public DateTimeOffset StatusUpdatedAt { get; init; }

    /// <summary>Twilio's <c>date_sent</c>: acceptance time, then the time it was sent.</summary>
    public DateTimeOffset DateSent { get; init; }

    public string? MessagingServiceSid { get; init; }

    public string? StatusCallback { get; init; }

    public int? ValidityPeriod { get; init; }
}
