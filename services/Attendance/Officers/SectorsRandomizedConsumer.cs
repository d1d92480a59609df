using MassTransit;
using Reminders.Contracts;
using Reminders.Platform.Data;

namespace Reminders.Attendance.Officers;

public sealed class SectorsRandomizedConsumer([FromKeyedServices(AttendanceService.Name)] ServiceDatabase database) : IConsumer<SectorsRandomized>
{
    public async Task Consume(ConsumeContext<SectorsRandomized> context)
    {
        var (message, ct) = (context.Message, context.CancellationToken);
        await using var work = await database.BeginAsync(ct);
        if (!await work.TryRecordInboxAsync(context.MessageId!.Value, nameof(SectorsRandomizedConsumer), ct)) return;
        await work.ExecuteAsync("INSERT INTO sector_arms (sector_id, arm) VALUES (@SectorId, @Arm) ON CONFLICT (sector_id) DO NOTHING",
            message.Assignments, ct);
        await work.CommitAsync(ct);
    }
}
