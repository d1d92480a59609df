using MassTransit;
using Reminders.Contracts;
using Reminders.Platform.Data;

namespace Reminders.Enrollment.Officers;

/// <summary>An opt-out keyword: an active officer (or one with a wrong number) stops receiving SMS.</summary>
public sealed class SmsOptOutRequestedConsumer([FromKeyedServices(EnrollmentService.Name)] ServiceDatabase database) : IConsumer<SmsOptOutRequested>
{
    public async Task Consume(ConsumeContext<SmsOptOutRequested> context)
    {
        var (message, ct) = (context.Message, context.CancellationToken);
        await using var work = await database.BeginAsync(ct);
        if (!await work.TryRecordInboxAsync(context.MessageId!.Value, nameof(SmsOptOutRequestedConsumer), ct)) return;
        var current = await work.QuerySingleOrDefaultAsync<string?>(
            $"SELECT status FROM officers WHERE id = @OfficerId {work.Dialect.ForUpdate()}", new { message.OfficerId }, ct);
        if (current is OfficerStatuses.Active or OfficerStatuses.WrongNumber)
            await OfficerStatusChanges.ChangeAsync(work, message.OfficerId, current, OfficerStatuses.SmsOptedOut, StatusSources.Keyword,
                "sms", $"replied {message.Keyword}", message.ReceivedAt, ct);
        await work.CommitAsync(ct);
    }
}
