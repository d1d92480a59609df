using MassTransit;
using Reminders.Contracts;
using Reminders.Platform.Data;

namespace Reminders.Enrollment.Officers;

/// <summary>The provider refused an active officer's number for good: the officer's status becomes wrong_number until the roster fixes it.</summary>
public sealed class SmsNumberRejectedConsumer([FromKeyedServices(EnrollmentService.Name)] ServiceDatabase database) : IConsumer<SmsNumberRejected>
{
    public async Task Consume(ConsumeContext<SmsNumberRejected> context)
    {
        var (message, ct) = (context.Message, context.CancellationToken);
        await using var work = await database.BeginAsync(ct);
        if (!await work.TryRecordInboxAsync(context.MessageId!.Value, nameof(SmsNumberRejectedConsumer), ct)) return;
        var current = await work.QuerySingleOrDefaultAsync<string?>(
            $"SELECT status FROM officers WHERE id = @OfficerId {work.Dialect.ForUpdate()}", new { message.OfficerId }, ct);
        if (current is OfficerStatuses.Active)
            await OfficerStatusChanges.ChangeAsync(work, message.OfficerId, current, OfficerStatuses.WrongNumber, StatusSources.Provider,
                "sms", $"the provider refused the number ({message.ErrorCode})", message.RejectedAt, ct);
        await work.CommitAsync(ct);
    }
}
