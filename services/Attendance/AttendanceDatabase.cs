using Reminders.Platform.Data;

namespace Reminders.Attendance;

/// <summary>The Attendance service's own database, as a type: a class taking it cannot be handed another service's by a wrong key.</summary>
public sealed class AttendanceDatabase(DatabaseOptions options) : ServiceDatabase(AttendanceService.Name, options);
