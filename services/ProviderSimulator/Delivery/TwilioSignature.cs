using System.Security.Cryptography;
using System.Text;

namespace Reminders.ProviderSimulator.Delivery;

/// <summary>
/// <c>X-Twilio-Signature</c>: Base64(HMAC-SHA1(auth token, full URL + each POST parameter's name and value,
/// sorted by name, ordinal)), which is what <c>Twilio.Security.RequestValidator</c> checks.
/// </summary>
internal static class TwilioSignature
{
    public const string Header = "X-Twilio-Signature";

    public static string Compute(string authToken, string url, IEnumerable<KeyValuePair<string, string>> parameters)
    {
        var data = new StringBuilder(url);
        foreach (var (name, value) in parameters.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            data.Append(name).Append(value);
        }
        var hash = HMACSHA1.HashData(Encoding.UTF8.GetBytes(authToken), Encoding.UTF8.GetBytes(data.ToString()));
        return Convert.ToBase64String(hash);
    }
}
