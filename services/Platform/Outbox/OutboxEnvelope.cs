namespace Reminders.Platform.Outbox;

/// <summary>
/// Events of <see cref="EventTypes"/> that one round of <see cref="Service"/>'s outbox relay publishes as one message, built
/// by <see cref="Wrap"/>, instead of one message each. Each event keeps its own message id inside the envelope, so its
/// consumers stay idempotent per event whichever round, and whichever envelope, carries it.
/// </summary>
public sealed record OutboxEnvelope(string Service, IReadOnlyCollection<Type> EventTypes, Func<IReadOnlyList<OutboxEvent>, object> Wrap)
{
    internal bool Carries(string messageType, string? destination) =>
        destination is null && EventTypes.Any(type => type.FullName == messageType);
}

/// <summary>An outbox event as read back for an <see cref="OutboxEnvelope"/>: the id it was written with, and the event.</summary>
public sealed record OutboxEvent(Guid MessageId, object Message);
