using MassTransit;
using Reminders.Contracts;
using Reminders.Platform.Data;

namespace Reminders.Messaging.Contacts;

public sealed class UpdateOfficerContactConsumer(MessagingDatabase database) : IConsumer<UpdateOfficerContact>
{
    public async Task Consume(ConsumeContext<UpdateOfficerContact> context)
    {
        var message = context.Message;
        await database.ConsumeOnceAsync(context, nameof(UpdateOfficerContactConsumer), async (work, ct) =>
        {
            // An older change arriving late never overwrites a newer one.
            await work.ExecuteAsync("""
                INSERT INTO contacts (officer_id, phone_e164, updated_at) VALUES (@OfficerId, @PhoneE164, @ChangedAt)
                ON CONFLICT (officer_id) DO UPDATE SET phone_e164 = excluded.phone_e164, updated_at = excluded.updated_at
                WHERE contacts.updated_at <= excluded.updated_at
                """, message, ct);
        });
    }
}
