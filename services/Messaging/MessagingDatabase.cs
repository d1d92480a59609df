using Reminders.Platform.Data;

namespace Reminders.Messaging;

/// <summary>The Messaging service's own database, as a type: a class taking it cannot be handed another service's by a wrong key.</summary>
public sealed class MessagingDatabase(DatabaseOptions options) : ServiceDatabase(MessagingService.Name, options);
