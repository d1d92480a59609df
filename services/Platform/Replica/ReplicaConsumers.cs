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

/// <summary>
/// The replica consumers a service needs no effect of its own for. Endpoint names ("attendance-officer-enrolled") and
/// inbox keys ("OfficerEnrolledConsumer") are those the per-service consumers had, so nothing is applied twice.
/// </summary>
public abstract class ReplicaConsumer<TService, TMessage>(IServiceProvider services, string inboxKey, Func<UnitOfWork, TMessage, CancellationToken, Task> apply)
    : IConsumer<TMessage> where TService : IReplicaOwner where TMessage : class
{
    readonly ServiceDatabase database = services.GetRequiredKeyedService<ServiceDatabase>(TService.ServiceName);

    public Task Consume(ConsumeContext<TMessage> context) =>
        database.ConsumeOnceAsync(context, inboxKey, (work, ct) => apply(work, context.Message, ct));
}

/// <summary>Each replicating service's copy of the officers' arms of randomization.</summary>
public sealed class OfficerArmsAssignedConsumer<TService>(IServiceProvider services)
    : ReplicaConsumer<TService, OfficerArmsAssigned>(services, "OfficerArmsAssignedConsumer", OfficerStudyFacts.ApplyArmsAsync) where TService : IReplicaOwner;

/// <summary>Each replicating service's copy of the officers' consent (the Scheduler, which acts on it, has its own consumer).</summary>
public sealed class OfficerConsentChangedConsumer<TService>(IServiceProvider services)
    : ReplicaConsumer<TService, OfficerConsentChanged>(services, "OfficerConsentChangedConsumer",
        (work, m, ct) => OfficerStudyFacts.ApplyConsentAsync(work, m.OfficerId, m.Consent, m.ChangedAt, ct)) where TService : IReplicaOwner;

public sealed class OfficerEnrolledConsumer<TService>(IServiceProvider services)
    : ReplicaConsumer<TService, OfficerEnrolled>(services, "OfficerEnrolledConsumer", OfficerReplica.EnrollAsync) where TService : IReplicaOwner;

public sealed class OfficerTransferredConsumer<TService>(IServiceProvider services)
    : ReplicaConsumer<TService, OfficerTransferred>(services, "OfficerTransferredConsumer", OfficerReplica.TransferAsync) where TService : IReplicaOwner;

public sealed class OfficerChangedConsumer<TService>(IServiceProvider services)
    : ReplicaConsumer<TService, OfficerChanged>(services, "OfficerChangedConsumer", OfficerReplica.ChangeRoleAsync) where TService : IReplicaOwner;

public sealed class OfficerStatusChangedConsumer<TService>(IServiceProvider services)
    : ReplicaConsumer<TService, OfficerStatusChanged>(services, "OfficerStatusChangedConsumer", OfficerReplica.ChangeStatusAsync) where TService : IReplicaOwner;

public sealed class SectorsRandomizedConsumer<TService>(IServiceProvider services)
    : ReplicaConsumer<TService, SectorsRandomized>(services, "SectorsRandomizedConsumer", OfficerReplica.RandomizeAsync) where TService : IReplicaOwner;

public sealed class RandomizationVoidedConsumer<TService>(IServiceProvider services)
    : ReplicaConsumer<TService, RandomizationVoided>(services, "RandomizationVoidedConsumer", OfficerReplica.VoidAsync) where TService : IReplicaOwner;

public static class ReplicaConsumerRegistration
{
    // The shared replica consumers, on the service's own endpoints ("scheduler-officer-arms-assigned").
    public static void AddOfficerConsentConsumer<TService>(this IBusRegistrationConfigurator bus) where TService : IReplicaOwner =>
        bus.AddServiceConsumer<OfficerConsentChangedConsumer<TService>>(TService.ServiceName, "officer-consent-changed");

    public static void AddOfficerEnrolledConsumer<TService>(this IBusRegistrationConfigurator bus) where TService : IReplicaOwner =>
        bus.AddServiceConsumer<OfficerEnrolledConsumer<TService>>(TService.ServiceName, "officer-enrolled");

    public static void AddOfficerTransferredConsumer<TService>(this IBusRegistrationConfigurator bus) where TService : IReplicaOwner =>
        bus.AddServiceConsumer<OfficerTransferredConsumer<TService>>(TService.ServiceName, "officer-transferred");

    public static void AddOfficerChangedConsumer<TService>(this IBusRegistrationConfigurator bus) where TService : IReplicaOwner =>
        bus.AddServiceConsumer<OfficerChangedConsumer<TService>>(TService.ServiceName, "officer-changed");

    public static void AddOfficerStatusChangedConsumer<TService>(this IBusRegistrationConfigurator bus) where TService : IReplicaOwner =>
        bus.AddServiceConsumer<OfficerStatusChangedConsumer<TService>>(TService.ServiceName, "officer-status-changed");

    /// <summary>Sectors' and officers' arms, and voided randomizations.</summary>
    public static void AddRandomizationConsumers<TService>(this IBusRegistrationConfigurator bus) where TService : IReplicaOwner
    {
        bus.AddServiceConsumer<SectorsRandomizedConsumer<TService>>(TService.ServiceName, "sectors-randomized");
        bus.AddServiceConsumer<RandomizationVoidedConsumer<TService>>(TService.ServiceName, "randomization-voided");
        bus.AddServiceConsumer<OfficerArmsAssignedConsumer<TService>>(TService.ServiceName, "officer-arms-assigned");
    }
}
