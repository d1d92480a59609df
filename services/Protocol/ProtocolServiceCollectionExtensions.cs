using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Reminders.Protocol;

public static class ProtocolServiceCollectionExtensions
{
    /// <summary>
    /// The protocol in force (<see cref="ProtocolLoader.Load(IConfiguration)"/>) and its <see cref="WorkingDayCalendar"/>
    /// as singletons, checked when the host starts: an invalid file stops the start with every error listed; the
    /// version, fingerprint and warnings are logged.
    /// </summary>
    public static IServiceCollection AddStudyProtocol(this IServiceCollection services)
    {
        services.TryAddSingleton(sp => ProtocolLoader.Load(sp.GetRequiredService<IConfiguration>()));
        services.TryAddSingleton(sp => new WorkingDayCalendar(sp.GetRequiredService<StudyProtocol>()));
        services.AddHostedService<ProtocolStartupCheck>();
        return services;
    }
}

internal sealed class ProtocolStartupCheck(IServiceProvider services, ILogger<ProtocolStartupCheck> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var protocol = services.GetRequiredService<StudyProtocol>();
        logger.LogInformation("Study protocol {Version} (schema {Schema}, sha256 {Fingerprint}) from {Source}",
            protocol.Version, protocol.SchemaVersion, protocol.Fingerprint, protocol.Source);
        foreach (var warning in protocol.Warnings)
            logger.LogWarning("Study protocol {Version}: {Path}: {Message}", protocol.Version, warning.Path, warning.Message);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
