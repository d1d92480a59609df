using System.Collections.Concurrent;
using MassTransit;

namespace Reminders.Platform.Tests.Infrastructure;

/// <summary>Every message a consumer of the bus finished (or faulted on), by message id.</summary>
public sealed class ConsumeRecorder : IConsumeObserver
{
    readonly ConcurrentQueue<(Guid? MessageId, Type MessageType)> consumed = new();
    readonly ConcurrentQueue<(Guid? MessageId, Exception Error)> faults = new();

    public int Consumed(Guid messageId) => consumed.Count(c => c.MessageId == messageId);
    public IReadOnlyList<string> Faults => faults.Select(f => $"{f.MessageId}: {f.Error.Message}").ToList();

    public Task PreConsume<T>(ConsumeContext<T> context) where T : class => Task.CompletedTask;

    public Task PostConsume<T>(ConsumeContext<T> context) where T : class
    {
        consumed.Enqueue((context.MessageId, typeof(T)));
        return Task.CompletedTask;
    }

    public Task ConsumeFault<T>(ConsumeContext<T> context, Exception exception) where T : class
    {
        faults.Enqueue((context.MessageId, exception));
        return Task.CompletedTask;
    }
}
