using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Reminders.Contracts;
using Reminders.Platform.Bus;
using Reminders.Platform.Data;

namespace Reminders.Platform.Replica;

/// <summary>A service that keeps the officer study facts (<see cref="OfficerStudyFacts"/>) in its own database.</summary>
public interface IReplicaOwner
{
    static abstract string ServiceName { get; }
}

/// <summary>Each replicating service's copy of the officers' arms of randomization.</summary>
public sealed class OfficerArmsAssignedConsumer<TService>(IServiceProvider services) : IConsumer<OfficerArmsAssigned> where TService : IReplicaOwner
{
    readonly ServiceDatabase database = services.GetRequiredKeyedService<ServiceDatabase>(TService.ServiceName);

    public async Task Consume(ConsumeContext<OfficerArmsAssigned> context)
    {
        await using var work = await database.BeginAsync(context.CancellationToken);
        if (!await work.TryRecordInboxAsync(context.MessageId!.Value, "OfficerArmsAssignedConsumer", context.CancellationToken)) return;
        await OfficerStudyFacts.ApplyArmsAsync(work, context.Message, context.CancellationToken);
        await work.CommitAsync(context.CancellationToken);
    }
}

/// <summary>Each replicating service's copy of the officers' consent (services with an effect of their own have their own consumer).</summary>
public sealed class OfficerConsentChangedConsumer<TService>(IServiceProvider services) : IConsumer<OfficerConsentChanged> where TService : IReplicaOwner
{
    readonly ServiceDatabase database = services.GetRequiredKeyedService<ServiceDatabase>(TService.ServiceName);

    public async Task Consume(ConsumeContext<OfficerConsentChanged> context)
    {
        var (message, ct) = (context.Message, context.CancellationToken);
        await using var work = await database.BeginAsync(ct);
        if (!await work.TryRecordInboxAsync(context.MessageId!.Value, "OfficerConsentChangedConsumer", ct)) return;
        await OfficerStudyFacts.ApplyConsentAsync(work, message.OfficerId, message.Consent, message.ChangedAt, ct);
        await work.CommitAsync(ct);
    }
}

public static class ReplicaConsumerRegistration
{
    /// <summary>The shared replica consumers on the service's own endpoints ("scheduler-officer-arms-assigned").</summary>
    public static void AddOfficerArmsConsumer<TService>(this IBusRegistrationConfigurator bus) where TService : IReplicaOwner =>
        bus.AddServiceConsumer<OfficerArmsAssignedConsumer<TService>>(TService.ServiceName, "officer-arms-assigned");

    public static void AddOfficerConsentConsumer<TService>(this IBusRegistrationConfigurator bus) where TService : IReplicaOwner =>
        bus.AddServiceConsumer<OfficerConsentChangedConsumer<TService>>(TService.ServiceName, "officer-consent-changed");
}
