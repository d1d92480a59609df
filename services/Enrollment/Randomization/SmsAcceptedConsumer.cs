using Dapper;
using MassTransit;
using Reminders.Contracts;
using Reminders.Platform.Data;

namespace Reminders.Enrollment.Randomization;

/// <summary>The first SMS the provider accepted starts the study: from then on the randomization can no longer be voided.</summary>
public sealed class SmsAcceptedConsumer(EnrollmentDatabase database, RecordedStudyStart recorded) : IConsumer<SmsAccepted>, IConsumer<SmsEventsBatch>
{
    public Task Consume(ConsumeContext<SmsAccepted> context) => RecordStudyActivityAsync(context.Message.AcceptedAt, context.CancellationToken);

    /// <summary>A batch of SMS events says it once, with its earliest acceptance: one statement for a batch, not one per SMS.</summary>
    public Task Consume(ConsumeContext<SmsEventsBatch> context) =>
        context.Message.Events.Min(e => e.Accepted?.AcceptedAt) is { } first ? RecordStudyActivityAsync(first, context.CancellationToken) : Task.CompletedTask;

    async Task RecordStudyActivityAsync(DateTimeOffset acceptedAt, CancellationToken ct)
    {
        if (recorded.Covers(acceptedAt)) return;
        // Keeping the earliest time is idempotent by itself, so this one statement needs no inbox row: every SMS of the study
        // passes through here, and a transaction plus an inbox row each would be most of Enrollment's work.
        await using var connection = await database.OpenAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO study_activity (kind, first_seen_at) VALUES ('sms_accepted', @acceptedAt)
            ON CONFLICT (kind) DO UPDATE SET first_seen_at = excluded.first_seen_at WHERE excluded.first_seen_at < study_activity.first_seen_at
            """, new { acceptedAt }, cancellationToken: ct));
        recorded.Add(acceptedAt);
    }
}

/// <summary>
/// The earliest SMS acceptance this process has seen committed. The study's start only ever moves earlier and its row is
/// never deleted, so an acceptance at or after it changes nothing: no statement, where each took the row's lock.
/// </summary>
public sealed class RecordedStudyStart
{
    long earliestTicks = long.MaxValue;

    public bool Covers(DateTimeOffset acceptedAt) => acceptedAt.UtcTicks >= Volatile.Read(ref earliestTicks);

    public void Add(DateTimeOffset acceptedAt)
    {
        var ticks = acceptedAt.UtcTicks;
        for (var seen = Volatile.Read(ref earliestTicks); ticks < seen;)
        {
            var before = Interlocked.CompareExchange(ref earliestTicks, ticks, seen);
            if (before == seen) return;
            seen = before;
        }
    }
}
