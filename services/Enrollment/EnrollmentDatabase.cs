using Reminders.Platform.Data;

namespace Reminders.Enrollment;

/// <summary>The Enrollment service's own database, as a type: a class taking it cannot be handed another service's by a wrong key.</summary>
public sealed class EnrollmentDatabase(DatabaseOptions options) : ServiceDatabase(EnrollmentService.Name, options);
