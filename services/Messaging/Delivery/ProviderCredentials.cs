using System.Diagnostics.Metrics;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Reminders.Messaging.Delivery;

/// <summary>
/// Whether the provider accepts Messaging's credentials. A refusal (401, 403, 20003) says the sender is misconfigured, never
/// that an SMS is wrong: sending pauses (no SMS fails for it), readiness turns unhealthy and a metric rises, and the
/// credentials are tried again every <see cref="TwilioOptions.CredentialsProbeSeconds"/> while SMS wait, so sending resumes
/// by itself once they work (a rotation finished, a secret fixed).
/// </summary>
public sealed class ProviderCredentials : IHealthCheck
{
    public const string MeterName = "Reminders.Messaging";

    readonly TwilioSmsSender sender;
    readonly TimeProvider clock;
    readonly ILogger<ProviderCredentials> logger;
    readonly TimeSpan probeEvery;
    readonly Counter<long> refusals;
    readonly SemaphoreSlim probing = new(1, 1);
    readonly Lock gate = new();
    DateTimeOffset? pausedSince;
    DateTimeOffset lastTried;
    string? lastReason;

    public ProviderCredentials(TwilioSmsSender sender, IOptions<TwilioOptions> options, TimeProvider clock, IMeterFactory meters,
        ILogger<ProviderCredentials> logger)
    {
        (this.sender, this.clock, this.logger) = (sender, clock, logger);
        probeEvery = TimeSpan.FromSeconds(Math.Max(0, options.Value.CredentialsProbeSeconds));
        var meter = meters.Create(MeterName);
        refusals = meter.CreateCounter<long>("reminders.messaging.provider.credentials_refused",
            description: "Provider answers that refused Messaging's credentials (401, 403, 20003).");
        meter.CreateObservableGauge("reminders.messaging.sending_paused", () => Paused ? 1 : 0,
            description: "1 while sending is paused because the provider refuses the credentials.");
    }

    public bool Paused
    {
        get
        {
            lock (gate) return pausedSince is not null;
        }
    }

    /// <summary>Since when sending is paused and the provider's last refusal ("20003: Authenticate"); null while it is not.</summary>
    public (DateTimeOffset Since, string? Reason)? Pause
    {
        get
        {
            lock (gate) return pausedSince is { } since ? (since, lastReason) : null;
        }
    }

    /// <summary>The provider refused the credentials: sending pauses (once, logged), and the refusal is counted.</summary>
    public void Refused(int code, string reason)
    {
        refusals.Add(1);
        lock (gate)
        {
            lastTried = clock.GetUtcNow();
            lastReason = $"{code}: {reason}";
            if (pausedSince is not null) return;
            pausedSince = lastTried;
        }
        logger.LogError("Sending paused: the provider refused the credentials ({Code}): {Reason}. No SMS fails for it; sending resumes once they work",
            code, reason);
    }

    /// <summary>The provider took a request with the credentials: sending resumes if it was paused.</summary>
    public void Worked()
    {
        DateTimeOffset since;
        lock (gate)
        {
            if (pausedSince is not { } paused) return;
            (since, pausedSince) = (paused, null);
        }
        logger.LogWarning("Sending resumed: the provider accepts the credentials again after {Seconds:F0} s paused", (clock.GetUtcNow() - since).TotalSeconds);
    }

    /// <summary>False when sending may go on; while paused, the credentials are tried again at most every probe interval.</summary>
    public async Task<bool> StillPausedAsync()
    {
        if (!Paused) return false;
        lock (gate)
        {
            if (clock.GetUtcNow() - lastTried < probeEvery) return true;
        }
        // One probe at a time; the others keep waiting meanwhile.
        if (!await probing.WaitAsync(0)) return true;
        try
        {
            lock (gate) lastTried = clock.GetUtcNow();
            switch (await sender.CredentialsWorkAsync())
            {
                case true:
                    Worked();
                    return false;
                case false:
                    Refused(TwilioErrorCodes.Authenticate, "still refused when tried again");
                    return true;
                default:
                    return true;
            }
        }
        finally
        {
            probing.Release();
        }
    }

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            return Task.FromResult(pausedSince is { } since
                ? HealthCheckResult.Unhealthy($"Sending paused since {since:O}: the provider refuses the credentials ({lastReason}).")
                : HealthCheckResult.Healthy("The provider accepts the credentials."));
        }
    }
}
