using System.Threading.Channels;
using Microsoft.Extensions.Options;
using Reminders.ProviderSimulator.Faults;
using Reminders.ProviderSimulator.Log;

namespace Reminders.ProviderSimulator.Delivery;

internal enum DeliveryOutcome { Delivered, Undelivered, Failed }

/// <summary>
/// Moves accepted messages through sent to their final status on a timer queue and hands the status
/// callbacks to the <see cref="CallbackDispatcher"/>. One loop owns the queue; new messages arrive by channel.
/// </summary>
internal sealed class MessageLifecycle(
    SimulatorLog log,
    CallbackDispatcher callbacks,
    IOptions<SimulatorOptions> options,
    TimeProvider time,
    ILogger<MessageLifecycle> logger) : BackgroundService
{
    private readonly Channel<Step> incoming = Channel.CreateUnbounded<Step>(new UnboundedChannelOptions { SingleReader = true });
    private readonly PriorityQueue<Step, long> due = new();

    public void Schedule(SimulatedMessage message, DeliveryOutcome outcome, FaultKind? callbackFault) =>
        incoming.Writer.TryWrite(new Step(message.Sid, Stage.Sent, outcome, callbackFault, After(options.Value.SentDelayMs)));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        Task<bool>? arrival = null;
        while (!stoppingToken.IsCancellationRequested)
        {
            while (incoming.Reader.TryRead(out var step))
            {
                due.Enqueue(step, step.DueAt);
            }
            while (due.TryPeek(out var step, out var dueAt) && dueAt <= time.GetTimestamp())
            {
                due.Dequeue();
                Advance(step);
            }

            arrival ??= incoming.Reader.WaitToReadAsync(stoppingToken).AsTask();
            if (!due.TryPeek(out _, out var next))
            {
                await arrival;
                arrival = null;
                continue;
            }

            using var wake = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            var wait = time.GetElapsedTime(time.GetTimestamp(), next);
            var timer = Task.Delay(wait > TimeSpan.Zero ? wait : TimeSpan.Zero, time, wake.Token);
            if (await Task.WhenAny(arrival, timer) == arrival)
            {
                arrival = null;
            }
            await wake.CancelAsync();
        }
    }

    private void Advance(Step step)
    {
        try
        {
            if (step.Stage == Stage.Sent)
            {
                MarkSent(step);
            }
            else
            {
                Finish(step);
            }
        }
        catch (Exception e)
        {
            logger.LogError(e, "Could not advance message {Sid}", step.Sid);
        }
    }

    private void MarkSent(Step step)
    {
        var now = time.GetUtcNow();
        var fallbackFrom = options.Value.MessagingServiceFrom;
        var message = log.Update(step.Sid, m => m with
        {
            Status = MessageStatuses.Sent,
            From = m.From ?? fallbackFrom,
            DateSent = now,
            StatusUpdatedAt = now,
        });
        if (message is null)
        {
            return;
        }
        if (step.CallbackFault != FaultKind.CallbacksOutOfOrder)
        {
            Notify(message, MessageStatuses.Sent, null, step.CallbackFault);
        }
        var final = step with { Stage = Stage.Final, DueAt = After(options.Value.DeliveredDelayMs) };
        due.Enqueue(final, final.DueAt);
    }

    private void Finish(Step step)
    {
        var (status, errorCode) = step.Outcome switch
        {
            DeliveryOutcome.Undelivered => (MessageStatuses.Undelivered, (int?)30003),
            DeliveryOutcome.Failed => (MessageStatuses.Failed, 30008),
            _ => (MessageStatuses.Delivered, null),
        };
        var now = time.GetUtcNow();
        var message = log.Update(step.Sid, m => m with { Status = status, ErrorCode = errorCode, StatusUpdatedAt = now });
        if (message is null)
        {
            return;
        }
        Notify(message, status, errorCode, step.CallbackFault);
        if (step.CallbackFault == FaultKind.CallbacksOutOfOrder)
        {
            // The late "sent" that a receiver must not let move the status backwards.
            Notify(message, MessageStatuses.Sent, null, step.CallbackFault);
        }
    }

    private void Notify(SimulatedMessage message, string status, int? errorCode, FaultKind? callbackFault)
    {
        if (message.StatusCallback is null)
        {
            return;
        }
        var callback = Webhook.StatusCallback(message, status, errorCode, options.Value.AccountSid, options.Value.AuthToken);
        callbacks.Enqueue(message.Sid, callback);
        if (callbackFault == FaultKind.DuplicateCallbacks)
        {
            callbacks.Enqueue(message.Sid, callback);
        }
    }

    private long After(int milliseconds) =>
        time.GetTimestamp() + (long)(Math.Max(0, milliseconds) / 1000.0 * time.TimestampFrequency);

    private enum Stage { Sent, Final }

    private sealed record Step(string Sid, Stage Stage, DeliveryOutcome Outcome, FaultKind? CallbackFault, long DueAt);
}
