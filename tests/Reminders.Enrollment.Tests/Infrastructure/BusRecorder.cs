using System.Collections.Concurrent;
using MassTransit;

namespace Reminders.Enrollment.Tests.Infrastructure;

/// <summary>What the service put on its bus (after the outbox relay): every published event and every sent command.</summary>
public sealed class BusRecorder : IPublishObserver, ISendObserver
{
    public sealed record Recorded(object Message, Guid? MessageId, Uri? Destination);

    readonly ConcurrentQueue<Recorded> published = new();
    readonly ConcurrentQueue<Recorded> sent = new();

    public IReadOnlyList<Recorded> AllPublished => published.ToList();
    public IReadOnlyList<T> Published<T>() => published.Select(p => p.Message).OfType<T>().ToList();
    /// <summary>Commands of type <typeparamref name="T"/> sent (a publish is a send too, to the type's exchange).</summary>
    public IReadOnlyList<Recorded> Sent<T>() => sent.Where(s => s.Message is T).ToList();

    public Task PrePublish<T>(PublishContext<T> context) where T : class => Task.CompletedTask;

    public Task PostPublish<T>(PublishContext<T> context) where T : class
    {
        published.Enqueue(new Recorded(context.Message, context.MessageId, context.DestinationAddress));
        return Task.CompletedTask;
    }

    public Task PublishFault<T>(PublishContext<T> context, Exception exception) where T : class => Task.CompletedTask;

    public Task PreSend<T>(SendContext<T> context) where T : class => Task.CompletedTask;

    public Task PostSend<T>(SendContext<T> context) where T : class
    {
        sent.Enqueue(new Recorded(context.Message, context.MessageId, context.DestinationAddress));
        return Task.CompletedTask;
    }

    public Task SendFault<T>(SendContext<T> context, Exception exception) where T : class => Task.CompletedTask;
}
