using MassTransit;
using Reminders.Contracts;
using Reminders.Platform.Data;

namespace Reminders.Enrollment.Officers;

/// <summary>The opt-in keyword (ALTA) is the only reply that undoes an opt-out; it changes no other status.</summary>
public sealed class SmsOptInRequestedConsumer([FromKeyedServices(EnrollmentService.Name)] ServiceDatabase database) : IConsumer<SmsOptInRequested>
{
    public async Task Consume(ConsumeContext<SmsOptInRequested> context)
    {
        var (message, ct) = (context.Message, context.CancellationToken);
        await using var work = await database.BeginAsync(ct);
        if (!await work.TryRecordInboxAsync(context.MessageId!.Value, nameof(SmsOptInRequestedConsumer), ct)) return;
        var current = await work.QuerySingleOrDefaultAsync<string?>(
            $"SELECT status FROM officers WHERE id = @OfficerId {work.Dialect.ForUpdate()}", new { message.OfficerId }, ct);
        if (current == OfficerStatuses.SmsOptedOut)
            await OfficerStatusChanges.ChangeAsync(work, message.OfficerId, current, OfficerStatuses.Active, StatusSources.Keyword,
                "sms", $"replied {message.Keyword}", message.ReceivedAt, ct);
        await work.CommitAsync(ct);
    }
}
