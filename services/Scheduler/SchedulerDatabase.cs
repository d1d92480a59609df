using Reminders.Platform.Data;

namespace Reminders.Scheduler;

/// <summary>The Scheduler service's own database, as a type: a class taking it cannot be handed another service's by a wrong key.</summary>
public sealed class SchedulerDatabase(DatabaseOptions options) : ServiceDatabase(SchedulerService.Name, options);
