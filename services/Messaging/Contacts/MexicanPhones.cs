namespace Reminders.Messaging.Contacts;

/// <summary>Mexican mobiles since 2019 are +52 and 10 digits; replies may still arrive with the old mobile "1" (+521...).</summary>
public static class MexicanPhones
{
    public static string Canonical(string phone)
    {
        var trimmed = phone.Trim();
        return trimmed.StartsWith("+521", StringComparison.Ordinal) && trimmed.Length == 14 ? "+52" + trimmed[4..] : trimmed;
    }
}
