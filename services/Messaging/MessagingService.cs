using MassTransit;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using OpenTelemetry.Metrics;
using Reminders.Messaging.Audit;
using Reminders.Messaging.Contacts;
using Reminders.Messaging.Delivery;
using Reminders.Messaging.Replies;
using Reminders.Messaging.Webhooks;
using Reminders.Platform.Bus;
using Reminders.Platform.Data;
using Reminders.Platform.Replica;
using Reminders.Platform.Hosting;
using Reminders.Protocol;

namespace Reminders.Messaging;

/// <summary>Phone numbers (a replica), outbound SMS with their full status history, inbound replies.</summary>
public static class MessagingService
{
    public const string Name = "messaging";

    /// <summary>This service as the owner of its copy of the officers' study facts.</summary>
    public sealed class Replica : IReplicaOwner
    {
        public static string ServiceName => Name;
    }

    public static WebApplicationBuilder AddMessaging(this WebApplicationBuilder builder)
    {
        builder.AddServiceDatabase(Name, typeof(MessagingService).Assembly, options => new MessagingDatabase(options));
        builder.Services.AddSingleton(SmsEventsEnvelope.For(Name));
        builder.Services.AddStudyProtocol();
        builder.Services.Configure<TwilioOptions>(builder.Configuration.GetSection(TwilioOptions.Section));
        builder.Services.Configure<MessagingOptions>(builder.Configuration.GetSection(MessagingOptions.Section));
        builder.Services.AddSingleton<DeliveryMetrics>();
        builder.Services.AddSingleton(DeliveryMetrics.SmsByPurposeAndStatus);
        builder.Services.AddSingleton<TwilioSmsSender>();
        builder.Services.AddSingleton<InDoubtLookup>();
        builder.Services.AddSingleton<ProviderCredentials>();
        builder.Services.AddHealthChecks().Add(new HealthCheckRegistration("provider-credentials",
            sp => sp.GetRequiredService<ProviderCredentials>(), HealthStatus.Unhealthy, ["ready"]));
        builder.Services.AddOpenTelemetry().WithMetrics(m => m.AddMeter(ProviderCredentials.MeterName));
        builder.Services.AddSingleton<SenderPacer>();
        builder.Services.AddSingleton<WebhookUrls>();
        builder.Services.AddSingleton<StatusCallbackRecorder>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<StatusCallbackRecorder>());
        builder.Services.AddSingleton<GroupedWrites<MessagingDatabase>>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<GroupedWrites<MessagingDatabase>>());
        builder.Services.AddSingleton<SendClaims>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<SendClaims>());
        builder.Services.AddSingleton<InboundReplies>();
        builder.Services.Configure<ReconciliationOptions>(builder.Configuration.GetSection(ReconciliationOptions.Section));
        builder.Services.AddSingleton<SmsReconciliation>();
        builder.Services.Configure<DeferredSendOptions>(builder.Configuration.GetSection(DeferredSendOptions.Section));
        builder.Services.AddSingleton<DeferredSends>();
        var interval = TimeSpan.FromSeconds(Math.Max(1, builder.Configuration.GetValue($"{ReconciliationOptions.Section}:IntervalSeconds", 60)));
        var deferredInterval = TimeSpan.FromSeconds(Math.Max(1, builder.Configuration.GetValue($"{DeferredSendOptions.Section}:IntervalSeconds", 10)));
        builder.AddServiceJobs(Name, q => q
            .ScheduleRecurring<ReconcileSmsJob>(ReconcileSmsJob.Key, interval)
            .ScheduleRecurring<ReleaseDeferredSmsJob>(ReleaseDeferredSmsJob.Key, deferredInterval));
        builder.AddConsistencyAudit();
        return builder;
    }

    public static void AddMessagingConsumers(this IBusRegistrationConfigurator bus)
    {
        bus.AddServiceConsumer<UpdateOfficerContactConsumer>(Name);
        // The officer replica (Platform's).
        bus.AddOfficerEnrolledConsumer<Replica>();
        bus.AddRandomizationConsumers<Replica>();
        bus.AddOfficerConsentConsumer<Replica>();
        bus.AddOfficerStatusChangedConsumer<Replica>();
        bus.AddOfficerTransferredConsumer<Replica>();
        bus.AddOfficerChangedConsumer<Replica>();
        bus.AddServiceConsumer<SendSmsConsumer>(Name);
    }

    public static IEndpointRouteBuilder MapMessagingApi(this IEndpointRouteBuilder app)
    {
        app.MapTwilioWebhooks();
        app.MapSmsApi();
        app.MapAuditApi();
        app.MapSendersApi();
        app.MapErrorQueuesApi(Name);
        return app;
    }
}
