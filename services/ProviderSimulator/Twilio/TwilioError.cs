using System.Text.Json.Serialization;

namespace Reminders.ProviderSimulator.Twilio;

/// <summary>Twilio's error body; the SDK turns it into <c>ApiException</c> with <c>Code</c> and <c>Status</c>.</summary>
internal sealed record TwilioError(
    [property: JsonPropertyName("code"), JsonPropertyOrder(0)] int Code,
    [property: JsonPropertyName("message"), JsonPropertyOrder(1)] string Message,
    [property: JsonPropertyName("status"), JsonPropertyOrder(3)] int Status)
{
    [JsonPropertyName("more_info"), JsonPropertyOrder(2)]
    public string MoreInfo => $"https://www.twilio.com/docs/errors/{Code}";

    public IResult ToResult() => TypedResults.Json(this, SimulatorJson.Twilio, statusCode: Status);
}

/// <summary>The error codes the simulator answers with, as Twilio documents them.</summary>
internal static class TwilioErrors
{
    public static TwilioError Authenticate() => new(20003, "Authenticate", 401);

    public static TwilioError NotFound(string path) => new(20404, $"The requested resource {path} was not found", 404);

    public static TwilioError InvalidParameter(string name, string value) => new(20001, $"Invalid value '{value}' for {name}", 400);

    public static TwilioError TooManyRequests() => new(20429, "Too Many Requests", 429);

    public static TwilioError InternalServerError() => new(20500, "Internal Server Error", 500);

    public static TwilioError ToRequired() => new(21604, "A 'To' phone number is required.", 400);

    public static TwilioError InvalidTo(string to) => new(21211, $"Invalid 'To' Phone Number: {to}", 400);

    public static TwilioError FromRequired() => new(21603, "A 'From' phone number is required.", 400);

    public static TwilioError InvalidFrom(string from) =>
        new(21212, $"The 'From' number {from} is not a valid phone number, shortcode, or alphanumeric sender ID.", 400);

    public static TwilioError InvalidMessagingService(string sid) => new(21701, $"The Messaging Service Sid {sid} is invalid.", 400);

    public static TwilioError BodyRequired() => new(21602, "Message body is required.", 400);

    public static TwilioError BodyTooLong() => new(21617, "The concatenated message body exceeds the 1600 character limit.", 400);

    public static TwilioError InvalidStatusCallback(string url) => new(21609, $"Invalid 'StatusCallback': {url}", 400);

    public static TwilioError InvalidValidityPeriod(string value) => new(21624, $"Invalid validity period value: {value}", 400);

    public static TwilioError Landline(string to) => new(21614, $"'To' number {to} is not a valid mobile number", 400);

    public static TwilioError OptedOut() => new(21610, "Attempt to send to unsubscribed recipient", 400);

    /// <summary>The message Twilio puts in <c>error_message</c> for the delivery error codes the simulator produces.</summary>
    public static string? DeliveryErrorMessage(int? code) => code switch
    {
        30003 => "Unreachable destination handset",
        30008 => "Unknown error",
        null => null,
        _ => "Message delivery failed",
    };
}
