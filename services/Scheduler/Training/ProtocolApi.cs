using Microsoft.AspNetCore.Http.HttpResults;
using Reminders.Platform.Auth;
using Reminders.Protocol;

namespace Reminders.Scheduler.Training;

/// <summary>The study protocol in force: which file, which version, what it plans and what each template costs.</summary>
public static class ProtocolApi
{
    public sealed record RoleTrainingView(string Role, int Days, int HoursPerDay, string Start, int PlannedMinutes, int MinSessionsForReminders);

    public sealed record TemplateView(string Path, string Encoding, int Segments, int Length, string WorstCaseText);

    public sealed record HolidayView(string Date, string Name);

    public sealed record ProtocolView(
        string Version, int SchemaVersion, string Fingerprint, string Source, string TimeZone, string QuietHoursStart, string QuietHoursEnd,
        IReadOnlyList<RoleTrainingView> Training, IReadOnlyList<HolidayView> Holidays, IReadOnlyList<TemplateView> Templates,
        IReadOnlyList<string> Warnings);

    public static IEndpointRouteBuilder MapProtocolApi(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/api/scheduler").WithTags("Scheduler")
            .MapGet("/protocol", Get).RequireAnyRole(Roles.Manager, Roles.Researcher)
            .WithSummary("The study protocol in force: version, fingerprint, training per role, closed days, template costs, warnings.");
        return app;
    }

    static Ok<ProtocolView> Get(StudyProtocol protocol, WorkingDayCalendar calendar, TimeProvider clock, int? year = null)
    {
        var forYear = year ?? TimeZoneInfo.ConvertTime(clock.GetUtcNow(), protocol.TimeZone).Year;
        var training = StudyRoles.All.Select(role =>
        {
            var rules = protocol.Training.For(role);
            return new RoleTrainingView(role, rules.Days, rules.HoursPerDay, rules.DefaultStart.ToString("HH:mm"), rules.PlannedMinutes,
                rules.Eligibility.MinSessionsAttended);
        }).ToList();
        return TypedResults.Ok(new ProtocolView(protocol.Version, protocol.SchemaVersion, protocol.Fingerprint, protocol.Source, protocol.TimeZoneId,
            protocol.QuietHours.Start.ToString("HH:mm"), protocol.QuietHours.End.ToString("HH:mm"), training,
            calendar.Holidays(forYear).Select(h => new HolidayView(h.Date.ToString("yyyy-MM-dd"), h.Name)).ToList(),
            protocol.TemplateMeasurements.Select(t => new TemplateView(t.Path, t.Measure.Encoding.ToString(), t.Measure.Segments, t.Measure.Length, t.WorstCaseText)).ToList(),
            protocol.Warnings.Select(w => w.ToString()).ToList()));
    }
}
