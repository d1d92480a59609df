using MassTransit;
using Reminders.Enrollment.Officers;
using Reminders.Enrollment.Randomization;
using Reminders.Enrollment.Roster;
using Reminders.Enrollment.Sectors;
using Reminders.Enrollment.Summary;
using Reminders.Platform.Bus;
using Reminders.Platform.Hosting;
using Reminders.Protocol;

namespace Reminders.Enrollment;

/// <summary>Sectors, officers, consent and the randomization record. The only service besides Messaging that holds phone numbers.</summary>
public static class EnrollmentService
{
    public const string Name = "enrollment";

    public static WebApplicationBuilder AddEnrollment(this WebApplicationBuilder builder)
    {
        builder.AddServiceDatabase(Name, typeof(EnrollmentService).Assembly, options => new EnrollmentDatabase(options));
        // A roll call says who gets no SMS; whether a cross-arm transfer stops them is the protocol's rule.
        builder.Services.AddStudyProtocol();
        builder.Services.AddSingleton<RosterImporter>();
        builder.Services.AddSingleton<SectorImporter>();
        builder.Services.AddSingleton<ReplicaBackfill>();
        builder.Services.AddSingleton<RecordedStudyStart>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<ReplicaBackfill>());
        return builder;
    }

    public static void AddEnrollmentConsumers(this IBusRegistrationConfigurator bus)
    {
        bus.AddServiceConsumer<SmsOptOutRequestedConsumer>(Name);
        bus.AddServiceConsumer<SmsNumberRejectedConsumer>(Name);
        bus.AddServiceConsumer<SmsOptInRequestedConsumer>(Name);
        bus.AddServiceConsumer<SmsAcceptedConsumer>(Name);
        bus.AddServiceConsumer<TrainingSessionScheduledConsumer>(Name);
    }

    public static IEndpointRouteBuilder MapEnrollmentApi(this IEndpointRouteBuilder app)
    {
        app.MapSectorsApi();
        app.MapRosterApi();
        app.MapOfficersApi();
        app.MapRandomizationApi();
        app.MapEnrollmentSummaryApi();
        app.MapErrorQueuesApi(Name);
        return app;
    }
}
