using MassTransit;
using Reminders.Attendance.Dosage;
using Reminders.Attendance.Recording;
using Reminders.Platform.Bus;
using Reminders.Platform.Replica;
using Reminders.Platform.Hosting;
using Reminders.Protocol;

namespace Reminders.Attendance;

/// <summary>Attendance per officer and session, and the dosage ledger folded from every SMS event.</summary>
public static class AttendanceService
{
    public const string Name = "attendance";

    /// <summary>This service as the owner of its copy of the officers' study facts.</summary>
    public sealed class Replica : IReplicaOwner
    {
        public static string ServiceName => Name;
    }

    public static WebApplicationBuilder AddAttendance(this WebApplicationBuilder builder)
    {
        builder.AddServiceDatabase(Name, typeof(AttendanceService).Assembly, options => new AttendanceDatabase(options));
        builder.Services.AddStudyProtocol();
        builder.Services.AddSingleton<SessionTimeZones>();
        builder.AddEndlineFreeze();
        return builder;
    }

    public static void AddAttendanceConsumers(this IBusRegistrationConfigurator bus)
    {
        // The officer replica (Platform's).
        bus.AddOfficerEnrolledConsumer<Replica>();
        bus.AddRandomizationConsumers<Replica>();
        bus.AddOfficerConsentConsumer<Replica>();
        bus.AddOfficerStatusChangedConsumer<Replica>();
        bus.AddOfficerTransferredConsumer<Replica>();
        bus.AddOfficerChangedConsumer<Replica>();
        bus.AddServiceConsumer<TrainingSessionScheduledConsumer>(Name);
        bus.AddServiceConsumer<TrainingSessionCancelledConsumer>(Name);
        bus.AddServiceConsumer<CohortMembersChangedConsumer>(Name);
        bus.AddServiceConsumer<SmsEventsBatchConsumer>(Name);
        // Each event alone: what was relayed before batches, and any other publisher's.
        bus.AddServiceConsumer<SmsAcceptedConsumer>(Name);
        bus.AddServiceConsumer<SmsStatusChangedConsumer>(Name);
        bus.AddServiceConsumer<SmsFailedConsumer>(Name);
        bus.AddServiceConsumer<SmsRefusedConsumer>(Name);
        bus.AddServiceConsumer<RemindersPlannedConsumer>(Name);
        bus.AddServiceConsumer<ReminderSkippedConsumer>(Name);
        bus.AddServiceConsumer<ReminderRestoredConsumer>(Name);
        bus.AddServiceConsumer<ReminderAcknowledgedConsumer>(Name);
    }

    public static IEndpointRouteBuilder MapAttendanceApi(this IEndpointRouteBuilder app)
    {
        app.MapDosageApi();
        app.MapOfficerTimelineApi();
        app.MapDosageExportApi();
        app.MapLedgerSmsApi();
        app.MapAttendanceRecordingApi();
        app.MapSessionEventsApi();
        app.MapCohortClosing();
        app.MapAttendanceSummaries();
        app.MapRollCallApi();
        app.MapErrorQueuesApi(Name);
        return app;
    }
}
