using System.Globalization;
using System.Text.Json.Serialization;
using Reminders.ProviderSimulator.Log;

namespace Reminders.ProviderSimulator.Twilio;

/// <summary>Twilio's <c>api.v2010.account.message</c>, field for field.</summary>
internal sealed class MessageJson
{
    [JsonPropertyName("account_sid")] public required string AccountSid { get; init; }
    [JsonPropertyName("api_version")] public string ApiVersion { get; init; } = "2010-04-01";
    [JsonPropertyName("body")] public required string Body { get; init; }
    [JsonPropertyName("date_created")] public required string DateCreated { get; init; }
    [JsonPropertyName("date_sent")] public required string DateSent { get; init; }
    [JsonPropertyName("date_updated")] public required string DateUpdated { get; init; }
    [JsonPropertyName("direction")] public string Direction { get; init; } = "outbound-api";
    [JsonPropertyName("error_code")] public int? ErrorCode { get; init; }
    [JsonPropertyName("error_message")] public string? ErrorMessage { get; init; }
    [JsonPropertyName("from")] public string? From { get; init; }
    [JsonPropertyName("messaging_service_sid")] public string? MessagingServiceSid { get; init; }
    [JsonPropertyName("num_media")] public string NumMedia { get; init; } = "0";
    [JsonPropertyName("num_segments")] public required string NumSegments { get; init; }
    [JsonPropertyName("price")] public string? Price { get; init; }
    [JsonPropertyName("price_unit")] public string? PriceUnit { get; init; }
    [JsonPropertyName("sid")] public required string Sid { get; init; }
    [JsonPropertyName("status")] public required string Status { get; init; }
    [JsonPropertyName("subresource_uris")] public required IReadOnlyDictionary<string, string> SubresourceUris { get; init; }
    [JsonPropertyName("to")] public required string To { get; init; }
    [JsonPropertyName("uri")] public required string Uri { get; init; }

    public static MessageJson Of(SimulatedMessage m, string accountSid)
    {
        var uri = $"/2010-04-01/Accounts/{accountSid}/Messages/{m.Sid}";
        return new MessageJson
        {
            AccountSid = accountSid,
            Body = m.Body,
            DateCreated = Rfc2822(m.AcceptedAt),
            DateSent = Rfc2822(m.DateSent),
            DateUpdated = Rfc2822(m.StatusUpdatedAt),
            ErrorCode = m.ErrorCode,
            ErrorMessage = TwilioErrors.DeliveryErrorMessage(m.ErrorCode),
            From = m.From,
            MessagingServiceSid = m.MessagingServiceSid,
            NumSegments = m.Segments.ToString(CultureInfo.InvariantCulture),
            Sid = m.Sid,
            Status = m.Status,
            SubresourceUris = new Dictionary<string, string>
            {
                ["media"] = uri + "/Media.json",
                ["feedback"] = uri + "/Feedback.json",
            },
            To = m.To,
            Uri = uri + ".json",
        };
    }

    /// <summary>Twilio's date format, always in GMT: <c>Thu, 24 Aug 2023 05:01:45 +0000</c>.</summary>
    public static string Rfc2822(DateTimeOffset t) =>
        t.UtcDateTime.ToString("ddd, dd MMM yyyy HH:mm:ss '+0000'", CultureInfo.InvariantCulture);
}

/// <summary>Twilio's v2010 list page (<c>ListMessageResponse</c>).</summary>
internal sealed class MessageListJson
{
    [JsonPropertyName("end")] public int End { get; init; }
    [JsonPropertyName("first_page_uri")] public required string FirstPageUri { get; init; }
    [JsonPropertyName("messages")] public required IReadOnlyList<MessageJson> Messages { get; init; }
    [JsonPropertyName("next_page_uri")] public string? NextPageUri { get; init; }
    [JsonPropertyName("page")] public int Page { get; init; }
    [JsonPropertyName("page_size")] public int PageSize { get; init; }
    [JsonPropertyName("previous_page_uri")] public string? PreviousPageUri { get; init; }
    [JsonPropertyName("start")] public int Start { get; init; }
    [JsonPropertyName("uri")] public required string Uri { get; init; }
}
