namespace Reminders.Messaging.Delivery;

/// <summary>What a provider answer proves about one SMS.</summary>
public enum ProviderVerdict
{
    /// <summary>The provider refused the SMS and would refuse it again: it fails for good.</summary>
    Refused,
    /// <summary>The provider did not take the SMS and may take it later (rate, queue, the sender's own set-up): retried.</summary>
    NotTaken,
    /// <summary>The provider refused Messaging's credentials: the SMS is not at fault, sending pauses until they work.</summary>
    CredentialsRefused,
    /// <summary>Nothing proves whether the provider took the SMS (a 5xx, an answer that cannot be read): looked up before any retry.</summary>
    InDoubt,
}

/// <summary>Twilio's error codes and what each proves about the SMS it answered; the table decides what is permanent.</summary>
public static class TwilioErrorCodes
{
    public const int Authenticate = 20003;
    public const int TooManyRequests = 20429;
    public const int RegionNotEnabled = 21408;
    public const int InvalidNumber = 21211;
    public const int OptedOut = 21610;
    public const int NotMobile = 21614;

    /// <summary>The codes that say something about the officer's number, not only about one SMS.</summary>
    public static bool AboutTheNumber(int code) => code is InvalidNumber or OptedOut or NotMobile;

    /// <summary>
    /// Refusals Twilio documents for creating a message. Permanent: this SMS to this number never goes. Not permanent: the
    /// account's or sender's set-up, or the provider's load, stands in the way, and a person fixing it must not find the SMS failed.
    /// </summary>
    static readonly Dictionary<int, (bool Permanent, string Meaning)> Table = new()
    {
        [InvalidNumber] = (true, "invalid 'To' number"),
        [NotMobile] = (true, "'To' is not a mobile number"),
        [OptedOut] = (true, "the recipient opted out (STOP)"),
        [21612] = (true, "'To' cannot be reached from this sender"),
        [21602] = (true, "the body is empty"),
        [21617] = (true, "the body is over 1,600 characters"),
        [RegionNotEnabled] = (false, "the account may not send to this region (geo permissions)"),
        [21606] = (false, "'From' is not an SMS-capable number of the account"),
        [21212] = (false, "invalid 'From' number"),
        [21603] = (false, "no 'From' number"),
        [21604] = (false, "no 'To' number"),
        [21609] = (false, "invalid StatusCallback URL"),
        [21624] = (false, "invalid ValidityPeriod"),
        [21701] = (false, "invalid Messaging Service"),
        [21611] = (false, "the sender's queue is full"),
        [30001] = (false, "the sender's queue overflowed"),
        [14107] = (false, "the account's send rate was exceeded"),
        [TooManyRequests] = (false, "too many requests"),
        [20404] = (false, "the account or resource was not found"),
    };

    /// <summary>What an answer with HTTP <paramref name="status"/> and Twilio code <paramref name="code"/> (0: none the SDK could read) proves.</summary>
    public static (ProviderVerdict Verdict, string Meaning) Classify(int status, int code) => (status, code) switch
    {
        (401 or 403, _) or (_, Authenticate or 20005) => (ProviderVerdict.CredentialsRefused, "the provider refused the credentials"),
        (429, _) or (_, TooManyRequests) => (ProviderVerdict.NotTaken, "too many requests"),
        // A gateway's 5xx can follow the provider's acceptance; an answer without a code is one the SDK could not read.
        ( >= 500, _) or (_, 0) => (ProviderVerdict.InDoubt, "no answer that proves whether the provider took it"),
        _ when Table.TryGetValue(code, out var entry) => (entry.Permanent ? ProviderVerdict.Refused : ProviderVerdict.NotTaken, entry.Meaning),
        // A 4xx with a code Twilio may add later: the provider refused, and nothing says it would not again.
        _ => (ProviderVerdict.Refused, $"provider error {code}"),
    };
}
