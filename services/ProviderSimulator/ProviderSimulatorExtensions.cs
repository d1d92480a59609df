using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Reminders.ProviderSimulator.Control;
using Reminders.ProviderSimulator.Delivery;
using Reminders.ProviderSimulator.Faults;
using Reminders.ProviderSimulator.Log;
using Reminders.ProviderSimulator.RateLimiting;
using Reminders.ProviderSimulator.Replies;
using Reminders.ProviderSimulator.Twilio;

namespace Reminders.ProviderSimulator;

public static class ProviderSimulatorExtensions
{
    /// <summary>Registers the simulator's own services; adds no middleware (its routes check their own credentials).</summary>
    public static IServiceCollection AddProviderSimulator(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<SimulatorOptions>()
            .Bind(configuration.GetSection(SimulatorOptions.SectionName))
            .Validate(o => !string.IsNullOrWhiteSpace(o.AccountSid) && !string.IsNullOrWhiteSpace(o.AuthToken),
                "Simulator:AccountSid and Simulator:AuthToken are required")
            .Validate(o => !string.IsNullOrWhiteSpace(o.ControlKey),
                $"Simulator:ControlKey is required: the key the /simulator/* control routes take in the {SimulatorOptions.ControlKeyHeader} header")
            .Validate(o => o.SentDelayMs >= 0 && o.DeliveredDelayMs >= 0, "Simulator delays must not be negative")
            .ValidateOnStart();

        services.TryAddSingleton(SimulatorClock.FromConfiguration(configuration));
        services.AddHttpClient(CallbackDispatcher.HttpClientName, (sp, client) =>
            client.Timeout = TimeSpan.FromMilliseconds(sp.GetRequiredService<IOptions<SimulatorOptions>>().Value.CallbackTimeoutMs));

        services.AddSingleton<SimulatorLog>();
        services.AddSingleton<SimulatorFaults>();
        services.AddSingleton<SenderRateLimiter>();
        services.AddSingleton<MessageCreation>();
        services.AddSingleton<ReplySimulator>();
        services.AddSingleton<OptOutBlocks>();

        services.AddSingleton<CallbackDispatcher>();
        services.AddSingleton<MessageLifecycle>();
        services.AddSingleton<CsvLogFile>();
        services.AddHostedService(sp => sp.GetRequiredService<CallbackDispatcher>());
        services.AddHostedService(sp => sp.GetRequiredService<MessageLifecycle>());
        services.AddHostedService(sp => sp.GetRequiredService<CsvLogFile>());
        return services;
    }

    /// <summary>
    /// Maps Twilio's Messages API under <c>/2010-04-01/</c> and the control routes under <c>/simulator/</c>. Map them only where
    /// the simulator is the configured provider: the control routes can fake any officer's reply.
    /// </summary>
    public static IEndpointRouteBuilder MapProviderSimulator(this IEndpointRouteBuilder app)
    {
        app.MapTwilioMessagesApi();
        app.MapSimulatorControlApi();
        return app;
    }
}
