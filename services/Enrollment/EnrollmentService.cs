using MassTransit;
using Reminders.Enrollment.Randomization;
using Reminders.Enrollment.Roster;
using Reminders.Platform.Hosting;

namespace Reminders.Enrollment;

/// <summary>Sectors, officers, consent and the randomization record. The only service besides Messaging that holds phone numbers.</summary>
public static class EnrollmentService
{
    public const string Name = "enrollment";

    public static WebApplicationBuilder AddEnrollment(this WebApplicationBuilder builder)
    {
        builder.AddServiceDatabase(Name, typeof(EnrollmentService).Assembly);
        builder.Services.AddSingleton<RosterImporter>();
        return builder;
    }

    /// <summary>Enrollment consumes nothing yet; opt-out requests from Messaging arrive with the reminders issue.</summary>
    public static void AddEnrollmentConsumers(this IBusRegistrationConfigurator bus) { }

    public static IEndpointRouteBuilder MapEnrollmentApi(this IEndpointRouteBuilder app)
    {
        app.MapRosterApi();
        app.MapRandomizationApi();
        return app;
    }
}
