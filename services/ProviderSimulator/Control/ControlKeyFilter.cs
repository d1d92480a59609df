using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace Reminders.ProviderSimulator.Control;

/// <summary>The control routes take the simulator's own key (<c>Simulator:ControlKey</c>) in <c>X-Simulator-Key</c>; anything else is 401.</summary>
internal sealed class ControlKeyFilter(IOptions<SimulatorOptions> options) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var expected = options.Value.ControlKey;
        var given = context.HttpContext.Request.Headers[SimulatorOptions.ControlKeyHeader].ToString();
        // Digests compared in fixed time: neither the key's characters nor its length show in the timing.
        if (expected.Length > 0 && CryptographicOperations.FixedTimeEquals(Digest(given), Digest(expected)))
        {
            return await next(context);
        }
        return TypedResults.Problem(
            title: "Not authenticated",
            detail: $"Send the simulator's control key (Simulator:ControlKey) in the {SimulatorOptions.ControlKeyHeader} header.",
            statusCode: StatusCodes.Status401Unauthorized);
    }

    private static byte[] Digest(string value) => SHA256.HashData(Encoding.UTF8.GetBytes(value));
}
