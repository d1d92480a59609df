using System.Security.Cryptography;
using System.Text;

namespace Reminders.EndToEnd.Tests;

/// <summary>Signs a webhook the way Twilio does: Base64(HMAC-SHA1(token, url + each POST name and value, sorted by name)).</summary>
static class TwilioSigner
{
    public static string Sign(string authToken, string url, IReadOnlyDictionary<string, string> form)
    {
        var data = new StringBuilder(url);
        foreach (var (key, value) in form.OrderBy(p => p.Key, StringComparer.Ordinal)) data.Append(key).Append(value);
        using var hmac = new HMACSHA1(Encoding.UTF8.GetBytes(authToken));
        return Convert.ToBase64String(hmac.ComputeHash(Encoding.UTF8.GetBytes(data.ToString())));
    }
}
