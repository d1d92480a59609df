using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Reminders.ProviderSimulator.Faults;
using Reminders.ProviderSimulator.Log;

namespace Reminders.ProviderSimulator.Twilio;

/// <summary>HTTP Basic with AccountSid:AuthToken, and the account in the path must be that account.</summary>
internal sealed class TwilioAuthFilter(IOptions<SimulatorOptions> options, SimulatorLog log, SimulatorFaults faults) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var expected = options.Value;
        if (faults.Next(FaultFamily.Credentials) is null && IsAccount(http.Request.Headers.Authorization.ToString(), expected) &&
            string.Equals(http.GetRouteValue("accountSid") as string, expected.AccountSid, StringComparison.Ordinal))
        {
            return await next(context);
        }
        log.CountRejection("20003");
        http.Response.Headers.WWWAuthenticate = "Basic realm=\"Twilio API\"";
        return TwilioErrors.Authenticate().ToResult();
    }

    private static bool IsAccount(string header, SimulatorOptions expected)
    {
        const string scheme = "Basic ";
        if (!header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }
        Span<byte> decoded = stackalloc byte[512];
        if (!Convert.TryFromBase64String(header[scheme.Length..].Trim(), decoded, out var length))
        {
            return false;
        }
        var given = decoded[..length];
        var wanted = Encoding.UTF8.GetBytes($"{expected.AccountSid}:{expected.AuthToken}");
        return CryptographicOperations.FixedTimeEquals(given, wanted);
    }
}
