using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Metrics;

namespace Reminders.Platform.Bus;

public static class BusExtensions
{
    /// <summary>
    /// MassTransit over RabbitMQ or in memory, from <c>Bus:Transport</c>; the same consumers either way.
    /// Each service contributes its consumers through <paramref name="addConsumers"/>.
    /// </summary>
    public static IHostApplicationBuilder AddReminderBus(this IHostApplicationBuilder builder, Action<IBusRegistrationConfigurator> addConsumers)
    {
        var options = builder.Configuration.GetSection(BusOptions.Section).Get<BusOptions>() ?? new BusOptions();
        builder.AddErrorQueues(options);
        builder.Services.AddMassTransit(x =>
        {
            x.SetKebabCaseEndpointNameFormatter();
            addConsumers(x);
            x.AddConfigureEndpointsCallback((context, name, endpoint) =>
            {
                context.GetRequiredService<BusEndpointNames>().Add(name);
                // Our consumers are idempotent (inbox), so retrying after a transient failure is safe; ~2.5 minutes in all.
                if (options.RetryLimit > 0)
                    endpoint.UseMessageRetry(r => r.Exponential(options.RetryLimit, TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(500)));
                if (context.GetService<InMemoryErrorQueues>() is { } parked)
                {
                    // Fault events are still published, as by MassTransit's default error pipe; the message is parked instead of moved.
                    endpoint.ConfigureError(e =>
                    {
                        e.UseFilter(new MassTransit.Middleware.GenerateFaultFilter());
                        e.UseFilter(new ParkFaultedFilter(parked, name));
                    });
                    endpoint.ConfigureDeadLetter(e => e.UseFilter(new ParkSkippedFilter(parked, name)));
                }
                if (endpoint is IRabbitMqReceiveEndpointConfigurator rabbit)
                {
                    if (options.RabbitMq.QuorumQueues) rabbit.SetQuorumQueue();
                    rabbit.PrefetchCount = options.RabbitMq.ConcurrentMessageLimit;
                    rabbit.ConcurrentMessageLimit = options.RabbitMq.ConcurrentMessageLimit;
                }
            });

            if (options.Transport == BusTransport.RabbitMq)
            {
                x.UsingRabbitMq((context, cfg) =>
                {
                    var rabbit = options.RabbitMq;
                    cfg.Host(rabbit.Host, rabbit.Port, rabbit.VirtualHost, h =>
                    {
                        h.Username(rabbit.Username);
                        h.Password(rabbit.Password);
                        h.PublisherConfirmation = true;
                    });
                    cfg.DeployTopologyOnly = options.DeployTopologyOnly;
                    cfg.ConfigureEndpoints(context);
                });
            }
            else
            {
                x.UsingInMemory((context, cfg) => cfg.ConfigureEndpoints(context));
            }
        });
        return builder;
    }

    /// <summary>The error queues of this process's endpoints (broker queues, or parked in memory), their metric and readiness check.</summary>
    static void AddErrorQueues(this IHostApplicationBuilder builder, BusOptions options)
    {
        var services = builder.Services;
        services.AddSingleton(options);
        services.AddSingleton<BusEndpointNames>();
        if (options.Transport == BusTransport.RabbitMq)
            services.AddSingleton<ErrorQueues>(sp => new RabbitMqErrorQueues(sp.GetRequiredService<BusEndpointNames>(), options,
                sp.GetRequiredService<ILogger<RabbitMqErrorQueues>>()));
        else
        {
            services.AddSingleton<InMemoryErrorQueues>();
            services.AddSingleton<ErrorQueues>(sp => sp.GetRequiredService<InMemoryErrorQueues>());
        }
        services.AddSingleton<ErrorQueueMonitor>();
        services.AddHostedService(sp => sp.GetRequiredService<ErrorQueueMonitor>());
        services.AddHealthChecks().Add(new HealthCheckRegistration("error-queues",
            sp => sp.GetRequiredService<ErrorQueueMonitor>(), HealthStatus.Degraded, ["ready"]));
        services.AddOpenTelemetry().WithMetrics(m => m.AddMeter(ErrorQueueMonitor.MeterName));
    }

    /// <summary>
    /// Runs the service, or with <c>Bus:DeployTopologyOnly</c> declares its topology on the broker and returns: a service
    /// started after another has published still finds its events in its queues, because the queues existed first.
    /// </summary>
    public static async Task RunServiceAsync(this WebApplication app)
    {
        var options = app.Configuration.GetSection(BusOptions.Section).Get<BusOptions>() ?? new BusOptions();
        if (!options.DeployTopologyOnly)
        {
            await app.RunAsync();
            return;
        }
        if (options.Transport != BusTransport.RabbitMq)
            throw new InvalidOperationException("Bus:DeployTopologyOnly needs Bus:Transport=RabbitMq: the in-memory bus has no topology to deploy.");
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await app.Services.GetRequiredService<IBusControl>().DeployAsync(timeout.Token);
        app.Logger.LogInformation("Deployed the bus topology of {Service} on {VirtualHost}", app.Environment.ApplicationName, options.RabbitMq.VirtualHost);
    }

    /// <summary>
    /// Registers a consumer on an endpoint named after its service and message ("messaging-send-sms"), so that
    /// two services consuming the same event get their own queues, in one process as in four.
    /// </summary>
    public static IConsumerRegistrationConfigurator<TConsumer> AddServiceConsumer<TConsumer>(this IBusRegistrationConfigurator bus, string service)
        where TConsumer : class, IConsumer =>
        bus.AddServiceConsumer<TConsumer>(service, KebabCaseEndpointNameFormatter.Instance.Consumer<TConsumer>());

    /// <summary>As above, with the consumer's part of the name given (a generic consumer shared by several services).</summary>
    public static IConsumerRegistrationConfigurator<TConsumer> AddServiceConsumer<TConsumer>(this IBusRegistrationConfigurator bus, string service, string consumerName)
        where TConsumer : class, IConsumer
    {
        var registration = bus.AddConsumer<TConsumer>();
        registration.Endpoint(e => e.Name = $"{service}-{consumerName}");
        return registration;
    }
}
